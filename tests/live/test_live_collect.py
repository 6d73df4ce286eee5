"""Live collection against real SSH (FakeNOS) and SNMP (snmpsim) servers on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from helpers.labdata import (COMMUNITY_HZ, ENV, HZ_INTERFACES, PASSWORD, USERNAME, cisco_config, huawei_config,
                      write_inventory)
from ecpartner.collect.live import collect_live
from ecpartner.collect.snmp import SnmpAuth, snmp_walk_sync
from ecpartner.errors import InputError
from ecpartner.inventory_loader import load_inventory

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # FakeNOS server side

IF_NAME, IF_HC_IN_OCTETS = "1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.31.1.1.1.6"


def inventory_of(tmp_path, *devices):
    return load_inventory(write_inventory(tmp_path, list(devices)))


def test_collected_text_is_what_the_devices_served(lab, tmp_path):
    inv = inventory_of(tmp_path, lab.device("hz-acc-01"), lab.device("sh-acc-02"))
    results = collect_live(inv, timeout=10, environ=ENV)

    assert list(results) == ["hz-acc-01", "sh-acc-02"]
    hz, sh = results["hz-acc-01"], results["sh-acc-02"]
    assert hz.error is None and sh.error is None
    assert hz.source == "live"
    # exactly what the device printed, except the credential lines, whose secret part is removed
    assert hz.outputs == {"display current-configuration": huawei_config()
                          .replace("read cipher %^%#kX8]Lq2=3S%^%# acl", "read cipher <removed> acl")
                          .replace("irreversible-cipher $1c$Xq0h~q7eZ*$aF@5L<5+Z%Zp", "irreversible-cipher <removed>")}
    assert sh.outputs == {"show running-config": cisco_config()
                          .replace("secret 9 $9$mQ2aLr0pQw$Zz1", "secret 9 <removed>")
                          .replace(f"password 0 {PASSWORD}", "password 0 <removed>")
                          .replace("community shComm-71bd RO", "community <removed> RO")
                          .replace("enable password En-8k2qLmT", "enable password <removed>")}
    assert {"connect", "display current-configuration", "snmp", "total"} <= set(hz.timings)


def test_session_is_read_only_with_paging_off_and_real_prompts(lab, tmp_path):
    before = len(lab.fake.seen)
    inv = inventory_of(tmp_path, lab.device("hz-acc-01"), lab.device("sh-acc-02"))
    collect_live(inv, timeout=10, environ=ENV)
    seen = lab.fake.seen[before:]
    hz = [(prompt, cmd) for dev, prompt, cmd in seen if dev == "hz-acc-01"]
    sh = [(prompt, cmd) for dev, prompt, cmd in seen if dev == "sh-acc-02"]
    # VRP: paging off first, the configuration read in user view <name>, never system-view [name]
    assert hz == [("<hz-acc-01>", "screen-length 0 temporary"), ("<hz-acc-01>", "display current-configuration")]
    # IOS: paging off, enable with the secret, then the read; never configure terminal
    commands = [cmd for _prompt, cmd in sh]
    assert "terminal length 0" in commands and "configure terminal" not in commands
    assert commands[-1] == "show running-config" and sh[-1][0] == "sh-acc-02#"
    assert commands.index("enable") < commands.index("show running-config")


def test_snmp_counters_are_read_and_grow(lab, tmp_path):
    inv = inventory_of(tmp_path, lab.device("hz-acc-01"))
    walk = collect_live(inv, timeout=10, environ=ENV)["hz-acc-01"].snmp

    names = {oid.rsplit(".", 1)[1]: value for oid, value in walk.items() if oid.startswith(IF_NAME + ".")}
    assert names == {str(i): ("4", name) for i, name in enumerate(HZ_INTERFACES, 1)}
    assert walk["1.3.6.1.2.1.1.3.0"][0] == "67"
    assert walk["1.3.6.1.2.1.31.1.1.1.15.3"] == ("66", "1000")             # ifHighSpeed
    assert walk["1.3.6.1.2.1.2.2.1.19.3"] == ("65", "3")                    # ifOutDiscards
    for column in range(6, 14):                                              # every ifHC* counter
        tag, value = walk[f"1.3.6.1.2.1.31.1.1.1.{column}.3"]
        assert tag == "70" and int(value) >= 1000000 * column + 3
    first = int(walk[f"{IF_HC_IN_OCTETS}.3"][1])
    time.sleep(1.1)
    again = snmp_walk_sync("127.0.0.1", lab.agents.ports["hz-acc-01"], SnmpAuth(community=COMMUNITY_HZ),
                           oids=(IF_HC_IN_OCTETS,))
    assert int(again[f"{IF_HC_IN_OCTETS}.3"][1]) >= first + 1250000        # rate=1250000 octets/s


def test_device_without_snmp_block_is_ssh_only(lab, tmp_path):
    entry = lab.device("hz-acc-01")
    del entry["snmp"]
    result = collect_live(inventory_of(tmp_path, entry), timeout=10, environ=ENV)["hz-acc-01"]
    assert result.error is None and result.snmp is None and result.outputs


# ---- faults: each names the device side's problem precisely ----

def test_wrong_password(lab, tmp_path):
    inv = inventory_of(tmp_path, lab.device("hz-acc-01"))
    result = collect_live(inv, timeout=10, environ={**ENV, "ECPT_PASSWORD": "not-the-password"})["hz-acc-01"]
    port = lab.fake.devices["hz-acc-01"].port
    assert result.error == f"ssh 127.0.0.1:{port}: authentication failed for user {USERNAME!r}"
    assert result.outputs == {}


def test_closed_port(lab, tmp_path):
    entry = lab.device("hz-acc-01", port=lab.closed_tcp)
    del entry["snmp"]
    result = collect_live(inventory_of(tmp_path, entry), timeout=5, environ=ENV)["hz-acc-01"]
    assert result.error == f"ssh 127.0.0.1:{lab.closed_tcp}: connection refused (is SSH enabled on that port?)"


def test_server_that_accepts_and_never_answers(lab, tmp_path):
    entry = lab.device("hz-acc-01", port=lab.silent.port)
    del entry["snmp"]
    result = collect_live(inventory_of(tmp_path, entry), timeout=2, environ=ENV)["hz-acc-01"]
    assert result.error == (f"ssh 127.0.0.1:{lab.silent.port}: timed out after 2s waiting for the SSH banner "
                            f"(the port accepts connections but nothing answers)")


def test_command_rejected_by_the_device(lab, tmp_path):
    entry = lab.device("hz-rej-03")
    result = collect_live(inventory_of(tmp_path, entry), timeout=10, environ=ENV)["hz-rej-03"]
    port = lab.fake.devices["hz-rej-03"].port
    assert result.error == (f"ssh 127.0.0.1:{port}: command 'display current-configuration' rejected: "
                            f"Error: Unrecognized command found at '^' position.")
    assert result.outputs == {}


def test_snmp_wrong_community(lab, tmp_path):
    inv = inventory_of(tmp_path, lab.device("hz-acc-01"))
    result = collect_live(inv, timeout=10, snmp_timeout=0.5, snmp_retries=0,
                          environ={**ENV, "ECPT_COMMUNITY_HZ": "wrong-community"})["hz-acc-01"]
    port = lab.agents.ports["hz-acc-01"]
    assert result.error == (f"snmp: no response from 127.0.0.1:{port} within 0.5s x 0 retries "
                            f"(wrong community or agent down)")
    assert result.snmp is None
    assert "display current-configuration" in result.outputs   # SSH still collected


def test_snmp_timeout_on_a_closed_udp_port(lab, tmp_path):
    entry = lab.device("hz-acc-01")
    entry["snmp"]["port"] = lab.closed_udp
    result = collect_live(inventory_of(tmp_path, entry), timeout=10, snmp_timeout=0.5, snmp_retries=1,
                          environ=ENV)["hz-acc-01"]
    # the request timeout ended it, not the device's budget: the message says which (no seconds asserted)
    assert result.error == (f"snmp: no response from 127.0.0.1:{lab.closed_udp} within 0.5s x 1 retries "
                            f"(wrong community or agent down)")


def test_missing_environment_variable_fails_before_any_connection(lab, tmp_path):
    inv = inventory_of(tmp_path, lab.device("hz-acc-01"), lab.device("sh-acc-02"))
    before = len(lab.fake.seen)
    env = {k: v for k, v in ENV.items() if k not in ("ECPT_ENABLE", "ECPT_COMMUNITY_HZ")}
    with pytest.raises(InputError) as caught:
        collect_live(inv, timeout=10, environ=env)
    assert caught.value.messages == [
        "device hz-acc-01: environment variable ECPT_COMMUNITY_HZ (SNMP community) is not set",
        "device sh-acc-02: environment variable ECPT_ENABLE (enable secret) is not set",
    ]
    assert len(lab.fake.seen) == before


def test_slow_device_does_not_delay_a_fast_one(lab, tmp_path):
    slow = lab.device("hz-slow-09", port=lab.silent.port)
    inv = inventory_of(tmp_path, slow, lab.device("hz-acc-01"))
    finished: list[tuple[str, float]] = []
    results = collect_live(inv, concurrency=2, timeout=8, environ=ENV,
                           progress=lambda e: e.finished and finished.append((e.device, e.seconds)))
    # order and margin, not seconds: the fast device is reported first, before the slow one's 8 s timeout
    assert [name for name, _ in finished] == ["hz-acc-01", "hz-slow-09"]
    assert dict(finished)["hz-acc-01"] < dict(finished)["hz-slow-09"]
    assert results["hz-acc-01"].error is None
    assert "timed out after 8s" in results["hz-slow-09"].error


# ---- one list of IF-MIB columns: what check finds readable is what telemetry samples ----

def test_an_agent_without_64_bit_counters_is_monitored_by_check_as_telemetry_reads_it(lab, tmp_path, monkeypatch,
                                                                                          capsys):
    import json

    import yaml

    from ecpartner.cli import main
    from ecpartner.telemetry.store import Store
    from helpers.rig import SnmpAgents, snmprec_for

    walk = snmprec_for(HZ_INTERFACES, counter_bits=32)   # ifTable only: no ifName, no ifHC*, no ifHighSpeed
    with SnmpAgents({"hz-acc-01": (COMMUNITY_HZ, walk)}, tmp_path / "snmpsim") as agents:
        entry = lab.device("hz-acc-01")
        entry["snmp"]["port"] = agents.ports["hz-acc-01"]
        path = write_inventory(tmp_path, [entry])
        doc = yaml.safe_load(path.read_text())
        doc["circuits"] = [{"id": "pc-lab01", "region": "cn-hangzhou", "access_point": "ap-cn-hangzhou-yh-B",
                            "capacity": "1G", "device": "hz-acc-01", "interface": "GigabitEthernet0/0/1"}]
        doc["tenants"] = [{"account_id": "1987654321098765", "name": "Acme", "site": "china"}]
        doc["hosted_connections"] = [{"id": "pc-hcA", "circuit": "pc-lab01", "tenant": "1987654321098765",
                                      "vlan": 100, "bandwidth": "50M", "status": "enabled"}]
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        for name, value in ENV.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        main(["check", str(path), "--live", "--only", "monitoring-enabled", "--format", "json", "--timeout", "10"])
        [finding] = json.loads(capsys.readouterr().out)["findings"]
        db = tmp_path / "t.sqlite"
        assert main(["telemetry", "poll", str(path), "--live", "--db", str(db), "--timeout", "10"]) == 0
    assert finding["status"] == "pass", finding["message"]
    assert finding["actual"] == {"interface": "GigabitEthernet0/0/1.100", "statistics": True, "unreadable_counters": []}
    with Store(db) as store:
        samples = store.load()
    assert [samples.series[sid] for sid in samples.frame["sid"]] == [("hz-acc-01", "GigabitEthernet0/0/1.100")]
    assert samples.frame["counter_bits"].tolist() == [32]
