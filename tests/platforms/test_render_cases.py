"""Golden files: every platform x device family x render case, tests/platforms/<platform>/render/<case>.cfg
(render/<family>/ for a family other than router), compared byte for byte. Reviewed by eye against
shared/reference/vendor-cli.md; regenerate with ECP_UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import os

import pytest

from ecpartner.render import render_fleet

from helpers.platforms import PLATFORM_FAMILIES, PLATFORMS_DIR, render_dir
from helpers.render_inventory import GOLDEN_CASES as CASES, golden_inventory


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("platform,family", PLATFORM_FAMILIES, ids=[f"{p}-{f}" for p, f in PLATFORM_FAMILIES])
def test_golden(platform, family, case):
    files = render_fleet(golden_inventory(platform, family), **CASES[case])
    assert list(files) == ["acc-01"]
    text = files["acc-01"]
    path = render_dir(platform, family) / f"{case}.cfg"
    if os.environ.get("ECP_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{path} differs; review and regenerate with ECP_UPDATE_GOLDEN=1"


def test_no_blank_or_whitespace_only_lines_anywhere():
    """StrictUndefined plus trim/lstrip blocks: no empty value ever leaves an empty or dangling line."""
    for path in [*PLATFORMS_DIR.glob("*/render/*.cfg"), *PLATFORMS_DIR.glob("*/render/*/*.cfg")]:
        if path.name == "base.cfg":     # a device's saved configuration, not rendered
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert line.strip(), f"{path}:{number} is blank"
            assert line == line.rstrip(), f"{path}:{number} has trailing spaces"
            assert "None" not in line, f"{path}:{number} prints None"
