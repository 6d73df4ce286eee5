from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same examples every run (a red build is always reproducible); locally every run explores anew.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).parents[1]


@pytest.fixture
def demo_inventory() -> Path:
    return ROOT / "fixtures" / "demo" / "inventory.yaml"


@pytest.fixture
def clean_inventory() -> Path:
    return ROOT / "fixtures" / "clean" / "inventory.yaml"
