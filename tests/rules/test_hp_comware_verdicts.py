"""Verdicts on H3C Comware 7 configurations (parser cases in tests/platforms/hp_comware/parse/): the forms the
platform has are judged as the rules say, parsed by its own templates."""

from __future__ import annotations

from ecpartner.findings import ERROR, FAIL, PASS, SEV_ERROR, SEV_WARNING
from ecpartner.parse import build_state
from ecpartner.rules import evaluate
from ecpartner.state import Counters

from helpers.platforms import case_text


def comware(fleet, case: str, port: str, connections: list[tuple[int, str, int]], only: list[str]):
    """Device acc1 (hp_comware) parsed from a parser case; circuit c1 on `port` with (vlan, bandwidth, users)."""
    fleet.device("acc1", platform="hp_comware").circuit("c1", device="acc1", interface=port)
    for i, (vlan, bandwidth, users) in enumerate(connections):
        fleet.tenant(f"t{i}", users=users)
        fleet.connection("c1", vlan, bandwidth, tenant=f"t{i}")
    state = build_state("acc1", "hp_comware", {"display current-configuration":
                                               case_text("hp_comware", f"display_current_configuration/{case}")})
    for name in state.interfaces:
        state.counters[name] = Counters(name, 1, 2, 3, 4, 0, 0, 0, 0)
    fleet.states["acc1"] = state
    return {(f.rule, f.subject["hosted_connection"]): f for f in evaluate(fleet.context(), only=only)}


def test_qinq_outer_vlan_is_not_a_single_tag_connection_nor_an_orphan(fleet):
    found = comware(fleet, "qinq_second_dot1q", "Ten-GigabitEthernet1/0/4", [(2234, "200M", 1), (100, "300M", 1)],
                    ["config-drift"])
    assert found[("config-drift", "hc-c1-2234")].status == FAIL        # `vid 2234 second-dot1q 15` is QinQ
    assert found[("config-drift", "hc-c1-100")].status == PASS
    orphans = [f for (rule, hc), f in found.items() if hc is None and f.status != PASS]
    assert not orphans, [f.message for f in orphans]


def test_port_arp_rate_limit_covers_its_subinterfaces_shared_by_their_users(fleet):
    found = comware(fleet, "s6800_subif_car", "Ten-GigabitEthernet1/0/1", [(100, "200M", 2), (101, "1G", 1)],
                    ["arp-rate-limit", "qos-bandwidth-limit"])
    arp = found[("arp-rate-limit", "hc-c1-100")]
    assert arp.status == PASS and arp.actual["users"] == 3 and arp.actual["per_user_pps"] == 1
    assert found[("qos-bandwidth-limit", "hc-c1-101")].status == PASS


def test_bare_arp_rate_limit_is_the_module_default_and_too_high(fleet):
    found = comware(fleet, "route_aggregation_arp_default", "Route-Aggregation1", [(200, "1G", 1)],
                    ["arp-rate-limit"])
    arp = found[("arp-rate-limit", "hc-c1-200")]
    assert (arp.status, arp.severity) == (FAIL, SEV_WARNING) and "750" in arp.message


def test_source_mac_filter_is_a_per_user_limit_and_monitor_is_none(fleet):
    found = comware(fleet, "arp_source_mac_filter", "Ten-GigabitEthernet1/0/9", [(90, "200M", 4)], ["arp-rate-limit"])
    assert found[("arp-rate-limit", "hc-c1-90")].status == PASS         # 5 per 5 s = 1 pps per source MAC


def test_source_mac_monitor_only_logs_no_arp_limit(fleet):
    found = comware(fleet, "arp_source_mac_monitor_only", "Ten-GigabitEthernet1/0/15", [(61, "100M", 1)],
                    ["arp-rate-limit"])
    arp = found[("arp-rate-limit", "hc-c1-61")]
    assert (arp.status, arp.severity) == (FAIL, SEV_ERROR)


def test_control_plane_icmp_car_in_kbps_cannot_be_judged_in_pps(fleet):
    found = comware(fleet, "control_plane_icmp_arp_kbps", "Ten-GigabitEthernet1/0/10", [(100, "500M", 1)],
                    ["icmp-rate-limit"])
    icmp = [f for f in found.values() if f.rule == "icmp-rate-limit"]
    assert [(f.status, f.severity) for f in icmp] == [(ERROR, SEV_WARNING)] and "bps" in icmp[0].message


def test_partial_cars_and_an_acl_class_are_not_the_connection_limit(fleet):
    found = comware(fleet, "car_acl_partial", "Ten-GigabitEthernet1/0/6", [(330, "100M", 1)], ["qos-bandwidth-limit"])
    assert found[("qos-bandwidth-limit", "hc-c1-330")].status == FAIL
