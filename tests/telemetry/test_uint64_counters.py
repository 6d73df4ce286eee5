"""Counter64 values up to 2^64 - 1: stored (SQLite integers are signed 64-bit), read back exactly, and
rated correctly across the 2^63 and 2^64 boundaries, from the CSV series, the store and a live poll."""

from __future__ import annotations

import csv
import json
import math
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecpartner.cli import main
from ecpartner.errors import InputError
from ecpartner.telemetry.rates import CLEARED, OK, interval_rates
from ecpartner.telemetry.series import COUNTERS, Samples, read_csv_files
from ecpartner.telemetry.store import Store

U64 = 2**64
T0 = 1_800_000_000_000
STEP_MS = 300_000
SPEED = 10**10


@st.composite
def counter_runs(draw):
    """(start, increments) of a 64-bit counter that starts just below 2^63 or 2^64 and may cross it."""
    boundary = draw(st.sampled_from([2**63, U64]))
    # every counter column holds the same run: at most the packet rate a port of SPEED can carry
    increments = draw(st.lists(st.integers(0, SPEED // 700 * 300), min_size=2, max_size=12))
    start = boundary - draw(st.integers(1, sum(increments) + 1))
    return start, increments


def _frame(values: list[int], bits: int = 64) -> Samples:
    n = len(values)
    frame = pd.DataFrame({"sid": np.zeros(n, dtype=np.int64), "time_ms": T0 + STEP_MS * np.arange(n)})
    for c in COUNTERS:
        frame[c] = np.array(values, dtype=np.uint64)
    frame["sys_uptime"] = 1e6 + 30_000.0 * np.arange(n)
    frame["counter_bits"] = bits
    return Samples(frame, [("dev", "if")], "generated")


@settings(max_examples=200, deadline=None)
@given(counter_runs())
def test_rates_across_2_63_and_2_64_are_the_true_rates(run):
    start, increments = run
    true = [sum(increments[:k]) for k in range(len(increments) + 1)]   # Python ints: exact
    observed = [(start + v) % U64 for v in true]      # what the agent shows: the counter wraps at 2^64
    out = interval_rates(_frame(observed), speeds={0: SPEED})
    for k, r in out.reset_index(drop=True).iterrows():
        wrapped = start + true[k + 1] >= U64 > start + true[k]
        if wrapped:   # contract: a 64-bit counter that went down was cleared, whatever the reason
            assert r["status"] == CLEARED
            continue
        assert r["status"] == OK, (k, observed)
        assert math.isclose(r["in_bps"], increments[k] * 8 / 300, rel_tol=1e-12, abs_tol=1e-9)
        assert int(r["d_in_octets"]) == increments[k] and int(r["d_out_errors"]) == increments[k]


def test_32_bit_wrap_and_64_bit_clear_near_the_top():
    out = interval_rates(_frame([2**32 - 100, 200], bits=32))                 # wrapped: 300 octets
    assert out["status"].tolist() == [OK] and int(out["d_in_octets"].iloc[0]) == 300
    out = interval_rates(_frame([U64 - 1, U64 - 1, 5]))                       # 64-bit went down: cleared
    assert out["status"].tolist() == [OK, CLEARED] and (out["d_in_octets"] == 0).all()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(U64 - 2**40, U64 - 1) | st.integers(2**63 - 2**20, 2**63 + 2**20), min_size=1, max_size=6),
       st.booleans())
def test_values_near_2_64_survive_the_store_rows_and_blocks(values, compact):
    day = 86_400_000
    times = [T0 + k * STEP_MS for k in range(len(values))]
    rows = [(t, "dev", "if", *([v] * len(COUNTERS)), 12345, 64) for t, v in zip(times, values)]
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "t.sqlite") as store:
        assert store.insert(rows, "test", T0) == len(values)
        if compact:   # a sample on the next day moves these into a compacted block
            store.insert([(times[-1] + day, "dev", "if", *([U64 - 1] * len(COUNTERS)), 12345, 64)], "test", T0)
            assert store.compact() == len(values)
            assert store.db.execute("SELECT count(*) FROM blocks").fetchone()[0] == 1
        frame = store.load().frame
    assert all(frame[c].dtype == np.uint64 for c in COUNTERS)
    assert [int(v) for v in frame["in_octets"]] == values + ([U64 - 1] if compact else [])
    assert [int(v) for v in frame["out_errors"]] == values + ([U64 - 1] if compact else [])


def test_the_store_refuses_what_no_counter_holds(tmp_path):
    with Store(tmp_path / "t.sqlite") as store:
        with pytest.raises(InputError, match=r"dev if: in_octets 18446744073709551616 is not a counter value"):
            store.insert([(T0, "dev", "if", *([U64] * len(COUNTERS)), 1, 64)], "test", T0)
        assert store.count() == 0


def test_csv_series_take_counters_up_to_2_64_minus_1(tmp_path):
    header = "time,device,interface," + ",".join(COUNTERS) + ",sys_uptime,counter_bits\n"
    path = tmp_path / "telemetry" / "d.csv"
    path.parent.mkdir()
    path.write_text(header + f"2026-11-25T08:00:00+08:00,d,i,{U64 - 1},{2**63},1,1,0,0,0,0,1,64\n")
    frame = read_csv_files([path]).frame
    assert int(frame["in_octets"].iloc[0]) == U64 - 1 and int(frame["out_octets"].iloc[0]) == 2**63
    path.write_text(header + f"2026-11-25T08:00:00+08:00,d,i,{U64},1,1,1,0,0,0,0,{2**63},64\n")
    with pytest.raises(InputError) as caught:
        read_csv_files([path])
    assert caught.value.messages == [f"{path}:2: in_octets: '{U64}' is not a non-negative integer",
                                     f"{path}:2: sys_uptime: '{2**63}' is not a non-negative integer"]


# ---------------------------------------------------------------------------- end to end, demo fleet

SHIFTED = ("hz-acc-01", "XGigabitEthernet0/0/1.1000")   # pc-hc04, 64-bit counters, no event in its series


def _shift(csv_path: Path, offset_for) -> None:
    """Add one offset per counter column to the SHIFTED series: its deltas (and so its rates) do not change."""
    with csv_path.open() as f:
        rows = list(csv.DictReader(f))
    mine = [r for r in rows if (r["device"], r["interface"]) == SHIFTED]
    for c in COUNTERS:
        offset = offset_for([int(r[c]) for r in mine])
        for r in mine:
            r[c] = str(int(r[c]) + offset)
    with csv_path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _row_of(text: str, key: str) -> tuple[dict, list]:
    doc = json.loads(text)
    findings = [f | {"message": re.sub(r" \[source: [^\]]*\]", "", f["message"])}   # the source differs
                for f in doc["findings"] if f["subject"]["hosted_connection"] == key]
    return next(r for r in doc["connections"] if r["hosted_connection"] == key), findings


def _store_all(inventory: Path, db: Path) -> None:
    """Every sample of the fleet's series into a store, one poll per sample time (compacting finished days)."""
    samples = read_csv_files(sorted((inventory.parent / "telemetry").glob("*.csv")))
    with Store(db) as store:
        for t, rows in samples.frame.groupby("time_ms"):
            store.insert([(int(t), *samples.series[int(r.sid)], *(int(getattr(r, c)) for c in COUNTERS),
                           int(r.sys_uptime), int(r.counter_bits)) for r in rows.itertuples()], "test", 0)
            store.compact_after_poll()
        assert store.db.execute("SELECT count(*) FROM blocks").fetchone()[0] > 0


@pytest.mark.parametrize("offset_for", [
    lambda values: 2**63 - values[len(values) // 2],      # crosses 2^63 half-way through the day
    lambda values: U64 - 1 - values[-1],                  # ends at 2^64 - 1 exactly
], ids=["crosses-2^63", "ends-at-2^64-1"])
def test_report_of_counters_above_2_63_equals_the_unshifted_one(demo_copy, capsys, offset_for):
    inventory = str(demo_copy)
    assert main(["telemetry", "report", inventory, "--format", "json"]) == 1
    want = _row_of(capsys.readouterr().out, "pc-hc04")
    _shift(demo_copy.parent / "telemetry" / "hz-acc-01.csv", offset_for)
    assert main(["telemetry", "report", inventory, "--format", "json"]) == 1      # from the CSV series
    assert _row_of(capsys.readouterr().out, "pc-hc04") == want
    db = demo_copy.parent / "shifted.sqlite"
    _store_all(demo_copy, db)
    assert main(["telemetry", "report", inventory, "--db", str(db), "--format", "json"]) == 1   # from the store
    got = _row_of(capsys.readouterr().out, "pc-hc04")
    assert got == want and got[0]["intervals"] == 288     # 24 h of 5-minute intervals, none lost
    assert "Traceback" not in capsys.readouterr().err
