"""A wrong-typed, negative or garbage SNMP value is that interface's problem: `telemetry poll --live`
reports it and stores the healthy interfaces; `check` (the recorded .snmprec path) calls the counter
unknown. Never a crash, never a negative or undercounted counter. The walk is faked: no SNMP traffic."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from ecpartner.cli import main
from ecpartner.parse import build_state
from ecpartner.parse.snmp_counters import interface_counters
from ecpartner.state import optional_int
from ecpartner.telemetry.store import Store

HC = "1.3.6.1.2.1.31.1.1.1"        # ifXTable
IF = "1.3.6.1.2.1.2.2.1"           # ifTable
# field -> (column OID, snmprec tag) of a healthy 64-bit interface
HEALTHY = {"in_octets": (f"{HC}.6", "70"), "out_octets": (f"{HC}.10", "70"), "in_ucast": (f"{HC}.7", "70"),
           "in_mcast": (f"{HC}.8", "70"), "in_bcast": (f"{HC}.9", "70"), "out_ucast": (f"{HC}.11", "70"),
           "out_mcast": (f"{HC}.12", "70"), "out_bcast": (f"{HC}.13", "70"), "in_discards": (f"{IF}.13", "65"),
           "out_discards": (f"{IF}.19", "65"), "in_errors": (f"{IF}.14", "65"), "out_errors": (f"{IF}.20", "65")}
# VLAN -> the one value that is wrong on that subinterface: field -> (tag, value)
BROKEN = {
    200: {"in_octets": ("4", "abc")},                 # an OctetString in a counter column
    300: {"in_discards": ("2", "-5")},                # a negative Integer
    400: {"out_octets": ("70", "")},                  # an empty value
    500: {"in_mcast": ("70", "12.5")},                # float-ish text, in one part of the packet total
    600: {"out_discards": ("65", str(2**32))},        # more than a Counter32 holds
}
VLANS = [100, *BROKEN, 700]                           # 100 and 700 are healthy; 700 is at 2^64 - 1


def _walk() -> dict[str, tuple[str, str]]:
    walk = {"1.3.6.1.2.1.1.3.0": ("67", "123456")}
    for index, vlan in enumerate(VLANS, 1):
        walk[f"{HC}.1.{index}"] = ("4", f"Gi0/0/1.{vlan}")
        value = str(2**64 - 1) if vlan == 700 else "1000"
        for field, (oid, tag) in HEALTHY.items():
            tag, text = BROKEN.get(vlan, {}).get(field, (tag, value if tag == "70" else "7"))
            walk[f"{oid}.{index}"] = (tag, text)
    return walk


def _inventory(tmp_path: Path) -> Path:
    doc = {
        "partner": {"name": "Lab", "carrier": "China Telecom", "site": "china", "account_id": "1234567890123456"},
        "devices": [{"name": "lab-acc-01", "host": "127.0.0.1", "platform": "cisco_ios", "role": "access",
                     "credentials": "default", "snmp": {"version": "2c", "community_env": "ECP_BAD_COMMUNITY"}}],
        "credentials": {"default": {"username_env": "ECP_BAD_USER", "password_env": "ECP_BAD_PASSWORD"}},
        "circuits": [{"id": "pc-lab01", "region": "cn-hangzhou", "access_point": "ap-cn-hangzhou-yh-B",
                      "capacity": "10G", "device": "lab-acc-01", "interface": "GigabitEthernet0/0/1"}],
        "tenants": [{"account_id": "1987654321098765", "name": "Acme", "site": "china"}],
        "hosted_connections": [{"id": f"pc-hc{vlan}", "circuit": "pc-lab01", "tenant": "1987654321098765",
                                "vlan": vlan, "bandwidth": "50M", "status": "enabled"} for vlan in VLANS],
    }
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_live_poll_reports_bad_values_per_interface_and_stores_the_rest(tmp_path, monkeypatch, capsys):
    walk = _walk()

    async def fake_walk(host, port, auth, oids, *args, **kwargs):   # the ifIndex map: the naming columns
        return {oid: v for oid, v in walk.items() if any(oid.startswith(root + ".") for root in oids)}

    async def fake_get(host, port, auth, oids, *args, **kwargs):    # the counters
        asked.extend(oids)
        return {oid: walk[oid] for oid in oids if oid in walk}

    asked: list[str] = []

    # the subinterfaces as the device's configuration (read over SSH in a real poll) names them
    config = "".join(f"interface GigabitEthernet0/0/1.{vlan}\n encapsulation dot1Q {vlan}\n!\n" for vlan in VLANS)
    state = build_state("lab-acc-01", "cisco_ios", {"show running-config": config})
    monkeypatch.setattr("ecpartner.commands.telemetry.live_states", lambda *args: ({"lab-acc-01": state}, {}))
    monkeypatch.setattr("ecpartner.telemetry.snmp_poll.snmp_walk", fake_walk)
    monkeypatch.setattr("ecpartner.telemetry.snmp_poll.snmp_get", fake_get)
    monkeypatch.setenv("ECP_BAD_COMMUNITY", "lab-community")
    db = tmp_path / "t.sqlite"
    assert main(["telemetry", "poll", str(_inventory(tmp_path)), "--live", "--db", str(db)]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    device = "ecpartner: device lab-acc-01: interface GigabitEthernet0/0/1"
    assert f"{device}.200: cannot read in_octets (OctetString 'abc' at {HC}.6.2 is not a counter value)" in err
    assert f"{device}.300: cannot read in_discards (Integer '-5' at {IF}.13.3 is not a counter value)" in err
    assert f"{device}.400: cannot read out_octets (Counter64 '' at {HC}.10.4 is not a counter value)" in err
    assert f"{device}.500: cannot read in_packets (Counter64 '12.5' at {HC}.8.5 is not a counter value)" in err
    assert f"{device}.600: cannot read out_discards (Counter32 '4294967296' at {IF}.19.6 is not a counter value)" in err
    assert "telemetry poll" in err and ": 2 samples stored, 5 problems" in err
    # what was read: sysUpTime, and per tenant interface its 12 counter columns and its name (the map's check)
    wanted = {"1.3.6.1.2.1.1.3.0"} | {f"{oid}.{i}" for i in range(1, len(VLANS) + 1)
                                      for oid in [f"{HC}.1", *(column for column, _ in HEALTHY.values())]}
    assert len(asked) == len(wanted) == 1 + 13 * len(VLANS) and set(asked) == wanted
    with Store(db) as store:
        frame = store.load().frame
        names = [store.load().series[s][1] for s in frame["sid"]]
    assert names == ["GigabitEthernet0/0/1.100", "GigabitEthernet0/0/1.700"]
    assert frame["in_octets"].tolist() == [1000, 2**64 - 1] and frame["in_packets"].tolist() == [3000, 2**64 - 3]


def test_recorded_garbage_makes_counters_unknown_for_check(demo_copy, capsys):
    path = demo_copy.parent / "snmp" / "hz-acc-01.snmprec"   # index 41 is GigabitEthernet0/0/1.100 (pc-hc01)
    text = path.read_text()
    # each record replaced whole, whatever it held (a plain value or a growing counter's variation)
    for oid, record in ((f"{HC}.6.41", "4|abc"), (f"{HC}.8.41", "70|12.5"), (f"{IF}.13.41", "2|-5")):
        text, found = re.subn(rf"^{re.escape(oid)}\|.*$", f"{oid}|{record}", text, flags=re.M)
        assert found == 1, oid
    path.write_text(text)
    assert main(["check", str(demo_copy), "--only", "monitoring-enabled", "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    finding = next(f for f in json.loads(out)["findings"] if f["subject"]["hosted_connection"] == "pc-hc01")
    assert finding["status"] == "fail"
    assert finding["actual"]["unreadable_counters"] == ["in_octets", "in_packets", "in_discards"]


def test_counters_from_a_walk_are_never_negative_or_partial():
    counters = interface_counters(_walk(), [f"GigabitEthernet0/0/1.{vlan}" for vlan in VLANS])
    c = {vlan: counters[f"GigabitEthernet0/0/1.{vlan}"] for vlan in VLANS}
    assert c[100].readable and c[100].in_packets == 3000 and c[700].in_octets == 2**64 - 1
    assert c[200].in_octets is None and c[300].in_discards is None and c[400].out_octets is None
    assert c[500].in_packets is None and c[500].out_packets == 3000    # not 2000: the total, or nothing
    assert c[600].out_discards is None


def test_optional_int_takes_only_plain_non_negative_whole_numbers():
    assert [optional_int(v) for v in ("123", " 123 ", 123, str(2**64 - 1))] == [123, 123, 123, 2**64 - 1]
    for bad in ("-5", -5, "abc", "", "12.5", 12.5, "1e3", "+5", "1_000", "٣", str(2**64), True, None):
        assert optional_int(bad) is None, bad
