"""Where a run's counter samples are, found without reading them (contract sections 3 and 7): the store
(given with --db, or the default one beside the inventory if it exists) and the recorded fleet's series
files. Both may exist: which one a verdict stands on is chosen in window.py (`choose_samples`).
Free of pandas, so a run on a fleet without samples never loads it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ecpartner.errors import InputError
from ecpartner.fleet_layout import inside_fleet
from ecpartner.inventory import Inventory

DEFAULT_NAME = "telemetry.sqlite"
STORE, SERIES = "store", "series"
KINDS = (STORE, SERIES)


def default_path(inventory_path: Path) -> Path:
    return inventory_path.parent / DEFAULT_NAME


def is_url(db: str | Path | None) -> bool:
    """A PostgreSQL store (postgresql://...), not an SQLite file."""
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


def store_location(db: str | Path | None, inventory_path: Path) -> str | Path:
    """--db as given (a path or a PostgreSQL URL), or the default SQLite file beside the inventory."""
    if is_url(db):
        return db
    return Path(db) if db else default_path(inventory_path)


def fixture_files(directory: Path) -> list[Path]:
    """The series files of a fixture fleet: <fleet>/telemetry/*.csv, in name order; none leads out of it."""
    files = sorted((directory / "telemetry").glob("*.csv"))
    outside = [f for f in files if not inside_fleet(directory, f)]
    if outside:
        raise InputError([f"{f}: leads out of the recorded fleet {directory} (a link); not read" for f in outside])
    return files


def redacted(location: str) -> str:
    """A store as messages name it: a URL's password never shows."""
    return re.sub(r"^(postgres(?:ql)?://[^:/@]*):[^@]*@", r"\1:***@", location)


@dataclass(frozen=True)
class SampleSource:
    kind: str                   # STORE or SERIES
    store: Path | str | None    # the store to read (STORE: an SQLite file or a PostgreSQL URL), or None: `files`
    files: list[Path]
    named: bool = False         # the store was named with --db (an explicit choice)

    @property
    def where(self) -> str:
        """What a message names: the store's path, or the series' glob."""
        if self.store is not None:
            return redacted(str(self.store))
        folders = sorted({str(f.parent) for f in self.files})
        return ", ".join(f"{folder}/*.csv" for folder in folders)


def sample_sources(inventory: Inventory, db_path: str | Path | None = None,
                   fixtures_dir: str | Path | None = None) -> dict[str, SampleSource]:
    """Every source there is, by kind: the store (given, or the default one if it exists) and the
    fixture series (if the fleet has any). Empty when neither exists."""
    out: dict[str, SampleSource] = {}
    path = store_location(db_path, inventory.path)
    if db_path or path.is_file():
        out[STORE] = SampleSource(STORE, path, [], named=bool(db_path))
    files = fixture_files(Path(fixtures_dir) if fixtures_dir else inventory.base_dir)
    if files:
        out[SERIES] = SampleSource(SERIES, None, files)
    return out


def check_choice(sources: dict[str, SampleSource], choice: str | None, inventory: Inventory,
                 fixtures_dir: str | Path | None = None) -> None:
    """An explicit `--telemetry store|series` names a source that exists (InputError otherwise)."""
    if choice is None or choice in sources:
        return
    if choice not in KINDS:
        raise InputError(f"--telemetry: {choice!r} is not one of {', '.join(KINDS)}")
    if choice == STORE:
        raise InputError(f"--telemetry store: no telemetry store at {default_path(inventory.path)} "
                         "(`ecpartner telemetry poll` writes one; --db names another)")
    fleet = Path(fixtures_dir) if fixtures_dir else inventory.base_dir
    raise InputError(f"--telemetry series: no recorded series {fleet / 'telemetry'}/*.csv")
