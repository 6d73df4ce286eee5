"""Where the vendor knowledge (templates/<platform>/) lives, for an installed wheel or a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def templates_dir() -> Path:
    packaged = Path(__file__).parent / "templates"  # wheel: force-included into the package
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "templates"  # editable install / source tree
    if checkout.is_dir():
        return checkout
    raise RuntimeError(f"ecpartner templates not found (looked in {packaged} and {checkout})")


def platforms() -> list[str]:
    """Platforms we have vendor knowledge for: every templates/<platform>/commands.yaml."""
    return sorted(p.parent.name for p in templates_dir().glob("*/commands.yaml"))


def platform_dir(platform: str) -> Path:
    return templates_dir() / platform
