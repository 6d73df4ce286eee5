from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from ecpartner.findings import ERROR, FAIL, PASS, SEV_ERROR, SEV_WARNING
from ecpartner.inventory import Permission
from ecpartner.rules import RULES, evaluate

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)   # same instant the fleet fixture uses


def test_registry_order_and_requirements():
    ids = list(RULES)
    assert ids[:10] == ["carrier-eligible", "circuit-redundancy", "circuit-capacity", "vlan-range", "vlan-unique",
                        "vlan-zero-exclusive", "ha-spread", "spec-valid", "same-site", "permission-valid"]
    assert ids[10:16] == ["device-reachable", "monitoring-enabled", "qos-bandwidth-limit", "arp-rate-limit",
                          "icmp-rate-limit", "config-drift"]
    assert RULES["permission-valid"].in_check is False
    assert RULES["vlan-unique"].requirement == "VLAN planning"
    assert RULES["spec-valid"].needs == {"inventory"}
    assert RULES["config-drift"].needs == {"inventory", "devices"}
    # the window names each connection's interface from the device states
    assert RULES["telemetry-drops"].needs == {"inventory", "devices", "telemetry"}


def test_evaluate_fills_requirement_and_findings_are_json(fleet):
    fleet.circuit("c1").circuit("c2", ap="ap-2")
    fleet.connection("c1", 100)
    findings = evaluate(fleet.context(), only=["vlan-unique", "circuit-capacity"])
    assert {f.requirement for f in findings} == {"VLAN planning", "Bandwidth planning"}
    for f in findings:
        json.dumps(f.to_dict())
        assert set(f.subject) == {"circuit", "hosted_connection", "device", "interface", "region", "tenant"}
    # region and tenant filled from the circuit and the connection: a finding's identity says them
    vlan = next(f for f in findings if f.rule == "vlan-unique")
    assert (vlan.subject["region"], vlan.subject["tenant"]) == ("cn-hangzhou", "t1")
    capacity = next(f for f in findings if f.rule == "circuit-capacity")
    assert (capacity.subject["region"], capacity.subject["tenant"]) == ("cn-hangzhou", None)


def test_carrier_eligible(make_fleet):
    good = make_fleet(carrier="China Telecom").run("carrier-eligible")
    assert [(f.status, f.severity) for f in good] == [(PASS, SEV_ERROR)]
    bad = make_fleet(carrier="Acme Fiber").run("carrier-eligible")
    assert bad[0].status == FAIL and bad[0].actual == "Acme Fiber"
    assert "Acme Fiber" in bad[0].message and "China Broadcasting Network" in bad[0].message
    assert "CITIC Telecom" in bad[0].expected


def test_carrier_eligible_checks_circuits_leased_from_another_carrier(fleet):
    from dataclasses import replace
    fleet.circuit("c1").circuit("c2")
    inv = fleet.inventory
    inv.circuits["c2"] = replace(inv.circuits["c2"], carrier="Pacific Fiber Co")
    inv.circuits["c1"] = replace(inv.circuits["c1"], carrier="China Telecom")  # same as the partner: no extra finding
    findings = fleet.run("carrier-eligible")
    assert [(f.subject["circuit"], f.status) for f in findings] == [(None, PASS), ("c2", FAIL)]
    assert "Circuit c2 is on a line of Pacific Fiber Co" in findings[1].message


def test_circuit_redundancy_two_circuits_two_access_points_pass(fleet):
    fleet.circuit("c1", ap="ap-1").circuit("c2", ap="ap-2")
    fleet.connection("c1", 100)
    [f] = fleet.run("circuit-redundancy")
    assert f.status == PASS and "cn-hangzhou" in f.message
    assert f.subject == {"circuit": None, "hosted_connection": None, "device": None, "interface": None,
                         "region": "cn-hangzhou", "tenant": None}       # one finding per region: it names it


def test_circuit_redundancy_disabled_circuit_and_same_access_point_fail(fleet):
    fleet.circuit("c1", ap="ap-1").circuit("c2", ap="ap-2", status="disabled").circuit("c3", ap="ap-1")
    fleet.circuit("b1", region="cn-beijing", ap="ap-9")                   # no connections: region not judged
    fleet.connection("c1", 100)
    findings = fleet.run("circuit-redundancy")
    assert len(findings) == 1
    f = findings[0]
    assert f.status == FAIL and f.severity == SEV_ERROR
    assert "cn-hangzhou" in f.message and "1 access point" in f.message
    assert f.actual["enabled_circuits"] == ["c1", "c3"] and f.actual["access_points"] == ["ap-1"]


def test_circuit_redundancy_ignores_regions_with_only_deleted_connections(fleet):
    fleet.circuit("c1")
    fleet.connection("c1", 100, status="deleted")
    assert fleet.run("circuit-redundancy") == []


def test_circuit_capacity_disabled_counts_deleted_does_not(fleet):
    fleet.circuit("c1", capacity="1G")
    fleet.connection("c1", 100, "500M", status="enabled")
    fleet.connection("c1", 101, "500M", status="disabled")
    fleet.connection("c1", 102, "500M", status="deleted")
    [f] = fleet.run("circuit-capacity")
    assert f.status == PASS and f.actual == "1G" and f.expected == "at most 1G"
    fleet.connection("c1", 103, "200M", status="pending")
    [f] = fleet.run("circuit-capacity")
    assert f.status == FAIL and f.severity == SEV_ERROR and f.actual == "1.2G"
    assert f.subject["circuit"] == "c1"
    assert "Insufficient bandwidth resources" in f.message and "hc-c1-101 500M (disabled)" in f.message
    assert "hc-c1-102" not in f.message


def test_vlan_range(fleet):
    fleet.circuit("c1")
    fleet.connection("c1", 0)
    fleet.connection("c1", 2999)
    fleet.connection("c1", 3000)
    findings = fleet.run("vlan-range")
    assert [f.status for f in findings] == [PASS, PASS, FAIL]
    bad = fleet.one(findings, hosted_connection="hc-c1-3000")
    assert bad.actual == 3000 and bad.severity == SEV_ERROR and "3000" in bad.message


def test_vlan_unique_names_the_other_connection(fleet):
    fleet.circuit("pc-bp1circuit01").circuit("c2")
    fleet.connection("pc-bp1circuit01", 100, id="pc-bp1hosted0001")
    fleet.connection("pc-bp1circuit01", 100, id="pc-bp1hosted0002")
    fleet.connection("pc-bp1circuit01", 101, id="pc-bp1hosted0003", status="deleted")
    fleet.connection("pc-bp1circuit01", 101, id="pc-bp1hosted0004")
    fleet.connection("c2", 100, id="other-circuit")                       # same VLAN, other circuit: fine
    findings = fleet.run("vlan-unique")
    assert len(findings) == 4                                            # deleted one not a subject
    dup = fleet.one(findings, hosted_connection="pc-bp1hosted0002")
    assert dup.status == FAIL and dup.severity == SEV_ERROR
    assert dup.message == "VLAN 100 is already used by pc-bp1hosted0001 on circuit pc-bp1circuit01"
    assert dup.expected == "a VLAN unused on pc-bp1circuit01" and dup.actual == 100
    assert dup.subject == {"circuit": "pc-bp1circuit01", "hosted_connection": "pc-bp1hosted0002",
                           "device": None, "interface": None, "region": None, "tenant": "t1"}   # region: evaluate()
    assert fleet.one(findings, hosted_connection="pc-bp1hosted0001").status == PASS
    assert fleet.one(findings, hosted_connection="pc-bp1hosted0004").status == PASS
    assert fleet.one(findings, hosted_connection="other-circuit").status == PASS


def test_vlan_zero_exclusive(fleet):
    fleet.circuit("alone").circuit("shared").circuit("plain")
    fleet.connection("alone", 0, id="z1")
    fleet.connection("alone", 5, id="gone", status="deleted")            # deleted does not share
    fleet.connection("shared", 0, id="z2")
    fleet.connection("shared", 7, id="v7", status="disabled")            # disabled still occupies the circuit
    fleet.connection("plain", 9, id="v9")
    findings = fleet.run("vlan-zero-exclusive")
    assert fleet.one(findings, hosted_connection="z1").status == PASS
    shared = fleet.one(findings, hosted_connection="z2")
    assert shared.status == FAIL and shared.severity == SEV_ERROR and shared.actual == ["v7"]
    assert "v7" in shared.message and "routed interface" in shared.message
    plain = fleet.one(findings, circuit="plain")
    assert plain.status == PASS and plain.subject["hosted_connection"] is None


def test_ha_spread(fleet):
    fleet.circuit("c1", ap="ap-1").circuit("c2", ap="ap-2").circuit("c3", ap="ap-1")
    fleet.tenant("spread", ha=True).tenant("single", ha=True).tenant("oneap", ha=True).tenant("noha")
    fleet.connection("c1", 10, tenant="spread")
    fleet.connection("c2", 10, tenant="spread")
    fleet.connection("c1", 20, tenant="single")
    fleet.connection("c2", 20, tenant="single", status="deleted")         # deleted does not count
    fleet.connection("c1", 30, tenant="oneap")
    fleet.connection("c3", 30, tenant="oneap")
    fleet.connection("c1", 40, tenant="noha")
    findings = {f.actual["tenant"]: f for f in fleet.run("ha-spread")}
    assert set(findings) == {"spread", "single", "oneap"}
    assert findings["spread"].status == PASS
    assert (findings["single"].status, findings["single"].severity) == (FAIL, SEV_ERROR)
    assert findings["single"].actual["circuits"] == ["c1"]
    assert (findings["oneap"].status, findings["oneap"].severity) == (FAIL, SEV_WARNING)
    assert "ap-1" in findings["oneap"].message


def test_spec_valid(fleet):
    fleet.circuit("c1")
    for vlan, spec in ((1, "200M"), (2, "1G"), (3, "2G"), (4, "10G"), (5, "150M"), (6, "2.5G")):
        fleet.connection("c1", vlan, spec)
    f = {x.subject["hosted_connection"]: x for x in fleet.run("spec-valid")}
    assert (f["hc-c1-1"].status, f["hc-c1-1"].severity) == (PASS, SEV_ERROR)
    assert f["hc-c1-2"].status == PASS and f["hc-c1-2"].actual == "1G"
    assert (f["hc-c1-3"].status, f["hc-c1-3"].severity) == (FAIL, SEV_WARNING)
    assert "allowlisting" in f["hc-c1-3"].message
    assert (f["hc-c1-4"].status, f["hc-c1-4"].severity) == (FAIL, SEV_WARNING)
    assert (f["hc-c1-5"].status, f["hc-c1-5"].severity) == (FAIL, SEV_ERROR)
    assert f["hc-c1-5"].actual == "150M" and "150M" in f["hc-c1-5"].message
    assert (f["hc-c1-6"].status, f["hc-c1-6"].severity) == (FAIL, SEV_ERROR)
    assert "50M" in f["hc-c1-1"].expected and "10G" in f["hc-c1-1"].expected


def test_same_site(fleet):
    fleet.circuit("c1")
    fleet.tenant("cn", site="china").tenant("intl", site="international")
    fleet.connection("c1", 1, tenant="cn")
    fleet.connection("c1", 2, tenant="intl")
    f = {x.subject["hosted_connection"]: x for x in fleet.run("same-site")}
    assert f["hc-c1-1"].status == PASS
    assert f["hc-c1-2"].status == FAIL and f["hc-c1-2"].severity == SEV_ERROR
    assert "Cross-site hosted connection is not allowed" in f["hc-c1-2"].message
    assert (f["hc-c1-2"].expected, f["hc-c1-2"].actual) == ("china", "international")


def test_permission_valid(make_fleet):
    window = Permission(datetime(2026, 11, 26, 0, 0, tzinfo=timezone(timedelta(hours=8))),
                        datetime(2026, 11, 27, 0, 0, tzinfo=timezone(timedelta(hours=8))))
    fleet = make_fleet(permission=window)
    assert fleet.run("permission-valid", now=NOW)[0].status == PASS           # 16:00 +08:00, inside
    late = fleet.run("permission-valid", now=datetime(2026, 11, 26, 16, 0, 1, tzinfo=timezone.utc))[0]
    assert late.status == FAIL and late.severity == SEV_ERROR
    assert "Invalid Bandwidth parameter" in late.message
    early = fleet.run("permission-valid", now=datetime(2026, 11, 25, 15, 59, tzinfo=timezone.utc))[0]
    assert early.status == FAIL
    missing = make_fleet().run("permission-valid")[0]
    assert missing.status == FAIL and "Invalid Bandwidth parameter" in missing.message
    assert ERROR not in {late.status, early.status, missing.status}


def test_vlan_unique_without_ids(fleet):
    fleet.circuit("c1")
    fleet.connection("c1", 100, id=None)
    fleet.connection("c1", 100, id=None)                                  # not assigned yet: same key c1/vlan100
    findings = fleet.run("vlan-unique")
    assert [f.status for f in findings] == [PASS, FAIL]
    assert findings[1].message == "VLAN 100 is already used by c1/vlan100 on circuit c1"
