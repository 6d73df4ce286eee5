"""Store faults: a read-only store, a full disk, corrupt rows and blocks, a file that is not SQLite, a
newer schema. `telemetry poll`, `telemetry report` and `check --db` end with one line naming the file
and the cause (exit 2, or the findings' code where the store can still be read), never a traceback, and
the samples already stored are all still there afterwards."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from ecpartner.cli import main
from ecpartner.telemetry.series import COUNTERS, read_csv_files
from ecpartner.telemetry.store import SCHEMA_VERSION, Store

from helpers.demo import DEMO_SERIES


@pytest.fixture
def polled(demo_copy):
    """The demo fleet after two replay polls: (inventory, its default store holding 2 x DEMO_SERIES samples)."""
    for _ in range(2):
        assert main(["telemetry", "poll", str(demo_copy)]) == 0
    db = demo_copy.parent / "telemetry.sqlite"
    assert _count(db) == 2 * DEMO_SERIES
    return demo_copy, db


def _count(db: Path) -> int:
    with Store(db, create=False) as store:
        return store.count()


def _run(capsys, *argv) -> tuple[int, list[str]]:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, [line for line in err.splitlines() if line.startswith("ecpartner:")]


def _all_three(capsys, inventory: Path, db: Path, message: str) -> None:
    """poll, report and check --db each fail with exit 2 and exactly `message`."""
    for argv in (("telemetry", "poll", inventory, "--db", db), ("telemetry", "report", inventory, "--db", db),
                 ("check", inventory, "--db", db)):
        assert _run(capsys, *argv) == (2, [f"ecpartner: {db}: {message}"]), argv


def _connect_with(monkeypatch, setup) -> None:
    """Every connection the store opens from now on gets `setup(connection)` first."""
    real = sqlite3.connect

    def connect(*args, **kwargs):
        db = real(*args, **kwargs)
        setup(db)
        return db

    monkeypatch.setattr(sqlite3, "connect", connect)


def test_read_only_store_cannot_be_polled_but_still_reports(polled, capsys, monkeypatch):
    inventory, db = polled
    code_before, _ = _run(capsys, "check", inventory, "--db", db)
    db.chmod(0o444)
    if os.geteuid() == 0:   # root writes through file modes: open it as SQLite opens a file it may not write
        real = sqlite3.connect

        def read_only(database, *args, **kwargs):
            if not str(database).startswith("file:"):
                database, kwargs["uri"] = Path(database).absolute().as_uri() + "?mode=ro", True
            return real(database, *args, **kwargs)

        monkeypatch.setattr(sqlite3, "connect", read_only)
    assert _run(capsys, "telemetry", "poll", inventory) == (
        2, [f"ecpartner: {db}: cannot write: attempt to write a readonly database"])
    assert _run(capsys, "telemetry", "report", inventory, "--format", "csv")[0] == 1   # findings decide
    assert _run(capsys, "check", inventory, "--db", db)[0] == code_before
    monkeypatch.undo()
    db.chmod(0o644)
    assert _count(db) == 2 * DEMO_SERIES


def test_full_disk_fails_the_poll_and_keeps_every_earlier_sample(polled, capsys, monkeypatch):
    """Simulated with PRAGMA max_page_count: the file may not grow beyond the pages it has now."""
    inventory, db = polled
    _connect_with(monkeypatch, lambda c: c.execute(
        f"PRAGMA max_page_count = {c.execute('PRAGMA page_count').fetchone()[0]}"))
    stored = 2 * DEMO_SERIES
    for _ in range(20):   # the pages' free room fills within a few polls
        code, lines = _run(capsys, "telemetry", "poll", inventory)
        if code != 0:
            break
        stored += DEMO_SERIES
    assert (code, lines) == (2, [f"ecpartner: {db}: cannot write: database or disk is full"])
    monkeypatch.undo()
    assert _count(db) == stored
    assert _run(capsys, "telemetry", "poll", inventory)[0] == 0 and _count(db) == stored + DEMO_SERIES   # room again: on it goes


@pytest.mark.parametrize("value, shown", [("'abc'", "'abc'"), ("12.5", "12.5"), ("'7 8'", "'7 8'"), ("x'00'", "b'\\x00'")])
def test_text_in_a_counter_column_is_named(polled, capsys, value, shown):
    inventory, db = polled
    with sqlite3.connect(db) as c:
        first = c.execute("SELECT min(time_ms) FROM samples").fetchone()[0]
        c.execute(f"UPDATE samples SET in_octets = {value} WHERE series = 1 AND time_ms = ?", (first,))
        device, interface = c.execute("SELECT device, interface FROM series WHERE id = 1").fetchone()
    message = f"cannot read: sample {device} {interface} at time_ms {first}: in_octets is {shown}, not an integer"
    for argv in (("telemetry", "report", inventory, "--db", db), ("check", inventory, "--db", db)):
        assert _run(capsys, *argv) == (2, [f"ecpartner: {db}: {message}"]), argv
    assert _count(db) == 2 * DEMO_SERIES


@pytest.mark.parametrize("damage", ["x'0102030405'", "zeroblob(2 * 88)"], ids=["truncated", "garbage"])
def test_a_damaged_compacted_block_is_named(demo_copy, capsys, damage):
    samples = read_csv_files(sorted((demo_copy.parent / "telemetry").glob("*.csv")))
    db = demo_copy.parent / "t.sqlite"
    frame = samples.frame
    with Store(db) as store:   # the first and the last sample time: a day apart, so the first day is compacted
        for t in (frame["time_ms"].min(), frame["time_ms"].max()):
            rows = frame[frame["time_ms"] == t]
            store.insert([(int(t), *samples.series[int(r.sid)], *(int(getattr(r, c)) for c in COUNTERS),
                           int(r.sys_uptime), int(r.counter_bits)) for r in rows.itertuples()], "test", 0)
        store.compact()
        day = store.db.execute("SELECT day FROM blocks WHERE series = 1").fetchone()[0]
        store.db.execute(f"UPDATE blocks SET data = {damage} WHERE series = 1")
    why = ("5 bytes, not whole rows of 88 bytes" if damage.startswith("x")
           else "times outside its day or counter bits other than 32 and 64")
    _all_three(capsys, demo_copy, db,
               f"cannot read: compacted block of series 1 for day {day} (UTC days since 1970) is damaged: {why}")
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT count(*) FROM samples").fetchone()[0] == DEMO_SERIES
        assert c.execute("SELECT count(*) FROM blocks").fetchone()[0] == DEMO_SERIES


def test_a_file_that_is_not_sqlite(demo_copy, capsys):
    db = demo_copy.parent / "t.sqlite"
    db.write_text("time,device\n" * 500)
    _all_three(capsys, demo_copy, db, "not a usable telemetry store: file is not a database")
    assert db.read_text() == "time,device\n" * 500


def test_a_store_of_a_newer_schema_is_left_alone(polled, capsys):
    inventory, db = polled
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA user_version = 99")
    _all_three(capsys, inventory, db, f"telemetry store schema 99 is newer than this ecpartner understands "
                                      f"({SCHEMA_VERSION}); upgrade ecpartner")
    with sqlite3.connect(db) as c:
        c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    assert _count(db) == 2 * DEMO_SERIES


def test_a_compaction_that_fails_keeps_the_poll_it_follows(tmp_path, caplog):
    day = 86_400_000
    row = (1_800_000_000_000, "dev", "if", *([5] * len(COUNTERS)), 12345, 64)
    db = tmp_path / "t.sqlite"
    with Store(db) as store:
        store.insert([row], "test", 0)
        store.db.execute("UPDATE samples SET out_errors = x'00'")    # a blob in a counter column
        assert store.insert([(row[0] + day, *row[1:])], "test", 0) == 1   # the next day is stored
        assert store.compact_after_poll() == 0                             # and its compaction fails
        assert store.count() == 2 and store.db.execute("SELECT count(*) FROM blocks").fetchone()[0] == 0
    assert f"{db}: cannot write: sample dev if at time_ms {row[0]}: out_errors is b'\\x00', not an integer" in caplog.text
    assert "the new samples are stored" in caplog.text
