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


@pytest.fixture
def edited_platform(tmp_path, monkeypatch):
    """edit(name, change, like="huawei"): templates/<like>/ copied to a temporary templates folder as
    templates/<name>/, its commands.yaml document passed through change(doc); the temporary folder is the
    templates folder (and no platform is cached) until the test ends."""
    import shutil

    import yaml

    from ecpartner import platforms

    real, templates = platforms.templates_dir(), tmp_path / "templates"

    def edit(name: str, change, like: str = "huawei") -> Path:
        folder = templates / name
        shutil.copytree(real / like, folder)
        path = folder / "commands.yaml"
        doc = change(yaml.safe_load(path.read_text(encoding="utf-8")))
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return path

    templates.mkdir()
    shutil.copy(real / "platforms.yaml", templates / "platforms.yaml")
    monkeypatch.setattr(platforms, "templates_dir", lambda: templates)
    platforms.platform_spec.cache_clear()
    platforms.known_platforms.cache_clear()
    yield edit
    platforms.platform_spec.cache_clear()
    platforms.known_platforms.cache_clear()
