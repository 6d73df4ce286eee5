"""Rates from consecutive counter samples (contract section 7), vectorised over every series at once.

For each series, samples are taken in time order and each pair of neighbours is one interval:

* two samples with the same time are one sample (the first is kept): a re-run poll, not an interval;
* time not advancing (clock stepped backwards) or disagreeing with the device's sysUpTime by more than
  CLOCK_SLACK (a clock step, or a reboot sysUpTime alone cannot show) drops the interval; when sysUpTime
  did not move at all while the poller's clock did, that is what is said (STALLED: a frozen agent or a
  replayed recording, not a clock step);
* sysUpTime going down is a reboot: counters restarted, the interval is dropped (a sysUpTime that
  wrapped at 2^32 hundredths, about 497 days, is recognised as a wrap, not a reboot);
* a 64-bit counter going down was cleared by an operator: dropped;
* a 32-bit counter going down with sysUpTime rising wrapped once: 2^32 is added;
* counters are unsigned 64-bit (a Counter64 reaches 2^64 - 1): deltas are exact, in modular arithmetic;
* a rate above the interface speed (bps, or pps above the speed's 64-byte-frame packet rate) is impossible:
  dropped. Nothing negative survives.

Dropped intervals stay in the result with a `status` saying why and no rates, so reports can show them.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ecpartner.telemetry.series import COUNTERS, Samples
from ecpartner.telemetry.statuses import (  # noqa: F401  (the statuses are read through this module)
    BITS_CHANGED, CLEARED, CLOCK, IMPOSSIBLE, OK, REBOOT, SHOWN, STALLED, STATUSES)

WRAP32 = 2**32
UPTIME_WRAP_S = 2**32 / 100
CLOCK_SLACK_S = 5.0           # poll jitter tolerated between the poller's clock and sysUpTime ...
CLOCK_SLACK_RATIO = 0.05      # ... or this share of the interval, whichever is larger
MIN_FRAME_BITS = 84 * 8       # smallest Ethernet frame on the wire: 64 bytes + preamble and gap

RATE_COLUMNS = ("in_bps", "out_bps", "in_pps", "out_pps")
DELTA_COLUMNS = tuple(f"d_{c}" for c in COUNTERS)


def interval_rates(samples: Samples, speeds: Mapping[int, float] | None = None) -> pd.DataFrame:
    """One row per interval: sid, start_ms, end_ms, dt_s, status (categorical), rates (NaN unless ok), deltas.

    `speeds` maps a sid to its interface speed in bit/s; series without one get no impossibility check.
    Input rows may be in any order; `start_row`/`end_row` are the input's row labels of the two samples.
    """
    f = samples.frame
    sid, t = f["sid"].to_numpy(), f["time_ms"].to_numpy()
    if not ((sid[1:] > sid[:-1]) | ((sid[1:] == sid[:-1]) & (t[1:] >= t[:-1]))).all():   # the store's are
        f = f.iloc[np.lexsort((t, sid))]
        sid, t = f["sid"].to_numpy(), f["time_ms"].to_numpy()
    # A repeated (sid, time) is the same sample stored twice: keep the first.
    keep = np.ones(len(f), dtype=bool)
    keep[1:] = (sid[1:] != sid[:-1]) | (t[1:] != t[:-1])
    if not keep.all():                              # (a copy of every column, only when there is a repeat)
        f = f[keep]
        sid, t = sid[keep], t[keep]
    rows = f.index.to_numpy()

    pair = np.flatnonzero(sid[1:] == sid[:-1])      # interval i runs from sample pair[i] to pair[i] + 1
    a, b = pair, pair + 1
    dt = (t[b] - t[a]) / 1000.0
    uptime = f["sys_uptime"].to_numpy(dtype="float64")
    du = (uptime[b] - uptime[a]) / 100.0             # NaN when either sample lacks sysUpTime
    uptime_wrapped = (du < 0) & (np.abs(du + UPTIME_WRAP_S - dt) <= np.maximum(CLOCK_SLACK_S, CLOCK_SLACK_RATIO * dt))
    du = np.where(uptime_wrapped, du + UPTIME_WRAP_S, du)
    bits = f["counter_bits"].to_numpy()
    bits_b = bits[b]

    # Counters are uint64 (Counter64 reaches 2^64 - 1) and deltas are taken modulo 2^64, so no value
    # overflows: a counter that went up gives its exact increase, a 32-bit one that wrapped gets 2^32 added
    # (the sum wraps back into range), and one that went down is flagged before its delta is used.
    deltas = {}
    went_down = np.zeros(len(pair), dtype=bool)
    beyond_32 = np.zeros(len(pair), dtype=bool)
    with np.errstate(over="ignore"):
        for c in COUNTERS:
            v = f[c].to_numpy().astype(np.uint64, copy=False)
            down = (v[1:] < v[:-1])[pair]            # neighbours subtracted in place, then the pairs picked
            d = (v[1:] - v[:-1])[pair]
            d[down & (bits_b == 32)] += np.uint64(WRAP32)
            went_down |= down
            beyond_32 |= (bits_b == 32) & (d >= WRAP32)
            deltas[c] = d

    status = np.zeros(len(pair), dtype=np.int8)          # index into STATUSES; 0 = OK
    # Precedence matters: the first reason that applies is the one reported.
    clock_off = (du >= 0) & (np.abs(dt - du) > np.maximum(CLOCK_SLACK_S, CLOCK_SLACK_RATIO * du))
    code = {name: n for n, name in enumerate(STATUSES)}
    checks = [
        (dt <= 0, code[CLOCK]),
        (du < 0, code[REBOOT]),
        (clock_off & (du == 0), code[STALLED]),
        (clock_off, code[CLOCK]),
        (bits[a] != bits_b, code[BITS_CHANGED]),
        ((bits_b == 64) & went_down, code[CLEARED]),
    ]
    pending = np.ones(len(pair), dtype=bool)
    for mask, reason in checks:
        hit = pending & mask
        status[hit] = reason
        pending &= ~hit

    rates = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, counter, factor in (("in_bps", "in_octets", 8), ("out_bps", "out_octets", 8),
                                      ("in_pps", "in_packets", 1), ("out_pps", "out_packets", 1)):
            rate = deltas[counter].astype("float64")   # in place from here: 2 M-row temporaries cost page faults
            if factor != 1:
                rate *= factor
            rate /= dt
            rates[name] = rate
    if speeds:
        speed = pd.Series(sid[a]).map(speeds).to_numpy(dtype="float64")   # NaN: speed unknown
        too_fast = ((rates["in_bps"] > speed) | (rates["out_bps"] > speed)
                    | (rates["in_pps"] > speed / MIN_FRAME_BITS) | (rates["out_pps"] > speed / MIN_FRAME_BITS))
        hit = pending & too_fast
        status[hit] = code[IMPOSSIBLE]
        pending &= ~hit
    # A 32-bit delta of 2^32 or more (a value above 2^32 in bad input) is never traffic.
    status[pending & beyond_32] = code[IMPOSSIBLE]
    unusable = status != 0

    columns = {"sid": sid[a], "start_ms": t[a], "end_ms": t[b], "dt_s": dt,
               "status": pd.Categorical.from_codes(status, categories=list(STATUSES)),
               "start_row": rows[a], "end_row": rows[b]}
    for name, values in rates.items():
        np.putmask(values, unusable, np.nan)
        columns[name] = values
    for c in COUNTERS:
        np.putmask(deltas[c], unusable, 0)
        columns[f"d_{c}"] = deltas[c]
    return pd.DataFrame(columns, copy=False)   # the arrays are new: a copy into 2-D blocks would only cost
