"""Every platform under templates/ has a test folder, every TTP template of every command has a parser case
it recognises something in, and every render template has a golden case (like ntc-templates' tests)."""

from __future__ import annotations

import pytest

from ecpartner.collect.fixtures import command_slug
from ecpartner.parse import run_template
from ecpartner.render import ACTIONS
from ecpartner.platforms import platform_spec, templates_dir

from helpers.platforms import PLATFORMS_DIR
from helpers.render_inventory import GOLDEN_CASES as CASES

TEMPLATE_PLATFORMS = sorted(p.parent.name for p in templates_dir().glob("*/commands.yaml"))


def recognises(template: str, text: str) -> bool:
    """Did the template produce at least one non-empty result on this text?"""
    return any(result for per_input in run_template(template, text) for result in per_input)


def test_every_platform_has_a_test_folder():
    assert TEMPLATE_PLATFORMS, "no platform found under templates/"
    missing = [p for p in TEMPLATE_PLATFORMS if not (PLATFORMS_DIR / p / "lab.yaml").is_file()]
    assert not missing, f"platforms without tests/platforms/<platform>/lab.yaml: {missing}"


@pytest.mark.parametrize("platform", TEMPLATE_PLATFORMS)
def test_every_ttp_template_of_every_command_has_a_case(platform):
    uncovered = []
    for command in platform_spec(platform).commands:
        folder = PLATFORMS_DIR / platform / "parse" / command_slug(command.command)
        texts = [c.read_text(encoding="utf-8") for c in sorted(folder.glob("*.txt"))
                 if c.with_suffix(".expected.yaml").is_file()]
        for name, template in command.templates:
            if not any(recognises(template, text) for text in texts):
                uncovered.append(f"{command.command}: {name} (cases in {folder.relative_to(PLATFORMS_DIR.parent)})")
    assert not uncovered, f"{platform}: templates without a parser case: {uncovered}"


@pytest.mark.parametrize("platform", TEMPLATE_PLATFORMS)
def test_every_render_template_has_a_golden_case(platform):
    rendered = {"device"} | {CASES[c]["action"] for c in CASES}   # device.j2 wraps every case
    templates = {p.stem for p in (templates_dir() / platform / "render").glob("*.j2") if not p.name.startswith("_")}
    assert set(ACTIONS) <= templates, f"{platform}: render templates missing: {set(ACTIONS) - templates}"
    assert templates <= rendered, f"{platform}: render templates no golden case renders: {templates - rendered}"
    missing = [c for c in CASES if not (PLATFORMS_DIR / platform / "render" / f"{c}.cfg").is_file()]
    assert not missing, f"{platform}: golden files missing: {missing}"


@pytest.mark.parametrize("platform", TEMPLATE_PLATFORMS)
def test_every_platform_has_every_remediation_template(platform):
    """Each kind of fix a rule can ask for, and the file that wraps them, has a template on every platform
    (one that can fix nothing says why in its comment and renders nothing)."""
    from ecpartner.remediate import KINDS

    folder = templates_dir() / platform / "remediate"
    missing = [k for k in (*KINDS, "file") if not (folder / f"{k}.j2").is_file()]
    assert not missing, f"{platform}: remediation templates missing in {folder}: {missing}"
