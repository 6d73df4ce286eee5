from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.fixture
def demo_inventory() -> Path:
    return ROOT / "fixtures" / "demo" / "inventory.yaml"


@pytest.fixture
def clean_inventory() -> Path:
    return ROOT / "fixtures" / "clean" / "inventory.yaml"
