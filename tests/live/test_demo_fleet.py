"""The demo fleet served live (FakeNOS + snmpsim) and recorded again: the recording equals the original, its
growing counters (snmpsim `numeric`) at the value they had when they were read."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from helpers.demo import DEMO_ENV, snmp_growth
from helpers.demo_live import served_demo
from ecpartner.cli import main
from ecpartner.collect.snmprec import read_snmprec
from ecpartner.ifmib import WALK_OIDS

pytestmark = [pytest.mark.live, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def walked(walk: dict) -> dict:
    """The part of a recorded walk that a live collection reads (the WALK_OIDS subtrees)."""
    return {oid: v for oid, v in walk.items() if any(oid.startswith(root + ".") for root in WALK_OIDS)}


def findings(capsys, *argv: str) -> list[dict]:
    """`ecpartner check --format json` findings. A finding about a device that could not be collected keeps
    its verdict, not its wording: live says what the device answered, a replay what the parser saw."""
    capsys.readouterr()
    main(["check", *argv, "--format", "json"])
    # telemetry-* read counter series stored beside the inventory (fixtures/demo/telemetry), not the devices
    out = [f for f in json.loads(capsys.readouterr().out)["findings"] if not f["rule"].startswith("telemetry-")]
    for f in out:
        if f["rule"] == "device-reachable" or f["status"] == "error":
            f.pop("message"), f.pop("actual", None)
    return out


def test_check_live_on_the_served_demo_fleet_equals_the_recorded_run(tmp_path, monkeypatch, capsys):
    for name, value in DEMO_ENV.items():
        monkeypatch.setenv(name, value)
    recorded = findings(capsys, str(DEMO / "inventory.yaml"))
    with served_demo(tmp_path) as inv:
        live = findings(capsys, str(inv), "--live", "--timeout", "10")
    assert any(f["rule"] == "qos-bandwidth-limit" for f in live)
    # the served copy has the devices only; the recorded cloud/ is replayed by tests/cloud (live: with --cloud)
    assert live == [f for f in recorded if not f["rule"].startswith("cloud-")]


def test_recording_the_served_demo_fleet_gives_back_the_demo_fleet(tmp_path, monkeypatch, capsys):
    for name, value in DEMO_ENV.items():
        monkeypatch.setenv(name, value)
    before = time.time()
    with served_demo(tmp_path) as inv:
        ready = time.time()
        time.sleep(2)   # so that every growing counter must have grown by two seconds of its rate at least
        started = time.time()
        record = tmp_path / "recorded"
        code = main(["collect", str(inv), "--record", str(record), "--timeout", "10"])
        finished = time.time()
    # every agent started (its counters began to grow) between `before` and `ready`, and was read between
    # `started` and `finished`: this many seconds of growth, at least and at most
    least, most = started - ready, finished - before

    err = capsys.readouterr().err
    assert code == 3, err                               # sh-agg-01's recording is a device error message
    assert "sh-agg-01: not recorded:" in err and "rejected: Error: Unrecognized command" in err
    for name in ("hz-acc-01", "hz-acc-02", "sh-acc-01"):
        [original] = (DEMO / "devices" / name).iterdir()
        assert (record / "devices" / name / original.name).read_bytes() == original.read_bytes(), name
        recorded = read_snmprec(record / "snmp" / f"{name}.snmprec")
        walk = walked(read_snmprec(DEMO / "snmp" / f"{name}.snmprec"))   # a growing record reads as its initial
        growing = snmp_growth(DEMO / "snmp" / f"{name}.snmprec")
        assert recorded.keys() == walk.keys(), name
        assert any(oid in growing for oid in walk), name
        for oid, (tag, value) in walk.items():
            if oid in growing:
                initial, rate = growing[oid]
                assert recorded[oid][0] == tag, (name, oid)
                assert initial + rate * least - 1 <= int(recorded[oid][1]) <= initial + rate * most, (name, oid)
            else:
                assert recorded[oid] == (tag, value), (name, oid)
    assert not (record / "devices" / "sh-agg-01").exists()
