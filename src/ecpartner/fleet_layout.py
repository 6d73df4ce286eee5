"""Paths inside a recorded fleet (contract section 3): reading one never leads anywhere else."""

from __future__ import annotations

from pathlib import Path


def inside_fleet(fleet_dir: Path, path: Path) -> bool:
    """Whether `path`, links followed, stays inside the fleet: a link may point within it, never out."""
    return path.resolve().is_relative_to(fleet_dir.resolve())
