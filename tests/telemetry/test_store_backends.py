"""The store's contract on both backends (SQLite and a real PostgreSQL server): a re-run poll never counts
a sample twice, an interrupted or killed poll leaves nothing, two pollers racing lose nothing, compacted
days read back whole and show in the `sample_rows` view, uint64 counters survive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ecpartner.errors import InputError
from ecpartner.telemetry.store import Store

T0 = 1_800_000_000_000
DAY = 86_400_000
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _row(t_ms: int, interface: str = "Gi0/0/1.100", octets: int = 1000, uptime: int | None = 12345):
    return (t_ms, "dev", interface, octets, octets, 10, 10, 0, 0, 0, 0, uptime, 64)


def _view(store: Store) -> list[tuple]:
    return sorted(tuple(r) for r in store.db.execute("SELECT * FROM sample_rows").fetchall())


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": SRC}


def test_rerun_never_double_counts_and_an_interrupted_poll_leaves_nothing(store_at):
    with Store(store_at) as store:
        assert store.insert([_row(T0), _row(T0, "Gi0/0/1.101")], "test", T0) == 2
        assert store.insert([_row(T0), _row(T0, "Gi0/0/1.101"), _row(T0 + 300_000)], "test", T0) == 1

        def interrupted():
            yield _row(T0 + 600_000)
            yield _row(T0 + 600_000, "Gi0/0/1.101")
            raise KeyboardInterrupt      # the poll dies half-way through its rows

        with pytest.raises(KeyboardInterrupt):
            store.insert(interrupted(), "test", T0)
        assert store.count() == 3
        assert store.insert([_row(T0 + 600_000), _row(T0 + 600_000, "Gi0/0/1.101")], "test", T0) == 2
        assert store.count() == 5
        assert _view(store)[0] == ("2027-01-15T08:00:00.000Z", "dev", "Gi0/0/1.100", 1000, 1000, 10, 10, 0, 0, 0, 0,
                                   12345, 64)


def test_compacted_days_read_back_whole_and_show_in_the_view(store_at):
    t0 = (T0 // DAY) * DAY
    times = [t0 + k * 3_600_000 for k in range(3 * 24)]   # three days, hourly
    with Store(store_at) as store:
        for k, t in enumerate(times):   # as the commands do: each poll stored, then compaction on its own
            store.insert([_row(t, "a", 1000 + k), _row(t, "b", 2**64 - 1 - k, uptime=None)], "test", t)
            store.compact_after_poll()
        assert store.db.execute("SELECT count(*) FROM blocks").fetchone()[0] == 2 * 2
        assert store.db.execute("SELECT count(*) FROM samples").fetchone()[0] == 2 * 24
        assert store.insert([_row(times[5], "a", 1005)], "test", 0) == 0         # a re-run of a compacted day
        late = t0 + 30 * 60_000
        assert store.insert([_row(late, "a", 1000)], "test", 0) == 1             # late: kept once
        assert store.insert([_row(late, "a", 1000)], "test", 0) == 0
        store.insert([_row(times[-1] + DAY, "a", 9999)], "test", 0)
        assert store.compact_after_poll() == 2 * 24 + 1                           # compacts again, merging
        assert store.count() == 2 * len(times) + 2
        loaded = store.load()
        view = _view(store)
    assert len(view) == 2 * len(times) + 2           # every sample, the compacted days' too
    a = [r for r in view if r[2] == "a"]
    b = [r for r in view if r[2] == "b"]
    assert [r[3] for r in a] == [1000, 1000] + [1000 + k for k in range(1, len(times))] + [9999]
    # the view shows a counter of 2^63 or more as its two's complement, an unknown sysUpTime as NULL
    assert [r[3] for r in b] == [-1 - k for k in range(len(times))] and {r[11] for r in b} == {None}
    assert a[0][0] == "2027-01-15T00:00:00.000Z" and a[1][0] == "2027-01-15T00:30:00.000Z"
    frame = loaded.frame
    names = [loaded.series[s] for s in frame["sid"]]
    got_b = frame[[n == ("dev", "b") for n in names]]
    assert got_b["in_octets"].tolist() == [2**64 - 1 - k for k in range(len(times))]
    assert got_b["sys_uptime"].isna().all()


WRITER = """
import sys
from ecpartner.telemetry.store import Store
name, n, where = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with Store(where) as store:
    for k in range(n):   # every 3 hours: the run crosses days, so both pollers compact while the other writes
        t = 1_800_000_000_000 + k * 10_800_000
        rows = [(t, "dev", f"{name}.{i}", k, k, k, k, 0, 0, 0, 0, k, 64) for i in range(30)]
        rows += [(t, "dev", f"shared.{i}", k, k, k, k, 0, 0, 0, 0, k, 64) for i in range(20)]   # both write these
        store.insert(rows, "test", 0)
        store.compact_after_poll()
"""


def test_two_pollers_racing_lose_nothing_and_count_nothing_twice(store_at):
    Store(store_at).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, name, "24", str(store_at)], stderr=subprocess.PIPE,
                              env=_env()) for name in ("a", "b")]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read().decode()
    with Store(store_at) as store:
        assert store.count() == 24 * (30 + 30 + 20)
        polls = store.db.execute("SELECT count(*), sum(inserted) FROM polls").fetchone()
        assert (polls[0], int(polls[1])) == (48, 24 * 80)        # each shared sample counted by one poller
        assert store.db.execute("SELECT count(*) FROM blocks").fetchone()[0] > 0
        frame = store.load().frame
    assert len(frame) == 24 * 80 and not frame.duplicated(["sid", "time_ms"]).any()


KILLED = """
import sys, time
from ecpartner.telemetry import store as module
from ecpartner.telemetry.store import Store
where = sys.argv[1]
with Store(where) as store:
    real = store.backend.insert_ignore
    def insert_then_hang(table, columns, rows):
        done = real(table, columns, rows)
        if table == "samples" and rows[0][0] == 1_800_000_300_000:   # (time_ms, series, ...)
            print("written", flush=True)   # the rows are in, the transaction is not committed
            time.sleep(600)
        return done
    store.backend.insert_ignore = insert_then_hang
    for k in range(2):
        store.insert([(1_800_000_000_000 + k * 300_000, "dev", f"if{i}", k, k, k, k, 0, 0, 0, 0, k, 64)
                      for i in range(100)], "test", 0)
"""


def test_a_poller_killed_mid_write_leaves_nothing_of_its_poll(store_at):
    Store(store_at).close()
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(store_at)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    try:
        assert proc.stdout.readline().strip() == "written", proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    with Store(store_at) as store:   # opens (a writer: the killed one's lock is gone) and holds the first poll only
        assert store.count() == 100
        assert store.stored_times() == {T0}
        assert store.insert([(T0 + k * 300_000, "dev", f"if{i}", k, k, k, k, 0, 0, 0, 0, k, 64)
                             for k in range(2) for i in range(100)], "test", 0) == 100   # the re-run adds the rest
        assert store.count() == 200


def test_a_store_that_does_not_exist_is_named(store_at):
    if isinstance(store_at, Path):
        with pytest.raises(InputError, match="does not exist"):
            Store(store_at, create=False)
    else:
        with pytest.raises(InputError, match="not a telemetry store"):
            Store(store_at, create=False)
        with Store(store_at) as store:
            assert store.count() == 0
        with Store(store_at, create=False) as store:   # a report reads; it never writes
            with pytest.raises(InputError, match="cannot write.*read-only"):
                store.insert([_row(T0)], "test", 0)
