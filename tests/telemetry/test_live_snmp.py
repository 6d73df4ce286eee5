"""`telemetry poll --live` against a real device (FakeNOS on 127.0.0.1, its configuration read over SSH)
and a real SNMP agent (snmpsim) whose counters grow at known rates: two polls some seconds apart must give
those rates within 2%, widened by no more than the timing uncertainty the test itself measures around the
polls; samples are stored under the interface the configuration says carries each VLAN."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import yaml

from helpers.rig import FakeDevices, Served, SnmpAgents, free_port, snmprec_for

from ecpartner.cli import main
from ecpartner.inventory_loader import load_inventory
from ecpartner.parse import build_state
from ecpartner.telemetry.store import Store
from ecpartner.telemetry.window import load_window

pytestmark = [pytest.mark.live,   # starts its own FakeNOS and snmpsim
              pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]  # FakeNOS server side

COMMUNITY = "tele-lab-community"
# snmprec_for's rates: ifHCInOctets 1,250,000 B/s, ifHCOutOctets 2,500,000 B/s,
# in packets 1000 + 10 + 5 /s, out packets 2000 + 10 + 5 /s.
TRUE = {"in_bps": 1_250_000 * 8, "out_bps": 2_500_000 * 8, "in_pps": 1015, "out_pps": 2015}
USER, PASSWORD = "tele-ops", "tele-Pw-83kq"
# VLAN 100 rides on subinterface 1000: the number is not the VLAN, so `<port>.<vlan>` would be wrong
CONFIG = """hostname lab-acc-01
!
interface GigabitEthernet0/0/1
 no ip address
!
interface GigabitEthernet0/0/1.1000
 encapsulation dot1Q 100
!
interface GigabitEthernet0/0/1.200
 encapsulation dot1Q 200
!
interface GigabitEthernet0/0/1.300
 encapsulation dot1Q 300
!
end
"""
# The agent names interfaces the way Cisco's ifName does (Gi0/0/1.1000); the configuration spells them out.
# Gi0/0/1.100 is what the conventional name of VLAN 100 would find; .300 is configured but not in the agent.
WALK = snmprec_for(["Gi0/0/1.1000", "Gi0/0/1.200", "GigabitEthernet0/0/0", "Gi0/0/1.100"])


@pytest.fixture(scope="module")
def fake():
    with FakeDevices([Served("lab-acc-01", "cisco_ios", {"show running-config": CONFIG}, USER, PASSWORD)]) as fake:
        yield fake


@pytest.fixture
def device(fake):
    return fake.devices["lab-acc-01"].port


@pytest.fixture
def env(monkeypatch):
    for name, value in {"ECP_TELE_USER": USER, "ECP_TELE_PASSWORD": PASSWORD, "ECP_TELE_COMMUNITY": COMMUNITY}.items():
        monkeypatch.setenv(name, value)


def _inventory(tmp_path: Path, ssh_port: int, port: int) -> Path:
    doc = {
        "partner": {"name": "Lab", "carrier": "China Telecom", "site": "china", "account_id": "1234567890123456"},
        "devices": [{"name": "lab-acc-01", "host": "127.0.0.1", "port": ssh_port, "platform": "cisco_ios",
                     "role": "access", "credentials": "default",
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


def test_two_live_polls_give_the_true_rates(device, env, tmp_path, capsys):
    with SnmpAgents({"lab-acc-01": (COMMUNITY, WALK)}, tmp_path / "snmpsim") as agents:
        inventory = _inventory(tmp_path, device, agents.ports["lab-acc-01"])
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
    states = {"lab-acc-01": build_state("lab-acc-01", "cisco_ios", {"show running-config": CONFIG})}
    window = load_window(load_inventory(inventory), db, "1h", states=states)
    for ct in window.connections[:2]:
        assert ct.stats.intervals == 1, ct.stats
        for column, truth in TRUE.items():
            assert 0.98 * low * truth <= ct.stats.latest[column] <= 1.02 * high * truth, (ct.connection.key, column)
    assert window.connections[2].sid is None


def test_samples_are_stored_under_the_interface_the_configuration_names(device, env, tmp_path):
    with SnmpAgents({"lab-acc-01": (COMMUNITY, WALK)}, tmp_path / "snmpsim") as agents:
        inventory = _inventory(tmp_path, device, agents.ports["lab-acc-01"])
        db = tmp_path / "t.sqlite"
        main(["telemetry", "poll", str(inventory), "--live", "--db", str(db)])
    with Store(db) as store:
        samples = store.load()
    stored = sorted(samples.series[sid][1] for sid in samples.frame["sid"])
    assert stored == ["GigabitEthernet0/0/1.1000", "GigabitEthernet0/0/1.200"]   # VLAN 100, VLAN 200


def test_a_device_that_does_not_answer_is_reported_and_the_poll_goes_on(device, env, tmp_path, monkeypatch, capsys):
    inventory = _inventory(tmp_path, device, free_port(socket.SOCK_DGRAM))   # nobody listens there
    assert main(["telemetry", "poll", str(inventory), "--live", "--db", str(tmp_path / "t.sqlite")]) == 3
    err = capsys.readouterr().err
    assert "device lab-acc-01: snmp: no response from 127.0.0.1" in err
    assert "0 samples stored, 1 problems" in err
    # a missing secret is bad input, found before any device is contacted, as for `check --live` (exit 2)
    monkeypatch.delenv("ECP_TELE_COMMUNITY")
    assert main(["telemetry", "poll", str(inventory), "--live", "--db", str(tmp_path / "t.sqlite")]) == 2
    assert "environment variable ECP_TELE_COMMUNITY (SNMP community) is not set" in capsys.readouterr().err


def test_a_device_whose_configuration_cannot_be_read_is_not_sampled_under_guessed_names(env, tmp_path, capsys):
    with SnmpAgents({"lab-acc-01": (COMMUNITY, WALK)}, tmp_path / "snmpsim") as agents:
        inventory = _inventory(tmp_path, free_port(), agents.ports["lab-acc-01"])   # SSH: connection refused
        db = tmp_path / "t.sqlite"
        assert main(["telemetry", "poll", str(inventory), "--live", "--db", str(db)]) == 3
    assert "device lab-acc-01: ssh 127.0.0.1:" in capsys.readouterr().err
    with Store(db) as store:
        assert store.count() == 0


def test_telemetry_run_reads_the_configurations_once_not_at_every_poll(fake, env, tmp_path, monkeypatch):
    def three_polls(poll, *args, **kwargs):   # the schedule, minus the waiting
        for _ in range(3):
            poll()

    monkeypatch.setattr("ecpartner.commands.telemetry.run_schedule", three_polls)
    before = fake.commands_seen("lab-acc-01").count("show running-config")
    with SnmpAgents({"lab-acc-01": (COMMUNITY, WALK)}, tmp_path / "snmpsim") as agents:
        inventory = _inventory(tmp_path, fake.devices["lab-acc-01"].port, agents.ports["lab-acc-01"])
        db = tmp_path / "t.sqlite"
        assert main(["telemetry", "run", str(inventory), "--live", "--every", "5m", "--db", str(db)]) == 0
    assert fake.commands_seen("lab-acc-01").count("show running-config") - before == 1
    with Store(db) as store:
        samples = store.load()
    assert samples.frame["time_ms"].nunique() == 3
    assert sorted({samples.series[sid][1] for sid in samples.frame["sid"]}) == ["GigabitEthernet0/0/1.1000",
                                                                                 "GigabitEthernet0/0/1.200"]
