"""Facts of the bundled demo fleet that tests count with (derived from its files, so adding a device keeps them true)."""

from __future__ import annotations

import csv
from pathlib import Path

from ecpartner.collect.snmprec import read_snmprec
from ecpartner.ifmib import COLUMNS
from ecpartner.parse.snmp_counters import PACKETS, interface_rows

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
# The demo inventory's credential variables, set to the stand-in secrets its served devices accept (live tests).
DEMO_ENV = {"ECP_USERNAME": "netops", "ECP_PASSWORD": "Demo-Pw-91xq", "ECP_SNMP_COMMUNITY": "demoComm-5t"}


def _series() -> set[tuple[str, str]]:
    series = set()
    for path in (DEMO / "telemetry").glob("*.csv"):
        with path.open(encoding="utf-8") as f:
            series |= {(row["device"], row["interface"]) for row in csv.DictReader(f)}
    return series


DEMO_SERIES = len(_series())   # interfaces the demo's telemetry series sample: what one replay poll stores


def snmp_growth(path: Path) -> dict[str, tuple[int, float]]:
    """OID -> (initial, rate per second) of each record of a .snmprec that grows (snmpsim `numeric`): served,
    it reads initial + rate x seconds since its agent started (tests/telemetry/make_demo_snmprec.py)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        oid, tag, value = line.split("|", 2)
        if tag.endswith(":numeric"):
            options = dict(item.split("=", 1) for item in value.split(","))
            out[oid] = (int(options["initial"]), float(options["rate"]))
    return out


def served_rates(device: str, interface: str) -> dict[str, float]:
    """in_bps, out_bps, in_pps, out_pps the served demo counts on a device's interface (configuration name),
    from its recording's growing records."""
    path = DEMO / "snmp" / f"{device}.snmprec"
    [index] = interface_rows(read_snmprec(path), [interface]).values()
    growing = snmp_growth(path)

    def per_s(field: str) -> float:
        oids = [f"{column}.{index}" for column in COLUMNS[field] if column]
        return next((growing[oid][1] for oid in oids if oid in growing), 0.0)

    return {"in_bps": 8 * per_s("in_octets"), "out_bps": 8 * per_s("out_octets"),
            "in_pps": sum(map(per_s, PACKETS["in_packets"])), "out_pps": sum(map(per_s, PACKETS["out_packets"]))}
