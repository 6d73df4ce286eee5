"""The telemetry store: counter samples in SQLite (contract section 7).

WAL mode so reports read while a poller writes; a busy timeout so two pollers can write at once (the
second waits for the first's transaction); one transaction per poll, so an interrupted poll leaves
nothing or everything; a primary key on (time, series) with INSERT OR IGNORE, so a re-run poll never
counts a sample twice. Time first, so one poll's rows are neighbours in the key order (a page or two
per poll, not a page per series) and min/max of time are key look-ups. `PRAGMA user_version` carries
the schema version; an older store is migrated in place when a writer opens it (read-only, an older
store is read as it is: the columns are the same). The view `sample_rows` shows the samples with the
CSV columns of a fixture series.

Reading two million rows back through sqlite3 costs seconds (a Python object per value), so finished
UTC days are compacted: once the newest sample is on a later day, each series' rows of the earlier days
move into one `blocks` row holding them as a packed int64 array, which loads at memory speed. Rows
arriving late for a compacted day are kept (never twice) and merged into its block next time.

SQLite integers are signed 64-bit, a Counter64 is not: a counter is stored as its two's complement
(v - 2^64 when v >= 2^63) and read back as uint64. Values below 2^63 are stored exactly as schema 1
always stored them, so stores written before this scheme keep their meaning (no schema bump). Read
with sqlite3 directly (the tables, the view), a counter of 2^63 or more shows as negative.

Every SQLite fault (read-only file, full disk, corruption) and every row or block this code cannot read
back becomes one InputError naming the file and the cause; a failed write changes nothing.
"""

from __future__ import annotations

import functools
import logging
import operator
import sqlite3
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ecpartner.errors import InputError
from ecpartner.telemetry.series import COUNTERS, FRAME_COLUMNS, Samples, empty_frame
from ecpartner.telemetry.sources import default_path  # noqa: F401  (its old home)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2   # 2: samples keyed (time, series), was (series, time); blocks indexed by day
DAY_MS = 86_400_000
# A compacted row: time, the counters, sysUpTime (-1: unknown), counter bits.
BLOCK_COLUMNS = ("time_ms", *COUNTERS, "sys_uptime", "counter_bits")
BUSY_TIMEOUT_MS = 30_000
# Two lone aggregates: each is one key look-up (min(a), max(a) in one SELECT scans the table).
_MIN_MAX_TIME = "SELECT (SELECT min(time_ms) FROM samples), (SELECT max(time_ms) FROM samples)"
UINT64 = 2**64
_COUNTERS_OF = operator.itemgetter(slice(3, 3 + len(COUNTERS)))   # of an insert() row
_SERIES_KEY = operator.itemgetter(1, 2)                           # (device, interface) of an insert() row

_COUNTER_COLUMNS = ",\n  ".join(f"{c} INTEGER NOT NULL" for c in COUNTERS)
_COMPACTED = ("series", *BLOCK_COLUMNS[:-2], "coalesce(sys_uptime, -1)", "counter_bits")   # read by compact()
_SAMPLE_COLUMNS = f"series, time_ms, {', '.join(COUNTERS)}, sys_uptime, counter_bits"
_SAMPLES = f"""
CREATE TABLE samples (
  series INTEGER NOT NULL REFERENCES series(id),
  time_ms INTEGER NOT NULL,               -- epoch milliseconds, UTC
  {_COUNTER_COLUMNS},
  sys_uptime INTEGER,                     -- hundredths of a second, NULL when the device did not say
  counter_bits INTEGER NOT NULL CHECK (counter_bits IN (32, 64)),
  PRIMARY KEY (time_ms, series)
) WITHOUT ROWID"""
_SAMPLE_ROWS = f"""
CREATE VIEW sample_rows AS
  SELECT strftime('%Y-%m-%dT%H:%M:%fZ', s.time_ms / 1000.0, 'unixepoch') AS time, r.device, r.interface,
         {", ".join("s." + c for c in COUNTERS)}, s.sys_uptime, s.counter_bits
  FROM samples s JOIN series r ON r.id = s.series"""
_BLOCKS_BY_DAY = "CREATE INDEX blocks_by_day ON blocks (day)"   # max(day) on every poll: a look-up, not a scan
_SCHEMA = f"""
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  device TEXT NOT NULL,
  interface TEXT NOT NULL,
  UNIQUE (device, interface)
);
{_SAMPLES};
CREATE TABLE blocks (                     -- finished UTC days of one series, compacted (see compact())
  series INTEGER NOT NULL REFERENCES series(id),
  day INTEGER NOT NULL,                   -- time_ms // 86400000
  n INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  data BLOB NOT NULL,                     -- little-endian int64, column after column of BLOCK_COLUMNS (counters
                                          -- as in samples: two's complement of the uint64)
  PRIMARY KEY (series, day)
) WITHOUT ROWID;
{_BLOCKS_BY_DAY};
CREATE TABLE polls (
  id INTEGER PRIMARY KEY,
  started_ms INTEGER NOT NULL,
  source TEXT NOT NULL,                   -- live | replay
  inserted INTEGER NOT NULL,
  problems TEXT NOT NULL DEFAULT ''
);
{_SAMPLE_ROWS};
PRAGMA user_version = {SCHEMA_VERSION};
"""
# From version n to n + 1, in the transaction that opens the store (the view names samples: it goes first).
_MIGRATIONS = {
    1: f"""
DROP VIEW sample_rows;
DROP INDEX samples_by_time;
ALTER TABLE samples RENAME TO samples_v1;
{_SAMPLES};
INSERT INTO samples ({_SAMPLE_COLUMNS}) SELECT {_SAMPLE_COLUMNS} FROM samples_v1 ORDER BY time_ms, series;
DROP TABLE samples_v1;
{_BLOCKS_BY_DAY};
{_SAMPLE_ROWS};
PRAGMA user_version = 2;
""",
}


class _Corrupt(Exception):
    """A stored row or block this code cannot read back (not written by it, or damaged)."""


def _faults(action: str):
    """Store methods: an SQLite error or unreadable data becomes '<file>: cannot <action>: <cause>'."""
    def wrap(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except (sqlite3.DatabaseError, _Corrupt) as e:
                raise InputError(f"{self.path}: cannot {action}: {e}") from None
        return guarded
    return wrap


class Store:
    """One open store. Use as a context manager; every method is one transaction or one read."""

    def __init__(self, path: str | Path, create: bool = True):
        """create=False: the store must exist; it is opened read-only (a report never writes, and can read
        a store it may not write)."""
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise InputError(f"{self.path}: telemetry store does not exist (run `ecpartner telemetry poll` first)")
        self.db = None
        self._ids: dict[tuple[str, str], int] = {}   # series ids, see _series_ids
        try:
            target = f"{self.path.absolute().as_uri()}?mode=ro" if not create else self.path
            self.db = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, uri=not create)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")   # WAL + NORMAL: durable at checkpoints, never corrupt
            self._ensure_schema(create)
        except sqlite3.DatabaseError as e:
            self.close()
            # OperationalError: read-only, cannot be opened, locked; any other: not SQLite or damaged
            what = "cannot open" if isinstance(e, sqlite3.OperationalError) else "not a usable telemetry store"
            raise InputError(f"{self.path}: {what}: {e}") from None
        except InputError:
            self.close()
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()

    @contextmanager
    def _transaction(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:   # SQLite has already rolled back after some errors (a full disk)
                self.db.execute("ROLLBACK")
            raise

    def _ensure_schema(self, create: bool) -> None:
        version = self._schema_version()
        if version == SCHEMA_VERSION or (version and not create):   # read-only: an older schema reads the same
            return
        if not create:
            raise InputError(f"{self.path}: not a telemetry store (no schema; `ecpartner telemetry poll` creates one)")
        with self._transaction():   # a second poller creating or migrating at the same time waits here
            version = self._schema_version()
            if version == 0:
                tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if tables:
                    raise InputError(f"{self.path}: an SQLite file that is not a telemetry store")
                self._script(_SCHEMA)
            for step in range(version or SCHEMA_VERSION, SCHEMA_VERSION):   # (a new store is current)
                log.info("%s: migrating the telemetry store from schema %d to %d", self.path, step, step + 1)
                self._script(_MIGRATIONS[step])

    def _schema_version(self) -> int:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise InputError(f"{self.path}: telemetry store schema {version} is newer than this ecpartner "
                             f"understands ({SCHEMA_VERSION}); upgrade ecpartner")
        return version

    def _script(self, script: str) -> None:
        """Statements one by one inside the open transaction (executescript would commit it)."""
        for statement in script.split(";"):   # (no ";" inside the statements)
            if statement.strip():
                self.db.execute(statement)

    # ------------------------------------------------------------------ writing

    @_faults("write")
    def insert(self, rows: Iterable[tuple], source: str, started_ms: int, problems: str = "") -> int:
        """Append samples in one transaction; rows are CSV-order tuples with time as epoch ms.

        (time_ms, device, interface, *COUNTERS, sys_uptime, counter_bits), counters 0..2^64-1.
        Returns how many were new.
        """
        rows = self._stored_rows(list(rows))
        with self._transaction():
            ids = self._series_ids(set(map(_SERIES_KEY, rows)))
            rows = self._not_in_blocks(rows, ids)
            before = self.db.total_changes
            self.db.executemany(
                f"INSERT OR IGNORE INTO samples ({_SAMPLE_COLUMNS}) VALUES ({', '.join('?' * (len(COUNTERS) + 4))})",
                ((ids[(r[1], r[2])], r[0], *r[3:]) for r in rows))
            inserted = self.db.total_changes - before
            self.db.execute("INSERT INTO polls (started_ms, source, inserted, problems) VALUES (?, ?, ?, ?)",
                            (started_ms, source, inserted, problems))
        self._ids = ids   # only once committed: a rolled-back poll's new series ids were never stored
        try:
            self.compact()
        except InputError as e:   # the samples are stored: compaction is only for speed, and retried next time
            log.warning("%s (the new samples are stored; compaction is retried at the next poll)", e)
        return inserted

    def _stored_rows(self, rows: list[tuple]) -> list[tuple]:
        """The rows with their counters as SQLite holds them. A poll whose counters are all below 2^63 (the
        common one) is returned as it is, checked by one min and one max that run in C, not per row in Python."""
        if not rows or (0 <= min(map(min, map(_COUNTERS_OF, rows)))
                        and max(map(max, map(_COUNTERS_OF, rows))) < UINT64 // 2):
            return rows
        return [(*r[:3], *(self._stored_counter(r, c, v) for c, v in zip(COUNTERS, _COUNTERS_OF(r))),
                 *r[3 + len(COUNTERS):]) for r in rows]

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
                known[key] = set(_unpack(blob[0], *key)[:, 0].tolist()) if blob else set()
            if r[0] not in known[key]:
                kept.append(r)
        return kept

    @_faults("write")
    def compact(self) -> int:
        """Move the rows of every UTC day before the newest sample's day into blocks; returns rows moved."""
        oldest, newest = self.db.execute(_MIN_MAX_TIME).fetchone()
        if oldest is None or oldest // DAY_MS >= newest // DAY_MS:
            return 0
        with self._transaction():
            boundary = (self.db.execute("SELECT max(time_ms) FROM samples").fetchone()[0] // DAY_MS) * DAY_MS
            data = self._sample_rows("time_ms < ?", boundary)
            keys = np.stack([data[:, 0], data[:, 1] // DAY_MS], axis=1)
            starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)])
            compacted = set(self.db.execute("SELECT series, day FROM blocks WHERE day >= ?", (int(keys[:, 1].min()),)))
            for begin, end in zip(starts, np.r_[starts[1:], len(data)]):
                series, day = int(keys[begin, 0]), int(keys[begin, 1])
                block = data[begin:end, 1:]
                old = (series, day) in compacted and self.db.execute(
                    "SELECT data FROM blocks WHERE series = ? AND day = ?", (series, day)).fetchone()
                if old:   # late rows for a compacted day: merge, the block's copy of a time wins
                    block = np.concatenate([_unpack(old[0], series, day), block])
                    _, first = np.unique(block[:, 0], return_index=True)
                    block = block[first]
                self.db.execute("INSERT OR REPLACE INTO blocks (series, day, n, last_ms, data) VALUES (?, ?, ?, ?, ?)",
                                (series, day, len(block), int(block[:, 0].max()), _pack(block)))
            self.db.execute("DELETE FROM samples WHERE time_ms < ?", (boundary,))
        return len(data)

    def _sample_rows(self, where: str, bound: int) -> np.ndarray:
        """The sample rows matching `where` as an int64 array of _COMPACTED columns, by series then time.

        Each column is read as one comma-separated text and parsed by numpy in C: half the cost of fetching a
        Python int per value. The aggregates run in one pass over the same rows, so the columns stay aligned;
        numpy sorts faster than SQLite."""
        count, *columns = self.db.execute(
            f"SELECT count(*), {', '.join(f'group_concat({c})' for c in _COMPACTED)} FROM samples WHERE {where}",
            (bound,)).fetchone()
        data = self._int64_columns(count, columns)
        return data[np.lexsort((data[:, 1], data[:, 0]))]

    def _int64_columns(self, count: int, columns: list[str | None]) -> np.ndarray:
        """group_concat texts of _COMPACTED as an int64 array of rows; a value that is not an integer (a
        damaged or foreign row) is named."""
        try:
            with warnings.catch_warnings():   # numpy only warns when a text holds something else than integers
                warnings.simplefilter("error", DeprecationWarning)
                data = np.stack([np.fromstring(text or "", dtype=np.int64, sep=",") for text in columns], axis=1)
            if len(data) == count:
                return data
        except (ValueError, DeprecationWarning):
            pass
        columns = ("time_ms", *COUNTERS, "sys_uptime", "counter_bits")
        checks = " OR ".join(f"typeof(s.{c}) NOT IN ('integer', {'null' if c == 'sys_uptime' else 'integer'!r})"
                             for c in columns)
        bad = self.db.execute(f"SELECT r.device, r.interface, s.time_ms, {', '.join('s.' + c for c in columns)} "
                              f"FROM samples s JOIN series r ON r.id = s.series WHERE {checks} LIMIT 1").fetchone()
        if bad is None:
            raise _Corrupt("a sample row holds a value that is not an integer")
        device, interface, when, *values = bad
        column, value = next((c, v) for c, v in zip(columns, values)
                             if not isinstance(v, int) and not (v is None and c == "sys_uptime"))
        raise _Corrupt(f"sample {device} {interface} at time_ms {when!r}: {column} is {value!r}, not an integer")

    def _series_ids(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Ids of every series, keys included. A series id never changes, so the ids known from the last poll
        are reused (another writer's new series are found when this one first meets them)."""
        if keys <= self._ids.keys():
            return self._ids
        self.db.executemany("INSERT OR IGNORE INTO series (device, interface) VALUES (?, ?)", sorted(keys - self._ids.keys()))
        return {(d, i): sid for sid, d, i in self.db.execute("SELECT id, device, interface FROM series")}

    # ------------------------------------------------------------------ reading

    @_faults("read")
    def newest_ms(self) -> int | None:
        values = self.db.execute("SELECT (SELECT max(time_ms) FROM samples), (SELECT max(last_ms) FROM blocks)").fetchone()
        present = [v for v in values if v is not None]
        return max(present) if present else None

    @_faults("read")
    def stored_times(self) -> set[int]:
        times = {t for (t,) in self.db.execute("SELECT DISTINCT time_ms FROM samples")}
        for series, day, blob in self.db.execute("SELECT series, day, data FROM blocks"):
            times.update(_unpack(blob, series, day)[:, 0].tolist())
        return times

    @_faults("read")
    def count(self) -> int:
        return self.db.execute("SELECT (SELECT count(*) FROM samples) + (SELECT coalesce(sum(n), 0) FROM blocks)").fetchone()[0]

    @_faults("read")
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
            block = _unpack(blob, series_id, day)
            if day == start // DAY_MS:
                block = block[block[:, 0] >= start]
            by_series.setdefault(series_id, []).append(block)
        recent = self._sample_rows("time_ms >= ?", start)
        if len(recent):
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


def _unpack(blob: bytes, series: int, day: int) -> np.ndarray:
    """bytes -> (n, columns) int64 view (column-major underneath, read-only); a damaged block is _Corrupt."""
    where = f"compacted block of series {series} for day {day} (UTC days since 1970)"
    row_bytes = 8 * len(BLOCK_COLUMNS)
    if not isinstance(blob, bytes) or not blob or len(blob) % row_bytes:
        size = f"{len(blob)} bytes" if isinstance(blob, bytes) else f"a {type(blob).__name__}"
        raise _Corrupt(f"{where} is damaged: {size}, not whole rows of {row_bytes} bytes")
    block = np.frombuffer(blob, dtype="<i8").reshape(len(BLOCK_COLUMNS), -1).T
    if (block[:, 0] // DAY_MS != day).any() or not np.isin(block[:, -1], (32, 64)).all():
        raise _Corrupt(f"{where} is damaged: times outside its day or counter bits other than 32 and 64")
    return block
