"""Property tests: generated counter series with known true rates and the events of contract section 7.

The generator keeps, for every sample, the real time and the true number of bytes/packets sent so far;
whatever the computation reports must equal the truth over that pair of samples, and every interval
where nothing happened must be reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ecpartner.telemetry.rates import OK, interval_rates
from ecpartner.telemetry.series import COUNTERS, Samples

SPEED = 10**9           # interface speed, bit/s
EVENTS = ("none", "none", "none", "reboot", "clear", "clock-back", "duplicate", "garbage")


@dataclass
class Row:
    real_s: float           # when the sample was really taken
    wall_s: float           # what the poller's clock said
    uptime_cs: int
    in_octets: int
    in_packets: int
    true_bytes: int         # bytes really sent since the start
    true_packets: int
    epoch: int              # increments at every reboot or clear: counters restarted
    garbage: bool = False


@st.composite
def series(draw):
    bits = draw(st.sampled_from([32, 64]))
    max_bytes_per_s = 4_000_000 if bits == 32 else SPEED // 8   # 32-bit: at most one wrap per interval
    n = draw(st.integers(3, 30))
    # Reboots and clock steps are not mixed in one series: a clock step of just the right size can
    # make a rebooted device's sysUpTime look consistent, and no sample data can tell that apart.
    excluded = draw(st.sampled_from(["reboot", "clock-back"]))
    events = [e for e in EVENTS if e != excluded]
    modulo = 2**bits
    counter = draw(st.integers(0, modulo - 1)) if bits == 32 else draw(st.integers(10**12, 2**62))
    packets = draw(st.integers(0, modulo - 1)) if bits == 32 else draw(st.integers(10**12, 2**62))
    real, shift, uptime = 1_800_000_000.0, 0.0, draw(st.integers(10**7, 10**9))
    true_bytes = true_packets = epoch = garbled = 0
    rows = [Row(real, real, uptime, counter, packets, 0, 0, 0)]
    for _ in range(n - 1):
        gap = 300.0 * draw(st.integers(1, 3))                   # missing samples: 1-3 periods
        rate = draw(st.integers(0, max_bytes_per_s))
        pps = draw(st.integers(0, rate // 84))          # 84 bytes: smallest frame on the wire
        event = draw(st.sampled_from(events))
        prev = rows[-1]
        if event == "duplicate":
            rows.append(replace(prev))
            continue
        sent, sent_packets = int(rate * gap), int(pps * gap)
        true_bytes += sent
        true_packets += sent_packets
        real += gap
        uptime += int(gap * 100)
        counter = (counter + sent) % modulo
        packets = (packets + sent_packets) % modulo
        garbage = False
        if event == "reboot":               # down at least a minute: sysUpTime shows it
            since = draw(st.floats(1.0, gap - 60.0))
            uptime = int(since * 100)
            counter, packets, epoch = int(rate * since), int(pps * since), epoch + 1
        elif event == "clear" and bits == 64 and epoch == 0:
            # Only from the large starting values: a clear of a counter that is already small (after
            # a reboot or clear) can leave it above its old value, which nothing can tell from traffic.
            since = draw(st.floats(1.0, gap - 1.0))
            counter, packets, epoch = int(rate * since), int(pps * since), epoch + 1
        elif event == "clock-back":
            shift -= draw(st.floats(60.0, 2000.0))
        elif event == "garbage" and bits == 64:   # a corrupted reading, far above the port speed
            garbage, garbled = True, garbled + 1
        observed = counter + 10**15 * garbled if garbage else counter   # each one garbled differently
        rows.append(Row(real, real + shift, uptime, observed, packets, true_bytes, true_packets, epoch, garbage))
    return bits, rows


def _samples(bits: int, rows: list[Row], order: list[int]) -> Samples:
    data = {"sid": 0, "time_ms": [round(rows[i].wall_s * 1000) for i in order]}
    for c in COUNTERS:
        data[c] = 0
    data["in_octets"] = [rows[i].in_octets for i in order]
    data["in_packets"] = [rows[i].in_packets for i in order]
    data["sys_uptime"] = [float(rows[i].uptime_cs) for i in order]
    data["counter_bits"] = bits
    frame = pd.DataFrame(data, index=order).astype({c: "int64" for c in COUNTERS})
    return Samples(frame, [("dev", "if")], "generated")


@settings(max_examples=300, deadline=None)
@given(series(), st.randoms(use_true_random=False))
def test_reported_rates_are_true_and_clean_intervals_are_kept(generated, rnd):
    bits, rows = generated
    order = list(range(len(rows)))
    rnd.shuffle(order)                      # storage order must not matter
    out = interval_rates(_samples(bits, rows, order), speeds={0: SPEED})

    ok = out[out["status"] == OK]
    assert (out.loc[out["status"] != OK, ["in_bps", "in_pps"]].isna()).all().all()
    assert (ok["in_bps"] >= 0).all() and (ok["in_bps"] <= SPEED).all()
    for _, r in ok.iterrows():
        a, b = rows[int(r["start_row"])], rows[int(r["end_row"])]
        assert a.epoch == b.epoch and not a.garbage and not b.garbage
        real_dt = b.real_s - a.real_s
        assert math.isclose(r["in_bps"], (b.true_bytes - a.true_bytes) * 8 / real_dt, rel_tol=1e-9, abs_tol=1e-6)
        assert math.isclose(r["in_pps"], (b.true_packets - a.true_packets) / real_dt, rel_tol=1e-9, abs_tol=1e-6)

    # Completeness: neighbours in time order (after dropping repeated samples) that are also real
    # neighbours with no event between them must give an interval.
    seen, distinct = set(), []
    for i in sorted(range(len(rows)), key=lambda i: rows[i].wall_s):
        key = round(rows[i].wall_s * 1000)
        if key not in seen:
            seen.add(key)
            distinct.append(i)
    # A repeated sample is the same sample whichever copy the computation kept.
    canonical = {i: min(j for j in range(len(rows)) if rows[j] == rows[i]) for i in range(len(rows))}
    reported = {(canonical[int(r["start_row"])], canonical[int(r["end_row"])]) for _, r in ok.iterrows()}
    for i, j in zip(distinct, distinct[1:]):
        a, b = rows[i], rows[j]
        clean = (a.epoch == b.epoch and not a.garbage and not b.garbage and b.real_s > a.real_s
                 and math.isclose(b.wall_s - a.wall_s, b.real_s - a.real_s)
                 and all(r.real_s <= a.real_s or r.real_s >= b.real_s for r in rows))
        if clean:
            assert (canonical[i], canonical[j]) in reported, f"clean interval {i}->{j} was dropped: {out.to_dict('records')}"


def test_wrap_reboot_clear_by_hand():
    """The contract's four cases, one each, with numbers a reader can check."""
    t0 = 1_800_000_000_000
    rows = [  # time_ms, in_octets, sys_uptime, bits
        (t0, 2**32 - 1000, 1_000_000, 32),
        (t0 + 300_000, 2_000, 1_030_000, 32),          # wrapped: 3000 bytes in 300 s = 80 bit/s
        (t0 + 600_000, 5_000, 10_000, 32),             # uptime went down: reboot, dropped
        (t0 + 900_000, 8_000, 40_000, 32),             # 3000 bytes again
    ]
    frame = pd.DataFrame({"sid": 0, "time_ms": [r[0] for r in rows], **{c: 0 for c in COUNTERS},
                          "sys_uptime": [float(r[2]) for r in rows], "counter_bits": [r[3] for r in rows]})
    frame["in_octets"] = [r[1] for r in rows]
    out = interval_rates(Samples(frame, [("d", "i")], "t"))
    assert out["status"].tolist() == [OK, "reboot", OK]
    assert out["in_bps"].iloc[0] == 80.0 and np.isnan(out["in_bps"].iloc[1]) and out["in_bps"].iloc[2] == 80.0

    frame["counter_bits"] = 64
    frame["sys_uptime"] = [1_000_000.0, 1_030_000.0, 1_060_000.0, 1_090_000.0]
    frame["in_octets"] = [10**12, 10**12 + 3000, 500, 3500]   # cleared by an operator between 2 and 3
    out = interval_rates(Samples(frame, [("d", "i")], "t"))
    assert out["status"].tolist() == [OK, "cleared", OK]


def test_uptime_wrap_is_not_a_reboot_and_speed_bounds_rates():
    t0 = 1_800_000_000_000
    frame = pd.DataFrame({"sid": [0, 0, 1, 1], "time_ms": [t0, t0 + 300_000, t0, t0 + 300_000],
                          **{c: 0 for c in COUNTERS},
                          "sys_uptime": [2.0**32 - 10_000, 20_000.0, 100.0, 30_100.0], "counter_bits": 64})
    frame["in_octets"] = [0, 300 * 1000, 0, 300 * 10**9]       # series 1: 8 Tbit/s on a 1G port
    out = interval_rates(Samples(frame, [("d", "a"), ("d", "b")], "t"), speeds={0: 1e9, 1: 1e9})
    assert out["status"].tolist() == [OK, "impossible"]
    assert out["in_bps"].iloc[0] == 8000.0


def test_a_sysuptime_that_did_not_advance_is_called_that_not_a_clock_step():
    """A frozen agent (or a recording served as it is) repeats its sysUpTime while the poller's clock moves."""
    t0 = 1_800_000_000_000
    frame = pd.DataFrame({"sid": 0, "time_ms": [t0, t0 + 300_000, t0 + 600_000, t0 + 900_000],
                          **{c: 0 for c in COUNTERS}, "sys_uptime": [5_000.0, 5_000.0, 35_000.0, 95_000.0],
                          "counter_bits": 64})
    frame["in_octets"] = [0, 3000, 6000, 9000]
    out = interval_rates(Samples(frame, [("d", "i")], "t"))
    # stuck, then 300 s on both clocks, then 600 s of sysUpTime in 300 s of poller time: a clock step
    assert out["status"].tolist() == ["sysuptime-stalled", OK, "clock-step"]
