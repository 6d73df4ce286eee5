"""The demo fleet served live (FakeNOS + snmpsim) and recorded again: the recording equals the original."""

from __future__ import annotations

from pathlib import Path

import json

import pytest

from helpers.rig import serve_fleet
from ecpartner.cli import main
from ecpartner.collect.snmprec import read_snmprec
from ecpartner.ifmib import WALK_OIDS

pytestmark = [pytest.mark.live, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
ENV = {"ECP_USERNAME": "netops", "ECP_PASSWORD": "Demo-Pw-91xq", "ECP_SNMP_COMMUNITY": "demoComm-5t"}


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
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    recorded = findings(capsys, str(DEMO / "inventory.yaml"))
    with serve_fleet(DEMO, tmp_path, ENV["ECP_USERNAME"], ENV["ECP_PASSWORD"], ENV["ECP_SNMP_COMMUNITY"]) as (inv, _f, _a):
        live = findings(capsys, str(inv), "--live", "--timeout", "10")
    assert any(f["rule"] == "qos-bandwidth-limit" for f in live)
    # the served copy has the devices only; the recorded cloud/ is replayed by tests/cloud (live: with --cloud)
    assert live == [f for f in recorded if not f["rule"].startswith("cloud-")]


def test_recording_the_served_demo_fleet_gives_back_the_demo_fleet(tmp_path, monkeypatch, capsys):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    with serve_fleet(DEMO, tmp_path, ENV["ECP_USERNAME"], ENV["ECP_PASSWORD"], ENV["ECP_SNMP_COMMUNITY"]) as (inv, _f, _a):
        record = tmp_path / "recorded"
        code = main(["collect", str(inv), "--record", str(record), "--timeout", "10"])

    err = capsys.readouterr().err
    assert code == 3, err                               # sh-agg-01's recording is a device error message
    assert "sh-agg-01: not recorded:" in err and "rejected: Error: Unrecognized command" in err
    for name in ("hz-acc-01", "hz-acc-02", "sh-acc-01"):
        [original] = (DEMO / "devices" / name).iterdir()
        assert (record / "devices" / name / original.name).read_bytes() == original.read_bytes(), name
        assert read_snmprec(record / "snmp" / f"{name}.snmprec") == walked(read_snmprec(DEMO / "snmp" / f"{name}.snmprec"))
    assert not (record / "devices" / "sh-agg-01").exists()
