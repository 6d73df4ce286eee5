from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "fixtures" / "demo"


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    """A writable copy of the demo fleet (inventory, recordings, telemetry series); returns the inventory."""
    fleet = tmp_path / "fleet"
    shutil.copytree(DEMO, fleet, ignore=shutil.ignore_patterns("*.sqlite*", "telemetry-reports"))
    return fleet / "inventory.yaml"
