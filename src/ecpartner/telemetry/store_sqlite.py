"""The SQLite store backend (the default; see store.py for the logic both backends share).

WAL mode so reports read while a poller writes; a busy timeout so two pollers can write at once (the second
waits for the first's transaction: BEGIN IMMEDIATE serialises writers, compaction included). `PRAGMA
user_version` carries the schema version; an older store is migrated in place when a writer opens it
(read-only, an older store is read as it is: the columns are the same).
"""

from __future__ import annotations

import logging
import sqlite3
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ecpartner.errors import InputError
from ecpartner.telemetry.series import COUNTERS
from ecpartner.telemetry.store_schema import BLOCK_COLUMNS, SCHEMA_VERSION, Corrupt, decoded_block_columns

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000

_COUNTER_COLUMNS = ",\n  ".join(f"{c} INTEGER NOT NULL" for c in COUNTERS)
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


def _int64_at(offset: str) -> str:
    """SQL: the little-endian int64 at byte `offset` of the hex text `hx` of a block (SQLite has no
    function that reads a blob as an integer). The top byte carries the sign: no step overflows."""
    def byte(i: int) -> str:
        hi, lo = (f"(instr('0123456789ABCDEF', substr(hx, {offset} * 2 + {2 * i + d}, 1)) - 1)" for d in (1, 2))
        return f"({hi} * 16 + {lo})"
    low = " + ".join(f"{byte(i)} * {256 ** i}" for i in range(7))
    top = byte(7)
    return f"({low} + ({top} - 256 * ({top} >= 128)) * {256 ** 7})"


_BLOCK_VALUES = decoded_block_columns(_int64_at)
_SAMPLE_ROWS = f"""
CREATE VIEW sample_rows AS
  WITH RECURSIVE k(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM k WHERE k + 1 < (SELECT max(n) FROM blocks)),
  packed AS (SELECT b.series, b.n, k.k, hex(b.data) AS hx FROM blocks b JOIN k ON k.k < b.n),
  rows AS (
    SELECT {_SAMPLE_COLUMNS} FROM samples
    UNION ALL
    SELECT series, {", ".join(_BLOCK_VALUES[:-2])}, nullif({_BLOCK_VALUES[-2]}, -1), {_BLOCK_VALUES[-1]} FROM packed)
  SELECT strftime('%Y-%m-%dT%H:%M:%fZ', s.time_ms / 1000.0, 'unixepoch') AS time, r.device, r.interface,
         {", ".join("s." + c for c in COUNTERS)}, s.sys_uptime, s.counter_bits
  FROM rows s JOIN series r ON r.id = s.series"""
_BLOCKS_BY_DAY = "CREATE INDEX blocks_by_day ON blocks (day)"   # max(day) on every poll: a look-up, not a scan
_SCHEMA = f"""
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  device TEXT NOT NULL,
  interface TEXT NOT NULL,
  UNIQUE (device, interface)
);
{_SAMPLES};
CREATE TABLE blocks (                     -- finished UTC days of one series, compacted (see store.compact())
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
CREATE VIEW sample_rows AS SELECT 1;
PRAGMA user_version = 2;
""",
    2: f"""
DROP VIEW sample_rows;
{_SAMPLE_ROWS};
PRAGMA user_version = 3;
""",
}


class SqliteBackend:
    errors = (sqlite3.DatabaseError,)
    # Two lone aggregates: each is one key look-up (min(a), max(a) in one SELECT scans the table).
    MIN_MAX_TIME = "SELECT (SELECT min(time_ms) FROM samples), (SELECT max(time_ms) FROM samples)"

    def __init__(self, path: Path, create: bool):
        self.path = path
        self.name = path
        if not create and not path.is_file():
            raise InputError(f"{path}: telemetry store does not exist (run `ecpartner telemetry poll` first)")
        self.db = None
        try:
            target = f"{path.absolute().as_uri()}?mode=ro" if not create else path
            self.db = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, uri=not create)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")   # WAL + NORMAL: durable at checkpoints, never corrupt
            self._ensure_schema(create)
        except sqlite3.DatabaseError as e:
            self.close()
            # OperationalError: read-only, cannot be opened, locked; any other: not SQLite or damaged
            what = "cannot open" if isinstance(e, sqlite3.OperationalError) else "not a usable telemetry store"
            raise InputError(f"{path}: {what}: {e}") from None
        except InputError:
            self.close()
            raise

    def close(self) -> None:
        if self.db is not None:
            self.db.close()

    @staticmethod
    def describe(error: Exception) -> str:
        return str(error)

    def execute(self, sql: str, params=()):
        return self.db.execute(sql, params)

    @contextmanager
    def transaction(self, exclusive: bool):
        """Every write transaction excludes the others (BEGIN IMMEDIATE): `exclusive` is always so here."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:   # SQLite has already rolled back after some errors (a full disk)
                self.db.execute("ROLLBACK")
            raise

    def insert_ignore(self, table: str, columns, rows) -> int:
        before = self.db.total_changes
        self.db.executemany(f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "
                            f"VALUES ({', '.join('?' * len(columns))})", rows)
        return self.db.total_changes - before

    def put_block(self, row: tuple) -> None:
        self.db.execute("INSERT OR REPLACE INTO blocks (series, day, n, last_ms, data) VALUES (?, ?, ?, ?, ?)", row)

    def int_rows(self, columns, where: str, bound: int) -> np.ndarray:
        """The rows of samples matching `where` as an int64 array of `columns`. Each column is read as one
        comma-separated text and parsed by numpy in C: half the cost of fetching a Python int per value. The
        aggregates run in one pass over the same rows, so the columns stay aligned."""
        count, *texts = self.db.execute(
            f"SELECT count(*), {', '.join(f'group_concat({c})' for c in columns)} FROM samples WHERE {where}",
            (bound,)).fetchone()
        try:
            with warnings.catch_warnings():   # numpy only warns when a text holds something else than integers
                warnings.simplefilter("error", DeprecationWarning)
                data = np.stack([np.fromstring(text or "", dtype=np.int64, sep=",") for text in texts], axis=1)
            if len(data) == count:
                return data
        except (ValueError, DeprecationWarning):
            pass
        raise self._name_bad_value()

    def _name_bad_value(self) -> Corrupt:
        """The first sample holding a value that is not an integer (a damaged or foreign row)."""
        columns = BLOCK_COLUMNS
        checks = " OR ".join(f"typeof(s.{c}) NOT IN ('integer', {'null' if c == 'sys_uptime' else 'integer'!r})"
                             for c in columns)
        bad = self.db.execute(f"SELECT r.device, r.interface, s.time_ms, {', '.join('s.' + c for c in columns)} "
                              f"FROM samples s JOIN series r ON r.id = s.series WHERE {checks} LIMIT 1").fetchone()
        if bad is None:
            return Corrupt("a sample row holds a value that is not an integer")
        device, interface, when, *values = bad
        column, value = next((c, v) for c, v in zip(columns, values)
                             if not isinstance(v, int) and not (v is None and c == "sys_uptime"))
        return Corrupt(f"sample {device} {interface} at time_ms {when!r}: {column} is {value!r}, not an integer")

    # ------------------------------------------------------------------ schema

    def _ensure_schema(self, create: bool) -> None:
        version = self._schema_version()
        if version == SCHEMA_VERSION or (version and not create):   # read-only: an older schema reads the same
            return
        if not create:
            raise InputError(f"{self.path}: not a telemetry store (no schema; `ecpartner telemetry poll` creates one)")
        with self.transaction(exclusive=True):   # a second poller creating or migrating at the same time waits here
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
