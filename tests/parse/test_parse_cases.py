"""Every parser case: tests/parse/<platform>/<case>.txt (raw device output) against <case>.expected.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ecpartner.parse import ParseError, build_state
from ecpartner.platforms import platform_spec

HERE = Path(__file__).parent
CASES = sorted(HERE.glob("*/*.txt"))


def test_cases_exist_for_every_platform_with_templates():
    platforms = {p.parent.name for p in CASES}
    assert {"huawei", "cisco_ios"} <= platforms
    for platform in platforms:
        assert len([c for c in CASES if c.parent.name == platform]) >= 10, platform


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_parser_case(case: Path):
    platform = case.parent.name
    expected = yaml.safe_load(case.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
    outputs = {platform_spec(platform).config_command: case.read_text(encoding="utf-8")}
    if "error" in expected:
        with pytest.raises(ParseError, match=expected["error"]):
            build_state("dev", platform, outputs)
        return
    state = build_state("dev", platform, outputs)
    assert state.to_dict() == expected
