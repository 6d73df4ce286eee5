"""The demo fleet's SNMP recordings grow when served (snmpsim `numeric`, tests/telemetry/make_demo_snmprec.py):
the committed files are what the generator writes, the rates tell the recorded day's stories, and read
offline every growing counter is the value the recording held."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ecpartner.collect.snmprec import read_snmprec
from ecpartner.inventory_loader import load_inventory
from ecpartner.telemetry.window import connection_interface, recorded_states
from ecpartner.placement import Placements

from helpers.demo import DEMO, served_rates, snmp_growth

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("make_demo_snmprec", HERE / "make_demo_snmprec.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

def _rates_of(connection: str) -> tuple[float, float, float]:
    """(in bit/s, out bit/s, its bandwidth) the served demo counts on the interface carrying `connection`."""
    inventory = load_inventory(DEMO / "inventory.yaml")
    hc = next(h for h in inventory.hosted_connections if h.key == connection)
    device, interface = connection_interface(Placements(inventory, recorded_states(inventory)).of(hc), guess=False)
    rates = served_rates(device, interface)
    return rates["in_bps"], rates["out_bps"], hc.bandwidth


def test_committed_recordings_are_what_the_generator_writes():
    written = gen.render()
    assert len(written) == len(list((DEMO / "snmp").glob("*.snmprec")))
    for path, text in written.items():
        assert path.read_text(encoding="utf-8") == text, f"{path}: run python tests/telemetry/make_demo_snmprec.py"


def test_the_rates_tell_the_recorded_days_stories():
    in_bps, out_bps, bandwidth = _rates_of("pc-hc02")
    assert out_bps > bandwidth > in_bps > 0.5 * bandwidth      # above its bandwidth outbound, as all day
    in_bps, out_bps, _ = _rates_of("pc-hc03")
    assert in_bps > 0 and out_bps > 0                            # disabled, and still passing traffic
    assert _rates_of("pc-hc15")[:2] == (0, 0)                    # counters that never move
    for connection in ("pc-hc01", "pc-szhc01", "pc-zjkhc02", "pc-qdhc01", "pc-bj-hc01"):
        in_bps, out_bps, bandwidth = _rates_of(connection)
        assert 0.2 * bandwidth < in_bps < bandwidth and 0.2 * bandwidth < out_bps < bandwidth, connection


def test_every_device_grows_and_reads_offline_as_recorded():
    for path in sorted((DEMO / "snmp").glob("*.snmprec")):
        growing = snmp_growth(path)
        assert growing["1.3.6.1.2.1.1.3.0"][1] == 100, path    # sysUpTime: 100 ticks a second
        assert sum(rate > 0 for _, rate in growing.values()) > 1, path
        walk = read_snmprec(path)
        for oid, (initial, _rate) in growing.items():
            tag, value = walk[oid]
            assert ":" not in tag and int(value) == initial, (path.name, oid)
