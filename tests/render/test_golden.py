"""Golden files: every platform x action, compared byte for byte. Reviewed by eye against
shared/reference/vendor-cli.md; regenerate with ECP_UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))   # helper modules beside the tests (--import-mode=importlib)

import os
from pathlib import Path

import pytest

from ecpartner.render import render_fleet

from render_inventory import PLATFORMS, golden_inventory

GOLDEN = Path(__file__).parent / "golden"
ALL = ["pc-hosted0001", "pc-hosted0002", "pc-hosted0003"]
CASES = {
    "create": dict(ids=None, action="create"),
    "disable": dict(ids=ALL, action="disable"),
    "enable": dict(ids=ALL, action="enable"),
    "delete": dict(ids=ALL, action="delete"),
    "modify-vlan": dict(ids=["pc-hosted0001"], action="modify-vlan", new_vlan=200),
    "modify-vlan-from-vlan0": dict(ids=["pc-hosted0003"], action="modify-vlan", new_vlan=7),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("platform", PLATFORMS)
def test_golden(platform, case):
    files = render_fleet(golden_inventory(platform), **CASES[case])
    assert list(files) == ["acc-01"]
    text = files["acc-01"]
    path = GOLDEN / platform / f"{case}.cfg"
    if os.environ.get("ECP_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{path} differs; review and regenerate with ECP_UPDATE_GOLDEN=1"


def test_no_blank_or_whitespace_only_lines_anywhere():
    """StrictUndefined plus trim/lstrip blocks: no empty value ever leaves an empty or dangling line."""
    for path in GOLDEN.glob("*/*.cfg"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert line.strip(), f"{path}:{number} is blank"
            assert line == line.rstrip(), f"{path}:{number} has trailing spaces"
            assert "None" not in line, f"{path}:{number} prints None"
