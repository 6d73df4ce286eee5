"""The telemetry store: counter samples in SQLite (contract section 7).

WAL mode so reports read while a poller writes; a busy timeout so two pollers can write at once (the
second waits for the first's transaction); one transaction per poll, so an interrupted poll leaves
nothing or everything; a primary key on (series, time) with INSERT OR IGNORE, so a re-run poll never
counts a sample twice. `PRAGMA user_version` carries the schema version. The view `sample_rows`
shows the samples with the CSV columns of a fixture series.

Reading two million rows back through sqlite3 costs seconds (a Python object per value), so finished
UTC days are compacted: once the newest sample is on a later day, each series' rows of the earlier days
move into one `blocks` row holding them as a packed int64 array, which loads at memory speed. Rows
arriving late for a compacted day are kept (never twice) and merged into its block next time.

SQLite integers are signed 64-bit, a Counter64 is not: a counter is stored as its two's complement
(v - 2^64 when v >= 2^63) and read back as uint64. Values below 2^63 are stored exactly as schema 1
always stored them, so stores written before this scheme keep their meaning (no schema bump). Read
with sqlite3 directly (the tables, the view), a counter of 2^63 or more shows as negative.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ecpartner.errors import InputError
from ecpartner.telemetry.series import COUNTERS, FRAME_COLUMNS, Samples, empty_frame

SCHEMA_VERSION = 1
DAY_MS = 86_400_000
# A compacted row: time, the counters, sysUpTime (-1: unknown), counter bits.
BLOCK_COLUMNS = ("time_ms", *COUNTERS, "sys_uptime", "counter_bits")
BUSY_TIMEOUT_MS = 30_000
DEFAULT_NAME = "telemetry.sqlite"
UINT64 = 2**64

_COUNTER_COLUMNS = ",\n  ".join(f"{c} INTEGER NOT NULL" for c in COUNTERS)
_SCHEMA = f"""
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  device TEXT NOT NULL,
  interface TEXT NOT NULL,
  UNIQUE (device, interface)
);
CREATE TABLE samples (
  series INTEGER NOT NULL REFERENCES series(id),
  time_ms INTEGER NOT NULL,               -- epoch milliseconds, UTC
  {_COUNTER_COLUMNS},
  sys_uptime INTEGER,                     -- hundredths of a second, NULL when the device did not say
  counter_bits INTEGER NOT NULL CHECK (counter_bits IN (32, 64)),
  PRIMARY KEY (series, time_ms)
) WITHOUT ROWID;
CREATE INDEX samples_by_time ON samples (time_ms);
CREATE TABLE blocks (                     -- finished UTC days of one series, compacted (see compact())
  series INTEGER NOT NULL REFERENCES series(id),
  day INTEGER NOT NULL,                   -- time_ms // 86400000
  n INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  data BLOB NOT NULL,                     -- little-endian int64, column after column of BLOCK_COLUMNS (counters
                                          -- as in samples: two's complement of the uint64)
  PRIMARY KEY (series, day)
) WITHOUT ROWID;
CREATE TABLE polls (
  id INTEGER PRIMARY KEY,
  started_ms INTEGER NOT NULL,
  source TEXT NOT NULL,                   -- live | replay
  inserted INTEGER NOT NULL,
  problems TEXT NOT NULL DEFAULT ''
);
CREATE VIEW sample_rows AS
  SELECT strftime('%Y-%m-%dT%H:%M:%fZ', s.time_ms / 1000.0, 'unixepoch') AS time, r.device, r.interface,
         {", ".join("s." + c for c in COUNTERS)}, s.sys_uptime, s.counter_bits
  FROM samples s JOIN series r ON r.id = s.series;
PRAGMA user_version = {SCHEMA_VERSION};
"""


def default_path(inventory_path: Path) -> Path:
    return inventory_path.parent / DEFAULT_NAME


class Store:
    """One open store. Use as a context manager; every method is one transaction or one read."""

    def __init__(self, path: str | Path, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise InputError(f"{self.path}: telemetry store does not exist (run `ecpartner telemetry poll` first)")
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")   # WAL + NORMAL: durable at checkpoints, never corrupt
            self._ensure_schema()
        except sqlite3.DatabaseError as e:
            raise InputError(f"{self.path}: not a usable telemetry store: {e}") from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _ensure_schema(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise InputError(f"{self.path}: telemetry store schema {version} is newer than this ecpartner "
                             f"understands ({SCHEMA_VERSION}); upgrade ecpartner")
        self.db.execute("BEGIN IMMEDIATE")   # a second poller creating the schema at the same time waits here
        try:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if tables:
                    raise InputError(f"{self.path}: an SQLite file that is not a telemetry store")
                for statement in _SCHEMA.split(";"):   # (no ";" inside the statements)
                    if statement.strip():
                        self.db.execute(statement)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ writing

    def insert(self, rows: Iterable[tuple], source: str, started_ms: int, problems: str = "") -> int:
        """Append samples in one transaction; rows are CSV-order tuples with time as epoch ms.

        (time_ms, device, interface, *COUNTERS, sys_uptime, counter_bits), counters 0..2^64-1.
        Returns how many were new.
        """
        rows = [(*r[:3], *(self._stored_counter(r, c, v) for c, v in zip(COUNTERS, r[3:])), *r[3 + len(COUNTERS):])
                for r in rows]
        self.db.execute("BEGIN IMMEDIATE")
        try:
            ids = self._series_ids({(r[1], r[2]) for r in rows})
            rows = self._not_in_blocks(rows, ids)
            before = self.db.total_changes
            self.db.executemany(
                f"INSERT OR IGNORE INTO samples (series, time_ms, {', '.join(COUNTERS)}, sys_uptime, counter_bits) "
                f"VALUES ({', '.join('?' * (len(COUNTERS) + 4))})",
                ((ids[(r[1], r[2])], r[0], *r[3:]) for r in rows))
            inserted = self.db.total_changes - before
            self.db.execute("INSERT INTO polls (started_ms, source, inserted, problems) VALUES (?, ?, ?, ?)",
                            (started_ms, source, inserted, problems))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.compact()
        return inserted

    def _stored_counter(self, row: tuple, name: str, value: int) -> int:
        """uint64 -> the int64 SQLite holds (two's complement)."""
        if not 0 <= value < UINT64:
            raise InputError(f"{self.path}: cannot write: {row[1]} {row[2]}: {name} {value!r} is not a counter "
                             "value (0 to 2^64-1)")
        return value - UINT64 if value >= UINT64 // 2 else value

    def _not_in_blocks(self, rows: list[tuple], ids: dict) -> list[tuple]:
        """Drop rows a compacted block already holds (a re-run poll of a finished day)."""
        compacted = self.db.execute("SELECT max(day) FROM blocks").fetchone()[0]
        if compacted is None or all(r[0] // DAY_MS > compacted for r in rows):
            return rows
        known: dict[tuple[int, int], set[int]] = {}
        kept = []
        for r in rows:
            key = (ids[(r[1], r[2])], r[0] // DAY_MS)
            if key not in known:
                blob = self.db.execute("SELECT data FROM blocks WHERE series = ? AND day = ?", key).fetchone()
                known[key] = set(_unpack(blob[0])[:, 0].tolist()) if blob else set()
            if r[0] not in known[key]:
                kept.append(r)
        return kept

    def compact(self) -> int:
        """Move the rows of every UTC day before the newest sample's day into blocks; returns rows moved."""
        oldest, newest = self.db.execute("SELECT min(time_ms), max(time_ms) FROM samples").fetchone()
        if oldest is None or oldest // DAY_MS >= newest // DAY_MS:
            return 0
        self.db.execute("BEGIN IMMEDIATE")
        try:
            boundary = (self.db.execute("SELECT max(time_ms) FROM samples").fetchone()[0] // DAY_MS) * DAY_MS
            rows = self.db.execute(
                f"SELECT series, {', '.join(BLOCK_COLUMNS[:-2])}, coalesce(sys_uptime, -1), counter_bits "
                "FROM samples WHERE time_ms < ? ORDER BY series, time_ms", (boundary,)).fetchall()
            data = np.array(rows, dtype=np.int64)
            keys = np.stack([data[:, 0], data[:, 1] // DAY_MS], axis=1)
            starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)])
            for begin, end in zip(starts, np.r_[starts[1:], len(data)]):
                series, day = int(keys[begin, 0]), int(keys[begin, 1])
                block = data[begin:end, 1:]
                old = self.db.execute("SELECT data FROM blocks WHERE series = ? AND day = ?", (series, day)).fetchone()
                if old:   # late rows for a compacted day: merge, the block's copy of a time wins
                    block = np.concatenate([_unpack(old[0]), block])
                    _, first = np.unique(block[:, 0], return_index=True)
                    block = block[first]
                self.db.execute("INSERT OR REPLACE INTO blocks (series, day, n, last_ms, data) VALUES (?, ?, ?, ?, ?)",
                                (series, day, len(block), int(block[:, 0].max()), _pack(block)))
            self.db.execute("DELETE FROM samples WHERE time_ms < ?", (boundary,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return len(rows)

    def _series_ids(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        self.db.executemany("INSERT OR IGNORE INTO series (device, interface) VALUES (?, ?)", sorted(keys))
        return {(d, i): sid for sid, d, i in self.db.execute("SELECT id, device, interface FROM series")}

    # ------------------------------------------------------------------ reading

    def newest_ms(self) -> int | None:
        values = self.db.execute("SELECT (SELECT max(time_ms) FROM samples), (SELECT max(last_ms) FROM blocks)").fetchone()
        present = [v for v in values if v is not None]
        return max(present) if present else None

    def stored_times(self) -> set[int]:
        times = {t for (t,) in self.db.execute("SELECT DISTINCT time_ms FROM samples")}
        for (blob,) in self.db.execute("SELECT data FROM blocks"):
            times.update(_unpack(blob)[:, 0].tolist())
        return times

    def count(self) -> int:
        return self.db.execute("SELECT (SELECT count(*) FROM samples) + (SELECT coalesce(sum(n), 0) FROM blocks)").fetchone()[0]

    def load(self, start_ms: int | None = None) -> Samples:
        """Samples at or after start_ms (all when None), ordered by series then time."""
        series = self.db.execute("SELECT id, device, interface FROM series ORDER BY id").fetchall()
        # Renumber store ids 0..n-1 so a sid indexes Samples.series directly.
        renumber = {sid: n for n, (sid, _, _) in enumerate(series)}
        names = [(d, i) for _, d, i in series]
        start = -2**62 if start_ms is None else start_ms
        by_series: dict[int, list[np.ndarray]] = {}
        for series_id, day, blob in self.db.execute(
                "SELECT series, day, data FROM blocks WHERE day >= ? ORDER BY series, day", (start // DAY_MS,)):
            block = _unpack(blob)
            if day == start // DAY_MS:
                block = block[block[:, 0] >= start]
            by_series.setdefault(series_id, []).append(block)
        rows = self.db.execute(f"SELECT series, time_ms, {', '.join(COUNTERS)}, coalesce(sys_uptime, -1), counter_bits "
                               "FROM samples WHERE time_ms >= ? ORDER BY series, time_ms", (start,)).fetchall()
        if rows:
            recent = np.array(rows, dtype=np.int64)
            cuts = np.flatnonzero(np.diff(recent[:, 0])) + 1
            for part in np.split(recent, cuts):
                by_series.setdefault(int(part[0, 0]), []).append(part[:, 1:])
        if not by_series:
            return Samples(empty_frame(), names, str(self.path))
        # Series by series, each in time order (a late row for a compacted day may break that: rates re-sort).
        pieces = [(sid, piece) for sid in sorted(by_series) for piece in by_series[sid]]
        columns = {"sid": np.concatenate([np.full(len(piece), sid, dtype=np.int64) for sid, piece in pieces])}
        for j, name in enumerate(BLOCK_COLUMNS):
            columns[name] = np.concatenate([piece[:, j] for _, piece in pieces])
            if name in COUNTERS:
                columns[name] = columns[name].view(np.uint64)   # the two's complement read back as stored
        frame = pd.DataFrame(columns)[list(FRAME_COLUMNS)]
        if any(sid != n for sid, n in renumber.items()):
            frame["sid"] = frame["sid"].map(renumber)
        uptime = frame["sys_uptime"].astype("float64")
        frame["sys_uptime"] = uptime.where(uptime >= 0)
        return Samples(frame, names, str(self.path))


def _pack(block: np.ndarray) -> bytes:
    """(n, columns) int64 -> column-major bytes: a column reads back as one contiguous run."""
    return np.ascontiguousarray(block.T, dtype="<i8").tobytes()


def _unpack(blob: bytes) -> np.ndarray:
    """bytes -> (n, columns) int64 view (column-major underneath, read-only)."""
    return np.frombuffer(blob, dtype="<i8").reshape(len(BLOCK_COLUMNS), -1).T
