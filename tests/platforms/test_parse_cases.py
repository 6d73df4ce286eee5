"""Every parser case of every platform: tests/platforms/<platform>/parse/<command slug>/<case>.txt (raw device
output) against <case>.expected.yaml.

A case of the configuration command expects `DeviceState.to_dict()` of the whole device (or `error`: the
ParseError it raises); a case of any other command expects the records its templates produce (RAW SCHEMA).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ecpartner.collect.fixtures import command_slug
from ecpartner.parse import ParseError, build_state, raw_records
from ecpartner.platforms import platform_spec

from helpers.platforms import case_id, case_platform, config_cases, parse_cases

CASES = parse_cases()


def command_of(case: Path) -> str:
    """The platform's command whose slug names the case's folder."""
    commands = {command_slug(c.command): c.command for c in platform_spec(case_platform(case)).commands}
    assert case.parent.name in commands, f"{case}: {case.parent.name!r} is no command of {case_platform(case)}"
    return commands[case.parent.name]


def test_cases_exist_for_every_platform_with_templates():
    platforms = {case_platform(c) for c in CASES}
    assert {"huawei", "cisco_ios"} <= platforms
    for platform in platforms:
        assert len([c for c in config_cases() if case_platform(c) == platform]) >= 10, platform


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_parser_case(case: Path):
    platform, command = case_platform(case), command_of(case)
    expected = yaml.safe_load(case.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
    text = case.read_text(encoding="utf-8")
    if command != platform_spec(platform).config_command:
        assert raw_records(platform, command, text) == expected
        return
    outputs = {command: text}
    if "error" in expected:
        with pytest.raises(ParseError, match=expected["error"]):
            build_state("dev", platform, outputs)
        return
    state = build_state("dev", platform, outputs)
    assert state.to_dict() == expected
