"""Where a run's counter samples are, found without reading them: the store given, or the default one
beside the inventory if it exists, else the recorded fleet's series files (contract sections 3 and 7).
Free of pandas, so a run on a fleet without samples never loads it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecpartner.errors import InputError
from ecpartner.fleet_layout import inside_fleet
from ecpartner.inventory import Inventory

DEFAULT_NAME = "telemetry.sqlite"


def default_path(inventory_path: Path) -> Path:
    return inventory_path.parent / DEFAULT_NAME


def fixture_files(directory: Path) -> list[Path]:
    """The series files of a fixture fleet: <fleet>/telemetry/*.csv, in name order; none leads out of it."""
    files = sorted((directory / "telemetry").glob("*.csv"))
    outside = [f for f in files if not inside_fleet(directory, f)]
    if outside:
        raise InputError([f"{f}: leads out of the recorded fleet {directory} (a link); not read" for f in outside])
    return files


@dataclass(frozen=True)
class SampleSource:
    store: Path | None          # the SQLite store to read, or None: read `files`
    files: list[Path]


def sample_source(inventory: Inventory, db_path: str | Path | None = None,
                  fixtures_dir: str | Path | None = None) -> SampleSource | None:
    """The store (given, or the default one if it exists), else the fixture series; None if neither."""
    path = Path(db_path) if db_path else default_path(inventory.path)
    if db_path or path.is_file():
        return SampleSource(path, [])
    files = fixture_files(Path(fixtures_dir) if fixtures_dir else inventory.base_dir)
    return SampleSource(None, files) if files else None
