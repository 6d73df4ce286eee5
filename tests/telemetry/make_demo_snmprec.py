"""Make the demo fleet's SNMP recordings grow: in fixtures/demo/snmp/*.snmprec the counters of every
interface the demo's recorded day samples (fixtures/demo/telemetry/<device>.csv) use snmpsim's `numeric`
variation, each at the median rate of its day (octets, unicast packets, discards, errors), and sysUpTime
counts 100 ticks a second.

Served by snmpsim (`make demo-live`), a counter reads `initial + rate x seconds since the agent started`,
so `telemetry run --live` shows the day's story as steady rates: pc-hc02 above its bandwidth, pc-hc03
disabled and still passing traffic, pc-hc15 not moving at all (a rate of 0 stays a plain record). Read
offline (`check` on the recordings), a counter is its `initial`: the value the recording held before, so
the demo's findings are the same. Deterministic and idempotent (tests/telemetry/test_demo_growth.py
checks the committed files are what it writes):

    python tests/telemetry/make_demo_snmprec.py     # rewrites fixtures/demo/snmp/*.snmprec in place
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ecpartner.collect.snmprec import read_snmprec
from ecpartner.ifmib import COLUMNS, SYS_UPTIME
from ecpartner.parse.snmp_counters import interface_rows

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
TICKS_PER_S = 100
# IF-MIB counter (ifmib.COLUMNS) -> the series column whose rate it counts; multicast and broadcast stay
# as recorded (a series counts packets, which are mostly unicast).
GROWS = {"in_octets": "in_octets", "out_octets": "out_octets", "in_ucast": "in_packets", "out_ucast": "out_packets",
         "in_discards": "in_discards", "out_discards": "out_discards", "in_errors": "in_errors", "out_errors": "out_errors"}


def day_rates(csv_path: Path) -> dict[str, dict[str, int]]:
    """interface -> series column -> the median per-second increase over its recorded intervals (an
    interval where the counter went down, a reboot, a clear or a 32-bit wrap, is no rate)."""
    frame = pd.read_csv(csv_path)
    when = pd.to_datetime(frame["time"], utc=True)
    frame["t"] = (when - when.min()).dt.total_seconds()
    rates = {}
    for interface, series in frame.sort_values("t").groupby("interface", sort=True):
        seconds = series["t"].diff()
        rates[interface] = {}
        for column in set(GROWS.values()):
            per_s = series[column].diff() / seconds
            rates[interface][column] = int(round(per_s[per_s >= 0].median()))
    return rates


def growth(walk: dict, rates: dict[str, dict[str, int]]) -> dict[str, int]:
    """OID -> its rate per second: sysUpTime, and the counters of each sampled interface the walk has."""
    out = {SYS_UPTIME: TICKS_PER_S}
    for interface, index in interface_rows(walk, list(rates)).items():
        for counter, column in GROWS.items():
            hc, legacy = COLUMNS[counter]
            oid = next((f"{c}.{index}" for c in (hc, legacy) if c and f"{c}.{index}" in walk), None)
            if oid is not None:
                out[oid] = rates[interface][column]
    return out


def grown(path: Path, rates: dict[str, dict[str, int]]) -> str:
    """The recording's text with its growing records as `OID|TAG:numeric|rate=R,initial=V`, every other
    line as it was."""
    walk = read_snmprec(path)             # a numeric record reads as its initial: what was recorded
    rate_of = growth(walk, rates)
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        oid = line.split("|", 1)[0]
        if oid in rate_of:
            tag, value = walk[oid]
            line = f"{oid}|{tag}:numeric|rate={rate_of[oid]},initial={value}" if rate_of[oid] else f"{oid}|{tag}|{value}"
        lines.append(line + "\n")
    return "".join(lines)


def render() -> dict[Path, str]:
    return {DEMO / "snmp" / f"{csv.stem}.snmprec": grown(DEMO / "snmp" / f"{csv.stem}.snmprec", day_rates(csv))
            for csv in sorted((DEMO / "telemetry").glob("*.csv")) if (DEMO / "snmp" / f"{csv.stem}.snmprec").is_file()}


def main() -> None:
    for path, text in render().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
