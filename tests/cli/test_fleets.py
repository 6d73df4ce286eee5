"""The bundled fleets: the demo (one device of every platform at least) breaks every rule on purpose, the clean
fleet passes."""

from __future__ import annotations

import json

from ecpartner.rules import RULES

# Every problem the demo fleet is built to show: (rule, status, severity, circuit, connection, device, interface).
DEMO_PROBLEMS = {
    ("carrier-eligible", "fail", "error", "pc-sh02", None, None, None),
    ("circuit-redundancy", "fail", "error", None, None, None, None),
    ("circuit-capacity", "fail", "error", "pc-sh01", None, None, None),
    ("vlan-range", "fail", "error", "pc-hz02", "pc-hc05", None, None),
    ("vlan-unique", "fail", "error", "pc-hz02", "pc-hc07", None, None),
    ("vlan-zero-exclusive", "fail", "error", "pc-sh01", "pc-hc12", None, None),
    ("ha-spread", "fail", "error", None, None, None, None),          # Hotel Health: one circuit only
    ("ha-spread", "fail", "warning", None, None, None, None),        # India Insure: two circuits, one access point
    ("spec-valid", "fail", "error", "pc-hz02", "pc-hc06", None, None),
    ("spec-valid", "fail", "warning", "pc-hz02", "pc-hc07", None, None),
    ("same-site", "fail", "error", "pc-hz03", "pc-hc09", None, None),
    ("device-reachable", "error", "error", None, None, "sh-agg-01", None),
    ("monitoring-enabled", "fail", "error", "pc-hz01", "pc-hc02", "hz-acc-01", "GigabitEthernet0/0/1.101"),
    ("monitoring-enabled", "fail", "error", "pc-hz02", "pc-hc04", "hz-acc-01", "XGigabitEthernet0/0/1.1000"),
    ("monitoring-enabled", "fail", "error", "pc-hz03", "pc-hc10", "hz-acc-02", None),
    ("qos-bandwidth-limit", "fail", "error", "pc-hz01", "pc-hc02", "hz-acc-01", "GigabitEthernet0/0/1.101"),
    ("qos-bandwidth-limit", "fail", "error", "pc-hz03", "pc-hc09", "hz-acc-02", "TenGigabitEthernet0/1/0.301"),
    ("qos-bandwidth-limit", "fail", "error", "pc-hz03", "pc-hc10", "hz-acc-02", None),
    ("arp-rate-limit", "fail", "warning", "pc-hz03", "pc-hc08", "hz-acc-02", "TenGigabitEthernet0/1/0.300"),
    ("arp-rate-limit", "fail", "warning", "pc-hz03", "pc-hc09", "hz-acc-02", "TenGigabitEthernet0/1/0.301"),
    ("arp-rate-limit", "error", "error", "pc-hz03", "pc-hc10", "hz-acc-02", None),
    ("arp-rate-limit", "fail", "error", "pc-sh01", "pc-hc12", "sh-acc-01", "GigabitEthernet0/0/1"),
    ("arp-rate-limit", "fail", "error", "pc-sh01", "pc-hc13", "sh-acc-01", "GigabitEthernet0/0/1.10"),
    ("arp-rate-limit", "fail", "error", "pc-sh02", "pc-hc14", "sh-acc-01", "GigabitEthernet0/0/2"),
    ("arp-rate-limit", "fail", "error", "pc-sh01", "pc-hc15", "sh-acc-01", "GigabitEthernet0/0/1.11"),
    ("icmp-rate-limit", "fail", "error", None, None, "hz-acc-01", "XGigabitEthernet0/0/1"),   # 300 pps
    ("icmp-rate-limit", "fail", "error", None, None, "hz-acc-02", None),                      # exactly 500 pps
    ("icmp-rate-limit", "error", "error", None, None, "sh-agg-01", None),
    ("config-drift", "fail", "error", "pc-hz01", "pc-hc03", "hz-acc-01", "GigabitEthernet0/0/1.102"),  # disabled, not shut
    ("config-drift", "fail", "error", "pc-hz03", "pc-hc10", "hz-acc-02", "TenGigabitEthernet0/1/0.302"),  # .302 carries 320
    ("config-drift", "fail", "warning", "pc-hz03", None, "hz-acc-02", "TenGigabitEthernet0/1/0.302"),  # orphan VLAN 320
    ("config-drift", "fail", "warning", "pc-hz03", None, "hz-acc-02", "TenGigabitEthernet0/1/0.303"),  # deleted, still there
    # from fixtures/demo/telemetry/*.csv: no outbound limit lets pc-hc02 run above its 500M
    ("telemetry-utilization", "fail", "error", "pc-hz01", "pc-hc02", "hz-acc-01", "GigabitEthernet0/0/1.101"),
    ("telemetry-utilization", "fail", "warning", "pc-hz03", "pc-hc09", "hz-acc-02", "TenGigabitEthernet0/1/0.301"),
    ("telemetry-drops", "fail", "warning", "pc-hz01", "pc-hc01", "hz-acc-01", "GigabitEthernet0/0/1.100"),
    ("telemetry-counters-advance", "fail", "warning", "pc-sh01", "pc-hc15", "sh-acc-01", "GigabitEthernet0/0/1.11"),
    # disabled in the inventory, not shut on the device (config-drift above), and the tenant's traffic still flows
    ("telemetry-disabled-traffic", "fail", "error", "pc-hz01", "pc-hc03", "hz-acc-01", "GigabitEthernet0/0/1.102"),
    # disabled connections whose devices' recorded series leave them out: no verdict
    ("telemetry-disabled-traffic", "error", "warning", "pc-bj02", "pc-bj-hc04", "bj-h3c-01", "Route-Aggregation1.201"),
    ("telemetry-disabled-traffic", "error", "warning", "pc-sz01", "pc-szhc04", "sz-eos-01", "Ethernet1.102"),
    ("telemetry-disabled-traffic", "error", "warning", "pc-qd02", "pc-qdhc04", "qd-xr-01", "Bundle-Ether80.200"),
    # H3C Comware 7, bj-h3c-01: no outbound CAR; the port's bare `arp rate-limit` (750 pps) over 3 users; a kbps
    # control-plane ICMP CAR, which cannot be judged in pps
    ("qos-bandwidth-limit", "fail", "error", "pc-bj01", "pc-bj-hc02", "bj-h3c-01", "Ten-GigabitEthernet1/0/1.101"),
    ("arp-rate-limit", "fail", "warning", "pc-bj02", "pc-bj-hc03", "bj-h3c-01", "Route-Aggregation1.200"),
    ("icmp-rate-limit", "error", "warning", None, None, "bj-h3c-01", None),
    # Arista EOS, sz-eos-01: no inbound policy on Ethernet1.101 (and telemetry shows it running above 500M);
    # CoPP copp-system-arp at 200 pps for 4 users
    ("qos-bandwidth-limit", "fail", "error", "pc-sz01", "pc-szhc02", "sz-eos-01", "Ethernet1.101"),
    ("telemetry-utilization", "fail", "error", "pc-sz01", "pc-szhc02", "sz-eos-01", "Ethernet1.101"),
    ("arp-rate-limit", "fail", "warning", "pc-sz01", "pc-szhc01", "sz-eos-01", "Ethernet1.100"),
    ("arp-rate-limit", "fail", "warning", "pc-sz01", "pc-szhc02", "sz-eos-01", "Ethernet1.101"),
    ("arp-rate-limit", "fail", "warning", "pc-sz02", "pc-szhc03", "sz-eos-01", "Ethernet2"),
    # Cisco IOS-XR, qd-xr-01: an inbound policy only on .101; LPTS ARP 100 pps shared by 4 users
    ("qos-bandwidth-limit", "fail", "error", "pc-qd01", "pc-qdhc02", "qd-xr-01", "TenGigE0/0/0/0.101"),
    ("arp-rate-limit", "fail", "warning", "pc-qd01", "pc-qdhc01", "qd-xr-01", "TenGigE0/0/0/0.100"),
    ("arp-rate-limit", "fail", "warning", "pc-qd01", "pc-qdhc02", "qd-xr-01", "TenGigE0/0/0/0.101"),
    ("arp-rate-limit", "fail", "warning", "pc-qd02", "pc-qdhc03", "qd-xr-01", "Bundle-Ether80.4081"),   # unit 4081 carries VLAN 81
    # Juniper Junos, zjk-mx-01: no output policer on unit 101 (and it runs at 96%); ddos-protection ARP 20 pps for
    # the 4 users without their own policer; an orphan unit 150
    ("qos-bandwidth-limit", "fail", "error", "pc-zjk01", "pc-zjkhc02", "zjk-mx-01", "xe-0/0/0.101"),
    ("telemetry-utilization", "fail", "warning", "pc-zjk01", "pc-zjkhc02", "zjk-mx-01", "xe-0/0/0.101"),
    ("arp-rate-limit", "fail", "warning", "pc-zjk01", "pc-zjkhc02", "zjk-mx-01", "xe-0/0/0.101"),
    ("arp-rate-limit", "fail", "warning", "pc-zjk02", "pc-zjkhc04", "zjk-mx-01", "xe-0/0/1.0"),       # VLAN 0: unit 0
    ("config-drift", "fail", "warning", "pc-zjk01", None, "zjk-mx-01", "xe-0/0/0.150"),
}


def _key(f):
    s = f["subject"]
    return (f["rule"], f["status"], f["severity"], s["circuit"], s["hosted_connection"], s["device"], s["interface"])


def test_demo_fleet_shows_exactly_its_planned_problems(run, demo_inventory):
    code, out, _ = run("check", demo_inventory, "--format", "json")
    report = json.loads(out)
    problems = [_key(f) for f in report["findings"] if f["status"] != "pass"]
    assert len(problems) == len(set(problems))
    assert set(problems) == DEMO_PROBLEMS
    assert code == report["summary"]["exit_code"] == 3          # sh-agg-01 could not be parsed


def test_demo_fleet_breaks_and_passes_every_check_rule(run, demo_inventory):
    _, out, _ = run("check", demo_inventory, "--format", "json")
    findings = json.loads(out)["findings"]
    check_rules = {r.id for r in RULES.values() if r.in_check}
    assert len(check_rules) == 19 and "permission-valid" not in check_rules   # plan's rule
    assert {f["rule"] for f in findings if f["status"] != "pass"} == check_rules
    assert {f["rule"] for f in findings if f["status"] == "pass"} == check_rules


def test_demo_huawei_1024000_kbps_passes_for_1g(run, demo_inventory):
    _, out, _ = run("check", demo_inventory, "--format", "json", "--only", "qos-bandwidth-limit")
    hc04 = [f for f in json.loads(out)["findings"] if f["subject"]["hosted_connection"] == "pc-hc04"]
    assert [(f["status"], f["actual"]) for f in hc04] == [("pass", {"in": 1024000000, "out": 1000000000})]


def test_clean_fleet_is_compliant(run, clean_inventory):
    code, out, _ = run("check", clean_inventory, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["summary"]["exit_code"] == 0
    assert not [f for f in report["findings"] if f["status"] != "pass" and f["severity"] == "error"]
    assert report["summary"]["pass"] >= 40
