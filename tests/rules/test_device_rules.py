from __future__ import annotations

import json

from ecpartner.findings import ERROR, FAIL, PASS, SEV_ERROR, SEV_WARNING
from ecpartner.rules import evaluate
from ecpartner.inventory import HostedConnection
from ecpartner.placement import Placements

PORT = "GE0/0/1"


def access_fleet(fleet, vlan=100, bandwidth="200M", status="enabled", users=1, **conn):
    """One access device acc1 with circuit c1 on PORT and one hosted connection hc-c1-<vlan>."""
    fleet.device("acc1").circuit("c1", device="acc1", interface=PORT)
    fleet.tenant("t1", users=users)
    fleet.port("acc1", PORT)
    return fleet.connection("c1", vlan, bandwidth, status=status, **conn)


# -- common lookup ---------------------------------------------------------------------------------------------

def test_the_interface_carrying_a_connection_is_found_by_encapsulation_not_name(fleet):
    access_fleet(fleet)
    fleet.sub("acc1", PORT, 200, name=f"{PORT}.100")          # named .100 but carries VLAN 200
    fleet.sub("acc1", PORT, 100, name=f"{PORT}.7")            # carries VLAN 100 under another number
    placements = Placements(fleet.inventory, {"acc1": fleet.state("acc1")})

    def placed(vlan):
        return placements.of(HostedConnection("c1", "t1", vlan, 200 * 10**6, "200M", "enabled"))

    assert placed(100).interface.name == f"{PORT}.7" and placed(100).conventional == f"{PORT}.100"
    assert placed(200).interface.name == f"{PORT}.100"
    assert placed(0).interface.name == PORT
    assert placed(300).interface is None and placed(300).interface_name == f"{PORT}.300"
    assert placed(100).misnamed.vlan == 200 and placed(200).misnamed is None
    state = fleet.state("acc1")                                # the state answers the question itself
    assert state.carrier(PORT, 100, f"{PORT}.100").name == f"{PORT}.7"


# -- device-reachable -------------------------------------------------------------------------------------------

def test_unreachable_device_is_an_error_and_the_other_device_is_still_checked(fleet):
    fleet.device("acc1").device("acc2")
    fleet.circuit("c1", device="acc1", interface=PORT).circuit("c2", device="acc2", interface=PORT, ap="ap-2")
    fleet.connection("c1", 100)
    fleet.connection("c2", 100)
    fleet.port("acc2", PORT)
    fleet.sub("acc2", PORT, 100, shutdown=True)
    fleet.fail_device("acc1", "ssh: authentication failed")
    findings = evaluate(fleet.context(), only=["device-reachable", "config-drift", "icmp-rate-limit"])
    reach = fleet.only(findings, device="acc1")
    r1 = [f for f in reach if f.rule == "device-reachable"][0]
    assert (r1.status, r1.severity) == (ERROR, SEV_ERROR) and "ssh: authentication failed" in r1.message
    assert [f for f in fleet.only(findings, device="acc2") if f.rule == "device-reachable"][0].status == PASS
    # acc1's subjects are reported as not evaluated, not dropped
    skipped = [f for f in reach if f.rule == "config-drift"]
    assert {f.subject["hosted_connection"] for f in skipped} == {None, "hc-c1-100"}
    assert all(f.status == ERROR and "not evaluated: device acc1 could not be collected (ssh: authentication failed)"
               == f.message for f in skipped)
    # acc2 is still judged: its subinterface is shut although the connection is enabled
    drift = fleet.one([f for f in findings if f.rule == "config-drift"], hosted_connection="hc-c2-100")
    assert drift.status == FAIL and "shut down" in drift.message


# -- monitoring-enabled ------------------------------------------------------------------------------------------

def test_monitoring_pass_and_each_missing_part(fleet):
    access_fleet(fleet, vlan=100)
    fleet.connection("c1", 101)
    fleet.connection("c1", 102)
    fleet.connection("c1", 103)
    fleet.connection("c1", 104, status="disabled")          # not enabled: not a subject
    fleet.sub("acc1", PORT, 100)
    fleet.sub("acc1", PORT, 101, statistics=False)
    fleet.sub("acc1", PORT, 102, counters=False)
    fleet.counters("acc1", f"{PORT}.102", in_discards=None)
    f = {x.subject["hosted_connection"]: x for x in fleet.run("monitoring-enabled")}
    assert set(f) == {"hc-c1-100", "hc-c1-101", "hc-c1-102", "hc-c1-103"}
    assert f["hc-c1-100"].status == PASS and f["hc-c1-100"].subject["interface"] == f"{PORT}.100"
    assert f["hc-c1-101"].status == FAIL and "statistic enable" in f["hc-c1-101"].message
    assert f["hc-c1-101"].actual["statistics"] is False
    assert f["hc-c1-102"].status == FAIL and "in_discards" in f["hc-c1-102"].message
    assert f["hc-c1-102"].actual["unreadable_counters"] == ["in_discards"]
    assert f["hc-c1-103"].status == FAIL and "has no subinterface of GE0/0/1 with dot1q VLAN 103" in f["hc-c1-103"].message
    assert "dot1q VLAN 103" in f["hc-c1-103"].message and f["hc-c1-103"].actual == {"interface": None}


def test_monitoring_no_counters_and_non_access_devices_skipped(fleet):
    access_fleet(fleet)
    fleet.sub("acc1", PORT, 100, counters=False)
    fleet.device("agg1", role="aggregation").circuit("c9", device="agg1", interface="X1", ap="ap-2")
    fleet.connection("c9", 5)
    [f] = fleet.run("monitoring-enabled")
    assert f.status == FAIL and "no counters could be read" in f.message


# -- qos-bandwidth-limit -----------------------------------------------------------------------------------------

def test_qos_1g_with_huawei_1024000_kbps_passes(fleet):
    access_fleet(fleet, bandwidth="1G")
    fleet.sub("acc1", PORT, 100)
    fleet.qos("acc1", f"{PORT}.100", 1024000 * 1000.0)
    [f] = fleet.run("qos-bandwidth-limit")
    assert (f.status, f.severity) == (PASS, SEV_ERROR)
    assert f.actual == {"in": 1024000000, "out": 1024000000}
    assert f.expected["in"] == 10**9 and "1.024G" in f.message
    json.dumps(f.actual)


def test_qos_1_2g_fails_and_lowest_cir_per_direction_wins(fleet):
    access_fleet(fleet, bandwidth="1G")
    fleet.sub("acc1", PORT, 100)
    fleet.qos("acc1", f"{PORT}.100", 1.2e9)
    [f] = fleet.run("qos-bandwidth-limit")
    assert f.status == FAIL and "inbound CIR 1.2G is 20% above 1G" in f.message
    fleet.limit("acc1", "qos", "interface", 1e9, "bps", interface=f"{PORT}.100", direction="in")
    [f] = fleet.run("qos-bandwidth-limit")
    assert f.status == FAIL and f.actual == {"in": 10**9, "out": 1200000000}
    assert "inbound" not in f.message and "outbound CIR 1.2G" in f.message


def test_qos_missing_direction_and_other_interface_limit_ignored(fleet):
    access_fleet(fleet)
    fleet.sub("acc1", PORT, 100)
    fleet.sub("acc1", PORT, 101)
    fleet.qos("acc1", f"{PORT}.100", 2e8, directions=("in",))
    fleet.qos("acc1", f"{PORT}.101", 2e8, directions=("out",))       # another interface's limit
    [f] = fleet.run("qos-bandwidth-limit")
    assert f.status == FAIL and f.actual == {"in": 200000000, "out": None}
    assert "no outbound rate limit" in f.message


# -- arp-rate-limit ----------------------------------------------------------------------------------------------

def test_arp_none_fails_with_the_guide(fleet):
    access_fleet(fleet)
    fleet.sub("acc1", PORT, 100)
    [f] = fleet.run("arp-rate-limit")
    assert (f.status, f.severity) == (FAIL, SEV_ERROR)
    assert "access devices closest to tenants" in f.message and f.subject["interface"] == f"{PORT}.100"


def test_arp_per_source_is_per_user(fleet):
    access_fleet(fleet, users=10)
    fleet.sub("acc1", PORT, 100)
    fleet.limit("acc1", "arp", "per-source", 1, "pps")
    [f] = fleet.run("arp-rate-limit")
    assert f.status == PASS and f.actual["per_user_pps"] == 1 and f.actual["users"] == 1
    fleet.state("acc1").rate_limits.clear()
    fleet.limit("acc1", "arp", "per-source", 5, "pps")
    [f] = fleet.run("arp-rate-limit")
    assert (f.status, f.severity) == (FAIL, SEV_WARNING) and f.actual["per_user_pps"] == 5


def test_arp_interface_aggregate_divided_by_users(fleet):
    access_fleet(fleet, users=10)
    fleet.sub("acc1", PORT, 100)
    fleet.limit("acc1", "arp", "interface", 10, "pps", interface=f"{PORT}.100")
    [f] = fleet.run("arp-rate-limit")
    assert f.status == PASS and f.actual["per_user_pps"] == 1 and f.actual["users"] == 10
    fleet.state("acc1").rate_limits[0].rate = 30
    [f] = fleet.run("arp-rate-limit")
    assert (f.status, f.severity) == (FAIL, SEV_WARNING) and f.actual["per_user_pps"] == 3


def test_arp_parent_port_and_device_aggregates_and_most_restrictive(fleet):
    access_fleet(fleet, users=2)
    fleet.tenant("t2", users=6)
    fleet.connection("c1", 200, tenant="t2")
    fleet.connection("c1", 300, tenant="t2", status="disabled")          # disabled: no users counted
    fleet.sub("acc1", PORT, 100)
    fleet.sub("acc1", PORT, 200)
    fleet.sub("acc1", PORT, 300)
    fleet.limit("acc1", "arp", "interface", 16, "pps", interface=PORT)   # port: 16 / (2 + 6) = 2 per user
    f = {x.subject["hosted_connection"]: x for x in fleet.run("arp-rate-limit")}
    assert set(f) == {"hc-c1-100", "hc-c1-200"}
    assert f["hc-c1-100"].actual["per_user_pps"] == 2 and f["hc-c1-100"].actual["users"] == 8
    assert f["hc-c1-100"].status == FAIL
    fleet.limit("acc1", "arp", "device", 4, "pps")                       # device: 4 / 8 = 0.5 per user
    f = {x.subject["hosted_connection"]: x for x in fleet.run("arp-rate-limit")}
    assert f["hc-c1-100"].status == PASS and f["hc-c1-100"].actual["per_user_pps"] == 0.5
    assert f["hc-c1-100"].actual["scope"] == "device"


def test_arp_bps_policer_cannot_be_judged(fleet):
    access_fleet(fleet)
    fleet.sub("acc1", PORT, 100)
    fleet.limit("acc1", "arp", "device", 64000, "bps", source="car arp 64 kbps")
    [f] = fleet.run("arp-rate-limit")
    assert (f.status, f.severity) == (ERROR, SEV_WARNING)
    assert "a bps policer cannot be judged in pps" in f.message and "car arp 64 kbps" in f.message


def test_limits_of_several_interfaces_are_their_own_and_device_wide_in_configuration_order(fleet):
    access_fleet(fleet)
    device = fleet.limit("acc1", "arp", "device", 4, "pps")
    port = fleet.limit("acc1", "arp", "interface", 16, "pps", interface=PORT)
    fleet.limit("acc1", "arp", "interface", 2, "pps", interface=f"{PORT}.200")      # another interface
    own = fleet.limit("acc1", "arp", "interface", 1, "pps", interface=f"{PORT}.100")
    fleet.limit("acc1", "qos", "interface", 1e6, "bps", interface=f"{PORT}.100")     # another kind
    state = fleet.state("acc1")
    assert state.limits("arp", f"{PORT}.100", PORT) == [device, port, own]
    assert state.limits("arp", f"{PORT}.100", f"{PORT}.100") == [device, own]       # named twice, listed once
    assert state.limits("arp", f"{PORT}.100") == [device, own]


def _arp_limits_examined(fleet, n: int, monkeypatch) -> int:
    """How many rate limits arp-rate-limit looks at on one device with n subinterfaces, each with its own ARP
    limit: those `DeviceState.limits` hands out plus any the rule or the index read from the table itself."""
    from ecpartner.state import DeviceState

    class CountingList(list):
        def __iter__(self):
            for r in super().__iter__():
                seen[0] += 1
                yield r

    seen = [0]
    original = DeviceState.limits

    def counting_limits(self, *args, **kwargs):
        found = original(self, *args, **kwargs)
        seen[0] += len(found)
        return found

    fleet.device("acc1").circuit("c1", device="acc1", interface=PORT)
    fleet.port("acc1", PORT)
    for vlan in range(1, n + 1):
        fleet.connection("c1", vlan)
        fleet.sub("acc1", PORT, vlan)
        fleet.limit("acc1", "arp", "interface", vlan, "pps", interface=f"{PORT}.{vlan}")
    state = fleet.state("acc1")
    state.rate_limits = CountingList(state.rate_limits)
    monkeypatch.setattr(DeviceState, "limits", counting_limits)
    findings = fleet.run("arp-rate-limit")
    # each connection is judged by its own interface's limit, never another's
    assert [f.actual["rate_pps"] for f in findings] == list(range(1, n + 1))
    return seen[0]


def test_arp_rule_examines_limits_in_linear_not_quadratic_number(make_fleet, monkeypatch):
    # doubling the connections (and their per-interface limits) doubles the work; scanning every limit of the
    # device for each connection would quadruple it
    small = _arp_limits_examined(make_fleet(), 200, monkeypatch)
    large = _arp_limits_examined(make_fleet(), 400, monkeypatch)
    assert 1.8 <= large / small <= 2.2, (small, large)


# -- icmp-rate-limit ---------------------------------------------------------------------------------------------

def test_icmp_exactly_500_fails_and_501_passes(fleet):
    fleet.device("acc1").device("acc2").device("acc3")
    fleet.limit("acc1", "icmp", "device", 500, "pps", source="icmp rate-limit 500")
    fleet.limit("acc2", "icmp", "interface", 501, "pps", interface="GE0/0/2")
    fleet.state("acc3")
    findings = fleet.run("icmp-rate-limit")
    f500 = fleet.one(findings, device="acc1")
    assert (f500.status, f500.severity) == (FAIL, SEV_ERROR) and f500.actual["rate"] == 500
    assert "more than 500 ICMP ECHO REQUEST" in f500.message
    f501 = fleet.one(findings, device="acc2")
    assert f501.status == PASS and f501.subject["interface"] == "GE0/0/2"
    none = fleet.one(findings, device="acc3")
    assert none.status == PASS and "not limited" in none.message


def test_icmp_default_threshold_and_bps(fleet):
    fleet.device("acc1")
    fleet.limit("acc1", "icmp", "device", 128, "pps", default_threshold=True)
    fleet.limit("acc1", "icmp", "device", 1e6, "bps", source="police 1000000")
    low, bps = fleet.run("icmp-rate-limit")
    assert low.status == FAIL and "enabled without a threshold: platform default 128 pps" in low.message
    assert (bps.status, bps.severity) == (ERROR, SEV_WARNING)
    assert "a bps policer cannot be judged in pps" in bps.message


# -- config-drift ------------------------------------------------------------------------------------------------

def test_drift_matching_enabled_disabled_and_address(fleet):
    access_fleet(fleet, vlan=100, address="10.0.0.1/30")
    fleet.connection("c1", 101, status="disabled")
    fleet.sub("acc1", PORT, 100, addresses=["10.0.0.1/30"])
    fleet.sub("acc1", PORT, 101, shutdown=True)
    findings = fleet.run("config-drift")
    assert [f.status for f in findings] == [PASS, PASS, PASS]
    assert fleet.one(findings, hosted_connection=None).subject["interface"] == PORT
    f = fleet.one(findings, hosted_connection="hc-c1-100")
    assert f.subject == {"circuit": "c1", "hosted_connection": "hc-c1-100", "device": "acc1",
                         "interface": f"{PORT}.100", "region": "cn-hangzhou", "tenant": "t1"}


def test_drift_wrong_state_and_address(fleet):
    access_fleet(fleet, vlan=100, address="10.0.0.1/30")
    fleet.connection("c1", 101, status="disabled")
    fleet.sub("acc1", PORT, 100, addresses=["10.0.0.5/30"], shutdown=True)
    fleet.sub("acc1", PORT, 101)
    f = {x.subject["hosted_connection"]: x for x in fleet.run("config-drift")}
    assert f["hc-c1-100"].status == FAIL and "10.0.0.5/30, not 10.0.0.1/30" in f["hc-c1-100"].message
    assert "is shut down but hc-c1-100 is enabled" in f["hc-c1-100"].message
    assert f["hc-c1-101"].status == FAIL and "is not shut down" in f["hc-c1-101"].message
    assert f["hc-c1-101"].actual["shutdown"] is False and f["hc-c1-101"].expected["shutdown"] is True


def test_drift_subinterface_100_carrying_vlan_200(fleet):
    access_fleet(fleet, vlan=100)
    fleet.sub("acc1", PORT, 200, name=f"{PORT}.100")
    findings = fleet.run("config-drift")
    f = fleet.one(findings, hosted_connection="hc-c1-100")
    assert (f.status, f.severity) == (FAIL, SEV_ERROR)
    assert f"{PORT}.100 exists but carries VLAN 200" in f.message
    assert f.actual == {"interface": f"{PORT}.100", "vlan": 200}
    orphan = fleet.one(findings, interface=f"{PORT}.100", hosted_connection=None)
    assert (orphan.status, orphan.severity) == (FAIL, SEV_WARNING) and orphan.actual == 200


def test_drift_orphan_is_a_warning_and_deleted_does_not_own(fleet):
    access_fleet(fleet, vlan=100)
    fleet.connection("c1", 300, status="deleted")
    fleet.sub("acc1", PORT, 100)
    fleet.sub("acc1", PORT, 300)                                          # left behind after deletion
    fleet.sub("acc1", "GE0/0/9", 400)                                     # not a circuit port: ignored
    findings = fleet.run("config-drift")
    orphans = [f for f in findings if "Orphan" in f.message]
    assert len(orphans) == 1
    o = orphans[0]
    assert (o.status, o.severity) == (FAIL, SEV_WARNING)
    assert o.subject == {"circuit": "c1", "hosted_connection": None, "device": "acc1", "interface": f"{PORT}.300",
                         "region": None, "tenant": None}           # evaluate() fills the circuit's region
    assert fleet.one(findings, hosted_connection="hc-c1-100").status == PASS
    assert not fleet.only(findings, hosted_connection="hc-c1-300")        # deleted: not evaluated here


def test_drift_pending_and_missing_port(fleet):
    access_fleet(fleet, vlan=100, status="pending")
    fleet.connection("c1", 101, status="pending", address="10.0.0.1/30")
    fleet.sub("acc1", PORT, 101, addresses=["10.9.9.9/30"])
    fleet.device("acc2").circuit("c2", device="acc2", interface="GE9/9/9", ap="ap-2")
    fleet.state("acc2")
    fleet.connection("c2", 0)
    f = {(x.subject["circuit"], x.subject["hosted_connection"]): x for x in fleet.run("config-drift")}
    assert f[("c1", "hc-c1-100")].status == PASS and "not configured" in f[("c1", "hc-c1-100")].message
    assert f[("c1", "hc-c1-101")].status == FAIL                          # configured, so it must match
    assert (f[("c2", None)].status, f[("c2", None)].severity) == (FAIL, SEV_ERROR)
    assert "GE9/9/9" in f[("c2", None)].message
    vlan0 = f[("c2", "hc-c2-0")]
    assert vlan0.status == FAIL and "port GE9/9/9 is not configured on acc2" in vlan0.message


def test_drift_vlan_zero_routed_port(fleet):
    access_fleet(fleet, vlan=0, address="192.0.2.1/31")
    fleet.state("acc1").interfaces[PORT].addresses.append("192.0.2.1/31")
    f = fleet.one(fleet.run("config-drift"), hosted_connection="hc-c1-0")
    assert f.status == PASS and f.subject["interface"] == PORT


def test_every_device_rule_reports_subjects_of_an_uncollected_device(fleet):
    access_fleet(fleet)
    fleet.fail_device("acc1", "parse: display current-configuration: no interfaces")
    device_rules = ["monitoring-enabled", "qos-bandwidth-limit", "arp-rate-limit", "icmp-rate-limit", "config-drift"]
    findings = evaluate(fleet.context(), only=device_rules)
    assert {f.rule for f in findings} == set(device_rules)
    assert all(f.status == ERROR and f.message.startswith("not evaluated: device acc1 could not be collected (parse:")
               for f in findings)


def test_full_check_on_a_mixed_fleet_is_serializable_and_ordered(fleet):
    access_fleet(fleet, bandwidth="1G", address="10.0.0.1/30")
    fleet.circuit("c2", device="acc1", interface="GE0/0/2", ap="ap-2")
    fleet.connection("c2", 0, "500M")
    fleet.sub("acc1", PORT, 100, addresses=["10.0.0.1/30"])
    fleet.port("acc1", "GE0/0/2")
    fleet.counters("acc1", "GE0/0/2")
    fleet.qos("acc1", f"{PORT}.100", 1e9)
    fleet.qos("acc1", "GE0/0/2", 5e8)
    fleet.limit("acc1", "arp", "per-source", 1, "pps")
    fleet.limit("acc1", "icmp", "device", 1000, "pps")
    findings = evaluate(fleet.context())
    json.dumps([f.to_dict() for f in findings])
    rules_in_order = list(dict.fromkeys(f.rule for f in findings))
    assert rules_in_order[0] == "carrier-eligible" and rules_in_order[-1] == "config-drift"
    assert "permission-valid" not in rules_in_order
    problems = [(f.rule, f.message) for f in findings if f.status != PASS]
    assert problems == [], problems
