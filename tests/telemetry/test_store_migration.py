"""Schema 1 -> 2 (samples keyed (time, series), blocks indexed by day): an older store is migrated in place
when a writer opens it, in one transaction, with nothing lost; read-only it is read as it is; and no query
of the ingest path scans the samples or the blocks (the min/max of time was a full scan on every poll)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pandas as pd
import pytest

from ecpartner.errors import InputError
from ecpartner.telemetry.series import COUNTERS
from ecpartner.telemetry.store import SCHEMA_VERSION, Store

DAY = 86_400_000
T0 = 1_800_057_600_000            # a UTC midnight
BIG = 2**64 - 5                   # stored as its two's complement: negative in SQLite

# The schema 1 DDL exactly as ecpartner wrote it before schema 2 (store.py at 2f8334c).
SCHEMA_1 = """
CREATE TABLE series (id INTEGER PRIMARY KEY, device TEXT NOT NULL, interface TEXT NOT NULL, UNIQUE (device, interface));
CREATE TABLE samples (
  series INTEGER NOT NULL REFERENCES series(id),
  time_ms INTEGER NOT NULL,
  in_octets INTEGER NOT NULL, out_octets INTEGER NOT NULL, in_packets INTEGER NOT NULL, out_packets INTEGER NOT NULL,
  in_discards INTEGER NOT NULL, out_discards INTEGER NOT NULL, in_errors INTEGER NOT NULL, out_errors INTEGER NOT NULL,
  sys_uptime INTEGER,
  counter_bits INTEGER NOT NULL CHECK (counter_bits IN (32, 64)),
  PRIMARY KEY (series, time_ms)
) WITHOUT ROWID;
CREATE INDEX samples_by_time ON samples (time_ms);
CREATE TABLE blocks (series INTEGER NOT NULL REFERENCES series(id), day INTEGER NOT NULL, n INTEGER NOT NULL,
  last_ms INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series, day)) WITHOUT ROWID;
CREATE TABLE polls (id INTEGER PRIMARY KEY, started_ms INTEGER NOT NULL, source TEXT NOT NULL,
  inserted INTEGER NOT NULL, problems TEXT NOT NULL DEFAULT '');
CREATE VIEW sample_rows AS
  SELECT strftime('%Y-%m-%dT%H:%M:%fZ', s.time_ms / 1000.0, 'unixepoch') AS time, r.device, r.interface,
         s.in_octets, s.out_octets, s.in_packets, s.out_packets, s.in_discards, s.out_discards, s.in_errors,
         s.out_errors, s.sys_uptime, s.counter_bits
  FROM samples s JOIN series r ON r.id = s.series;
PRAGMA user_version = 1;
"""
TABLES = ("series", "samples", "blocks", "polls")


def _polls():
    """Two days and a bit of 3 series: day 1 compacted into blocks, day 2 in samples; big counters, a NULL uptime."""
    for k in range(2 * 288 + 3):
        t = T0 + k * 300_000
        yield [(t, "dev", f"if{i}", BIG - 10**6 + k * 1000, k, k, k, 0, 0, 0, i, None if k == 7 else 100 + k, 64)
               for i in range(3)]


def _contents(db) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as c:
        return {t: sorted(c.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


@pytest.fixture
def v1_store(tmp_path):
    """A schema 1 store holding what ecpartner writes (samples, blocks, polls, counters >= 2^63); returns
    (path, its table contents, its Store.load() frame)."""
    written = tmp_path / "written.sqlite"
    with Store(written) as store:
        for rows in _polls():
            store.insert(rows, "replay", rows[0][0])
            store.compact_after_poll()
        frame = store.load().frame
    contents = _contents(written)
    assert contents["blocks"] and contents["samples"] and min(r[2] for r in contents["samples"]) < 0   # two's complement
    old = tmp_path / "telemetry.sqlite"
    with sqlite3.connect(old) as c:
        c.execute("PRAGMA journal_mode = WAL")      # as every store is
        c.executescript(SCHEMA_1)
        c.execute("ATTACH ? AS w", (str(written),))
        for table in TABLES:
            c.execute(f"INSERT INTO main.{table} SELECT * FROM w.{table}")
    c.close()
    assert _contents(old) == contents
    return old, contents, frame


def _version(db) -> int:
    with sqlite3.connect(db) as c:
        return c.execute("PRAGMA user_version").fetchone()[0]


def test_an_older_store_is_migrated_in_place_with_nothing_lost(v1_store):
    db, contents, frame = v1_store
    with Store(db, create=False) as store:   # read-only (a report): read as it is, not migrated
        pd.testing.assert_frame_equal(store.load().frame, frame)
    assert _version(db) == 1 and _contents(db) == contents
    with Store(db) as store:                 # a writer (a poll): migrated
        pd.testing.assert_frame_equal(store.load().frame, frame)
        assert store.load().frame["in_octets"].min() >= 2**63     # the two's complement read back as uint64
        key = [row[2] for row in store.db.execute("PRAGMA index_xinfo('sqlite_autoindex_samples_1')") if row[5]]
        assert key == ["time_ms", "series"]
        objects = {name for (name,) in store.db.execute("SELECT name FROM sqlite_master")}
    assert _version(db) == SCHEMA_VERSION == 3
    assert "samples_by_time" not in objects and "samples_v1" not in objects and {"blocks_by_day", "sample_rows"} <= objects
    assert _contents(db) == contents      # every sample, block and poll row, value for value
    with Store(db) as store:             # and it keeps working: a new poll, its compaction
        assert store.insert([(T0 + 3 * DAY, "dev", "if0", BIG, 1, 1, 1, 0, 0, 0, 0, 5, 64)], "replay", 0) == 1
        assert store.compact() > 0
        assert store.count() == len(frame) + 1
        # the view of schema 3 shows every sample, the compacted days' too (schema 2's showed samples only)
        assert store.db.execute("SELECT count(*) FROM sample_rows").fetchone()[0] == store.count()
        assert store.db.execute("SELECT count(*) FROM blocks").fetchone()[0] > 0


def test_a_migration_that_fails_changes_nothing(v1_store):
    db, contents, _ = v1_store
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE samples_v1 (x)")      # in the way of the migration's rename
    with pytest.raises(InputError, match="samples_v1"):
        Store(db)
    assert _version(db) == 1 and _contents(db) == contents


OPEN = """
import sys
from ecpartner.telemetry.store import Store
with Store(sys.argv[1]) as store:
    print(store.count())
"""


def test_two_processes_opening_an_older_store_at_once_migrate_it_once(v1_store):
    db, contents, frame = v1_store
    procs = [subprocess.Popen([sys.executable, "-c", OPEN, str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        assert int(out) == len(frame)
    assert _version(db) == SCHEMA_VERSION and _contents(db) == contents


def test_no_query_of_the_ingest_path_scans_samples_or_blocks(tmp_path):
    statements = []
    with Store(tmp_path / "t.sqlite") as store:
        store.db.set_trace_callback(statements.append)
        for rows in _polls():   # each poll, then the compaction the commands run after it
            store.insert(rows, "replay", 0)
            store.compact_after_poll()
        store.insert([(T0 + 5, "dev", "if0", *([1] * len(COUNTERS)), 1, 64)], "replay", 0)   # a late row: a compacted day
        store.db.set_trace_callback(None)
        assert store.db.execute("SELECT count(*) FROM blocks").fetchone()[0] == 3 * 2
        queries = {s for s in statements if s.lstrip().upper().startswith("SELECT")}
        plans = {q: " / ".join(row[3] for row in store.db.execute("EXPLAIN QUERY PLAN " + q)) for q in queries}
    assert any("min(time_ms)" in q for q in plans) and any("blocks" in q for q in plans)
    scans = {q: plan for q, plan in plans.items() if "SCAN samples" in plan or "SCAN blocks" in plan}
    assert not scans, scans
