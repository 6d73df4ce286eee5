"""`telemetry poll --live` against a real SNMP agent (snmpsim on 127.0.0.1) whose counters grow at
known rates: two polls some seconds apart must give those rates within 2%, widened by no more than the
timing uncertainty the test itself measures around the polls."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from helpers.rig import SnmpAgents, snmprec_for

from ecpartner.cli import main
from ecpartner.inventory import load_inventory
from ecpartner.telemetry.window import load_window

pytestmark = pytest.mark.live   # starts its own snmpsim

COMMUNITY = "tele-lab-community"
# snmprec_for's rates: ifHCInOctets 1,250,000 B/s, ifHCOutOctets 2,500,000 B/s,
# in packets 1000 + 10 + 5 /s, out packets 2000 + 10 + 5 /s.
TRUE = {"in_bps": 1_250_000 * 8, "out_bps": 2_500_000 * 8, "in_pps": 1015, "out_pps": 2015}


def _inventory(tmp_path: Path, port: int) -> Path:
    doc = {
        "partner": {"name": "Lab", "carrier": "China Telecom", "site": "china", "account_id": "1234567890123456"},
        "devices": [{"name": "lab-acc-01", "host": "127.0.0.1", "platform": "cisco_ios", "role": "access",
                     "credentials": "default",
                     "snmp": {"version": "2c", "community_env": "ECP_TELE_COMMUNITY", "port": port}}],
        "credentials": {"default": {"username_env": "ECP_TELE_USER", "password_env": "ECP_TELE_PASSWORD"}},
        "circuits": [{"id": "pc-lab01", "region": "cn-hangzhou", "access_point": "ap-cn-hangzhou-yh-B",
                      "capacity": "1G", "device": "lab-acc-01", "interface": "GigabitEthernet0/0/1"}],
        "tenants": [{"account_id": "1987654321098765", "name": "Acme", "site": "china"}],
        "hosted_connections": [
            {"id": "pc-hcA", "circuit": "pc-lab01", "tenant": "1987654321098765", "vlan": 100, "bandwidth": "50M",
             "status": "enabled"},
            {"id": "pc-hcB", "circuit": "pc-lab01", "tenant": "1987654321098765", "vlan": 200, "bandwidth": "50M",
             "status": "enabled"},
            {"id": "pc-hcC", "circuit": "pc-lab01", "tenant": "1987654321098765", "vlan": 300, "bandwidth": "50M",
             "status": "enabled"}],
    }
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_two_live_polls_give_the_true_rates(tmp_path, monkeypatch, capsys):
    # The agent names interfaces the way Cisco's ifName does (Gi0/0/1.100); the configuration spells them out.
    walk = snmprec_for(["Gi0/0/1.100", "Gi0/0/1.200", "GigabitEthernet0/0/0"])
    with SnmpAgents({"lab-acc-01": (COMMUNITY, walk)}, tmp_path / "snmpsim") as agents:
        inventory = _inventory(tmp_path, agents.ports["lab-acc-01"])
        monkeypatch.setenv("ECP_TELE_COMMUNITY", COMMUNITY)
        db = tmp_path / "t.sqlite"
        t0 = time.monotonic()
        assert main(["telemetry", "poll", str(inventory), "--live", "--db", str(db)]) == 3   # pc-hcC not there
        t1 = time.monotonic()
        time.sleep(8)
        t2 = time.monotonic()
        assert main(["telemetry", "poll", str(inventory), "--live", "--db", str(db)]) == 3
        t3 = time.monotonic()
    err = capsys.readouterr().err
    # A sample is stamped mid-walk and the agent reads each counter somewhere inside the same call, so the
    # agent's own interval lies between t2 - t1 and t3 - t0 while the stored one lies there too: their
    # ratio bounds how far the measured rate may honestly be off the truth, on a quiet or a busy machine.
    low, high = (t2 - t1) / (t3 - t0), (t3 - t0) / (t2 - t1)
    assert "device lab-acc-01: interface GigabitEthernet0/0/1.300 not found by ifName or ifDescr" in err
    window = load_window(load_inventory(inventory), db, "1h")
    for ct in window.connections[:2]:
        assert ct.stats.intervals == 1, ct.stats
        for column, truth in TRUE.items():
            assert 0.98 * low * truth <= ct.stats.latest[column] <= 1.02 * high * truth, (ct.connection.key, column)
    assert window.connections[2].sid is None


def test_a_device_that_does_not_answer_is_reported_and_the_poll_goes_on(tmp_path, monkeypatch, capsys):
    from helpers.rig import free_port
    import socket

    inventory = _inventory(tmp_path, free_port(socket.SOCK_DGRAM))   # nobody listens there
    monkeypatch.setenv("ECP_TELE_COMMUNITY", COMMUNITY)
    assert main(["telemetry", "poll", str(inventory), "--live", "--db", str(tmp_path / "t.sqlite")]) == 3
    err = capsys.readouterr().err
    assert "device lab-acc-01: snmp: no response from 127.0.0.1" in err
    assert "0 samples stored, 1 problems" in err
    monkeypatch.delenv("ECP_TELE_COMMUNITY")
    assert main(["telemetry", "poll", str(inventory), "--live", "--db", str(tmp_path / "t.sqlite")]) == 3
    assert "environment variable ECP_TELE_COMMUNITY (SNMP community) is not set" in capsys.readouterr().err
