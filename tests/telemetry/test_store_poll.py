"""The SQLite store and `telemetry poll` replay: WAL, schema version, one transaction per poll,
no double counting on re-runs, two writers at once, and precise messages for bad input."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ecpartner.cli import main
from ecpartner.errors import InputError
from ecpartner.inventory_loader import load_inventory
from ecpartner.telemetry.poll import poll_replay
from ecpartner.telemetry.series import COUNTERS, read_csv_files
from ecpartner.telemetry.store import SCHEMA_VERSION, Store

from helpers.demo import DEMO_SERIES

BASIS = re.compile(r" \[source: [^\]]*\]")     # what a telemetry verdict stands on

T0 = 1_800_000_000_000


def _row(t_ms: int, interface: str = "Gi0/0/1.100", octets: int = 1000):
    return (t_ms, "dev", interface, octets, octets, 10, 10, 0, 0, 0, 0, 12345, 64)


def test_new_store_is_wal_with_a_schema_version(tmp_path):
    with Store(tmp_path / "t.sqlite") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.insert([_row(T0)], "test", T0) == 1
        view = store.db.execute("SELECT * FROM sample_rows").fetchall()
    assert view == [("2027-01-15T08:00:00.000Z", "dev", "Gi0/0/1.100", 1000, 1000, 10, 10, 0, 0, 0, 0, 12345, 64)]


def test_rerun_never_double_counts_and_a_failed_poll_leaves_nothing(tmp_path):
    with Store(tmp_path / "t.sqlite") as store:
        assert store.insert([_row(T0), _row(T0, "Gi0/0/1.101")], "test", T0) == 2
        assert store.insert([_row(T0), _row(T0, "Gi0/0/1.101"), _row(T0 + 300_000)], "test", T0) == 1

        def interrupted():
            yield _row(T0 + 600_000)
            yield _row(T0 + 600_000, "Gi0/0/1.101")
            raise KeyboardInterrupt      # the poll dies half-way through its rows

        with pytest.raises(KeyboardInterrupt):
            store.insert(interrupted(), "test", T0)
        assert store.count() == 3         # nothing of the interrupted poll
        assert store.insert([_row(T0 + 600_000), _row(T0 + 600_000, "Gi0/0/1.101")], "test", T0) == 2
        assert store.count() == 5


WRITER = """
import sys
from ecpartner.telemetry.store import Store
name, n = sys.argv[1], int(sys.argv[2])
with Store(sys.argv[3]) as store:
    for k in range(n):
        rows = [(1_800_000_000_000 + k * 1000, "dev", f"{name}.{i}", k, k, k, k, 0, 0, 0, 0, k, 64) for i in range(50)]
        store.insert(rows, "test", 0)
"""


def test_two_pollers_write_at_once(tmp_path):
    db = tmp_path / "t.sqlite"
    Store(db).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, name, "40", str(db)], stderr=subprocess.PIPE)
             for name in ("a", "b")]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read().decode()
    with Store(db) as store:
        assert store.count() == 2 * 40 * 50
        assert store.db.execute("SELECT count(*) FROM polls").fetchone()[0] == 80


def test_bad_store_files_are_input_errors(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database at all, just text" * 100)
    with pytest.raises(InputError, match="junk.sqlite: not a usable telemetry store"):
        Store(junk)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.commit()
    with pytest.raises(InputError, match="an SQLite file that is not a telemetry store"):
        Store(other)
    newer = tmp_path / "newer.sqlite"
    sqlite3.connect(newer).execute("PRAGMA user_version = 99")
    with pytest.raises(InputError, match="schema 99 is newer"):
        Store(newer)
    with pytest.raises(InputError, match="does not exist"):
        Store(tmp_path / "missing.sqlite", create=False)


def test_replay_polls_one_sample_time_each_until_exhausted(demo_copy, capsys):
    for path in (demo_copy.parent / "telemetry").glob("*.csv"):   # the first 40 sample times keep it quick
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(lines[:1] + [line for line in lines[1:] if line < "2026-11-25T11:20"]))
    inventory = load_inventory(demo_copy)
    db = demo_copy.parent / "telemetry.sqlite"      # the default: beside the inventory
    assert main(["telemetry", "poll", str(demo_copy)]) == 0
    assert main(["telemetry", "poll", str(demo_copy)]) == 0
    assert f"telemetry poll 2026-11-25T00:05:00Z: {DEMO_SERIES} samples stored" in capsys.readouterr().err
    series = read_csv_files(sorted((demo_copy.parent / "telemetry").glob("*.csv")))
    with Store(db) as store:
        assert sorted(store.stored_times()) == sorted(series.frame["time_ms"].unique())[:2]
        remaining = series.frame["time_ms"].nunique() - 2
        assert remaining == 38
        for _ in range(remaining):
            assert poll_replay(inventory, store).inserted == DEMO_SERIES
        assert poll_replay(inventory, store).exhausted
        stored = store.load()
    # The store now holds exactly the fixture series: same rows, same values.
    key = ["time_ms", *COUNTERS, "sys_uptime", "counter_bits"]
    assert len(stored) == len(series)
    got = stored.frame.assign(name=[stored.series[s] for s in stored.frame["sid"]])[key + ["name"]]
    want = series.frame.assign(name=[series.series[s] for s in series.frame["sid"]])[key + ["name"]]
    assert sorted(map(tuple, got.values.tolist())) == sorted(map(tuple, want.values.tolist()))
    # ... and a report from the store equals the one from the fixture files.
    assert main(["telemetry", "report", str(demo_copy), "--format", "csv"]) == 1
    from_store = capsys.readouterr().out
    db.unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    assert main(["telemetry", "report", str(demo_copy), "--format", "csv"]) == 1
    from_series = capsys.readouterr().out
    # the same verdicts, each naming what it stands on (store and series tie: the store is read)
    assert f"[source: store {db}, by default the one with more samples in the window: {DEMO_SERIES * 40} against {DEMO_SERIES * 40}" in from_store
    assert "[source: series " in from_series and "sqlite" not in from_series
    assert _without_basis(from_series) == _without_basis(from_store)


def _without_basis(text: str) -> list[list[str]]:
    return [[BASIS.sub("", cell) for cell in row] for row in csv.reader(io.StringIO(text))]


def test_bad_series_lines_are_named(demo_copy, capsys):
    path = demo_copy.parent / "telemetry" / "hz-acc-01.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace("+08:00", "", 1)
    fields = lines[7].split(",")
    fields[3] = "-5"
    lines[7] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    assert main(["telemetry", "poll", str(demo_copy)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4: time: '2026-11-25T08:" in err and "is not an ISO 8601 time with an offset" in err
    assert f"{path}:8: in_octets: '-5' is not a non-negative integer" in err
    assert "Traceback" not in err
    path.write_text("time,device\n")
    assert main(["telemetry", "poll", str(demo_copy)]) == 2
    assert f"{path}:1: header must be time,device,interface," in capsys.readouterr().err


def test_finished_days_are_compacted_without_losing_or_repeating_a_sample(tmp_path):
    day = 86_400_000
    t0 = (T0 // day) * day                          # midnight UTC
    times = [t0 + k * 3_600_000 for k in range(3 * 24)]   # three days, hourly
    with Store(tmp_path / "t.sqlite") as store:
        for k, t in enumerate(times):   # each poll stored, then compaction as its own step (as the commands do)
            store.insert([_row(t, "a", 1000 + k), _row(t, "b", 5000 + k)], "test", t)
            store.compact_after_poll()
        assert store.db.execute("SELECT count(*) FROM blocks").fetchone()[0] == 2 * 2   # 2 finished days x 2 series
        assert store.db.execute("SELECT count(*) FROM samples").fetchone()[0] == 2 * 24  # the newest day, as rows
        assert store.count() == 2 * len(times) and store.newest_ms() == times[-1]
        # A re-run poll of a compacted day adds nothing; a sample that arrives late is kept once.
        assert store.insert([_row(times[5], "a", 1005)], "test", 0) == 0
        late = t0 + 30 * 60_000
        assert store.insert([_row(late, "a", 1000)], "test", 0) == 1
        assert store.insert([_row(late, "a", 1000)], "test", 0) == 0
        store.insert([_row(times[-1] + day, "a", 9999)], "test", 0)      # next day: compacts again, merging
        store.compact_after_poll()
        assert store.db.execute("SELECT count(*) FROM samples").fetchone()[0] == 1
        loaded = store.load()
        assert store.stored_times() == set(times) | {late, times[-1] + day}
        partial = store.load(times[30])
    frame = loaded.frame
    names = [loaded.series[s] for s in frame["sid"]]
    a = frame[[n == ("dev", "a") for n in names]]
    assert a["time_ms"].tolist() == sorted(times + [late, times[-1] + day])
    assert a["in_octets"].tolist() == [1000, 1000] + [1000 + k for k in range(1, len(times))] + [9999]
    assert (frame["counter_bits"] == 64).all() and (frame["sys_uptime"] == 12345.0).all()
    assert partial.frame["time_ms"].min() == times[30] and len(partial) == 2 * (len(times) - 30) + 1


def test_a_poll_is_stored_then_the_days_before_it_are_compacted(demo_copy):
    """Store.insert() is the ingest alone; `telemetry poll` compacts the closed days as its own step after it."""
    db = demo_copy.parent / "telemetry.sqlite"
    day = 86_400_000
    first = int(read_csv_files(sorted((demo_copy.parent / "telemetry").glob("*.csv"))).frame["time_ms"].min())
    assert first % day == 0                                     # 2026-11-25T00:00Z
    earlier = [first - 2 * day, first - day + 300_000]          # two days before it
    with Store(db) as store:
        for k, t in enumerate(earlier):
            assert store.insert([(t, "dev", "if", *([k] * len(COUNTERS)), k, 64)], "test", 0) == 1
        assert store.db.execute("SELECT count(*) FROM blocks").fetchone()[0] == 0   # inserts never compact
    assert main(["telemetry", "poll", str(demo_copy)]) == 0                      # stores the first sample time
    with Store(db) as store:
        assert store.db.execute("SELECT day, n FROM blocks ORDER BY day").fetchall() == [
            (first // day - 2, 1), (first // day - 1, 1)]
        assert store.db.execute("SELECT min(time_ms), count(*) FROM samples").fetchone() == (first, DEMO_SERIES)
        assert store.stored_times() == {*earlier, first}
