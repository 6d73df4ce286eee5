"""Verdicts on forms seen on real devices: the parser cases' configurations (tests/platforms/<platform>/parse)
parsed as `check` parses them, then judged by the device rules."""

from __future__ import annotations

from ecpartner.findings import ERROR, FAIL, PASS, SEV_ERROR, SEV_INFO, SEV_WARNING
from ecpartner.parse import build_state
from ecpartner.platforms import platform_spec

from helpers.platforms import PLATFORMS_DIR

FOLDERS = {"huawei": "display_current_configuration", "cisco_ios": "show_running_config"}


def parsed(fleet, device: str, platform: str, case: str, port: str):
    """Device `device` (access) with circuit c1 on `port`, its state parsed from a parser case."""
    text = (PLATFORMS_DIR / platform / "parse" / FOLDERS[platform] / f"{case}.txt").read_text(encoding="utf-8")
    fleet.device(device, platform=platform).circuit("c1", device=device, interface=port)
    fleet.tenant("t1")
    fleet.states[device] = build_state(device, platform, {platform_spec(platform).config_command: text})
    return fleet.states[device]


# -- ICMP ------------------------------------------------------------------------------------------------------
def test_ce_device_wide_icmp_threshold_of_10_pps_fails(fleet):
    parsed(fleet, "ce1", "huawei", "ce6800_icmp_threshold", "10GE1/0/1")
    [f] = fleet.run("icmp-rate-limit")
    assert (f.status, f.severity) == (FAIL, SEV_ERROR)
    assert f.subject["interface"] is None                       # device wide
    assert "10 pps (icmp rate-limit threshold 10)" in f.message and "not more than 500 pps" in f.message


def test_ce_icmp_rate_limit_disabled_leaves_the_threshold_out_of_force(fleet):
    parsed(fleet, "ce2", "huawei", "ce6800_icmp_rate_limit_disabled", "10GE1/0/1")
    [f] = fleet.run("icmp-rate-limit")
    assert f.status == PASS and "not limited" in f.message


# -- ARP: cpu-defend -------------------------------------------------------------------------------------------
def test_ne_cpu_defend_arp_car_is_a_bps_limit_that_cannot_be_judged_in_pps(fleet):
    parsed(fleet, "ne1", "huawei", "ne40e_vpws_qos_profile_cpu_defend", "GigabitEthernet1/0/0")
    fleet.connection("c1", 100, "200M")
    [f] = fleet.run("arp-rate-limit")
    assert (f.status, f.severity) == (ERROR, SEV_WARNING)
    assert "a bps policer cannot be judged in pps" in f.message
    assert "cpu-defend policy 1 car arp cir 8192, applied by slot 1 cpu-defend-policy 1" in f.message
    assert f.actual["rate"] == 8192000 and f.actual["unit"] == "bps"


def test_ne_cpu_defend_policy_no_slot_applies_is_no_arp_limit(fleet):
    parsed(fleet, "ne2", "huawei", "ne40e_cpu_defend_not_applied", "GigabitEthernet1/0/0")
    fleet.connection("c1", 300, "200M")
    [f] = fleet.run("arp-rate-limit")
    assert (f.status, f.severity) == (FAIL, SEV_ERROR) and "No ARP rate limit" in f.message


# -- QoS: qos-profile and VPWS qos ---------------------------------------------------------------------------
def test_qos_profile_and_l2vpn_qos_are_the_connections_rate_limits(fleet):
    parsed(fleet, "ne1", "huawei", "ne40e_vpws_qos_profile_cpu_defend", "GigabitEthernet1/0/0")
    fleet.connection("c1", 100, "200M")                         # qos-profile QP-200M inbound + outbound
    fleet.connection("c1", 101, "50M")                          # QP-IN-ONLY: no outbound CAR in the profile
    findings = fleet.run("qos-bandwidth-limit")
    assert fleet.one(findings, hosted_connection="hc-c1-100").status == PASS
    only_in = fleet.one(findings, hosted_connection="hc-c1-101")
    assert only_in.status == FAIL and "no outbound rate limit" in only_in.message
    assert only_in.actual == {"in": 50_000_000, "out": None}


def test_vpws_l2vpn_qos_limits_both_directions_on_an_eth_trunk_l2_subinterface(fleet):
    parsed(fleet, "ne1", "huawei", "ne40e_vpws_qos_profile_cpu_defend", "Eth-Trunk21")
    fleet.connection("c1", 902, "2M")
    [f] = fleet.run("qos-bandwidth-limit")
    assert f.status == PASS and f.subject["interface"] == "Eth-Trunk21.902"
    assert f.actual == {"in": 2_000_000, "out": 2_000_000}


# -- monitoring: statistic enable inbound / outbound --------------------------------------------------------
def test_statistics_of_one_direction_only_fail_monitoring_and_both_pass(fleet):
    parsed(fleet, "ne1", "huawei", "ne40e_vpws_qos_profile_cpu_defend", "GigabitEthernet1/0/0")
    for name in ("GigabitEthernet1/0/0.100", "GigabitEthernet1/0/0.101"):
        fleet.counters("ne1", name)
    fleet.connection("c1", 100, "200M")                         # statistic enable mode single
    fleet.connection("c1", 101, "50M")                          # statistic enable inbound only
    findings = fleet.run("monitoring-enabled")
    assert fleet.one(findings, hosted_connection="hc-c1-100").status == PASS
    partial = fleet.one(findings, hosted_connection="hc-c1-101")
    assert (partial.status, partial.severity) == (FAIL, SEV_ERROR)
    assert "count only inbound traffic on GigabitEthernet1/0/0.101, outbound is not counted" in partial.message
    assert partial.actual["statistics"] is False and partial.actual["statistics_only"] == "in"


def test_inbound_and_outbound_statistics_lines_together_count_both(fleet):
    parsed(fleet, "ne1", "huawei", "ne40e_vpws_qos_profile_cpu_defend", "Eth-Trunk21")
    fleet.counters("ne1", "Eth-Trunk21.902")
    fleet.connection("c1", 902, "2M")
    [f] = fleet.run("monitoring-enabled")
    assert f.status == PASS and f.actual["statistics"] is True


# -- QinQ -------------------------------------------------------------------------------------------------------
def test_cisco_qinq_subinterface_never_carries_a_single_tag_connection(fleet):
    state = parsed(fleet, "asr1", "cisco_ios", "asr1000_qinq_second_dot1q", "GigabitEthernet0/0/1")
    fleet.connection("c1", 2234, "200M")
    fleet.connection("c1", 15, "200M")                          # the QinQ inner tag is not VLAN 15 either
    assert state.carrier("GigabitEthernet0/0/1", 2234, "GigabitEthernet0/0/1.2234") is None
    assert state.carrier("GigabitEthernet0/0/1", 15, "GigabitEthernet0/0/1.15").name == "GigabitEthernet0/0/1.15"
    findings = fleet.run("config-drift")
    missing = fleet.one(findings, hosted_connection="hc-c1-2234")
    assert (missing.status, missing.severity) == (FAIL, SEV_ERROR)
    assert ("GigabitEthernet0/0/1.2234 exists but carries QinQ outer VLAN 2234 inner VLAN 15" in missing.message)
    assert missing.actual == {"interface": "GigabitEthernet0/0/1.2234", "vlan": None, "outer_vlan": 2234,
                              "inner_vlan": 15}
    assert fleet.one(findings, hosted_connection="hc-c1-15").status == PASS


def test_qinq_subinterfaces_are_no_orphans_but_an_info(fleet):
    parsed(fleet, "asr1", "cisco_ios", "asr1000_qinq_second_dot1q", "GigabitEthernet0/0/1")
    fleet.connection("c1", 15, "200M")
    findings = fleet.run("config-drift")
    orphans = [f for f in findings if "Orphan" in f.message]
    assert [f.subject["interface"] for f in orphans] == ["GigabitEthernet0/0/1.2300"]   # single-tag, unowned
    assert not [f for f in findings if "VLAN 2234" in f.message and f.status != PASS]
    info = {f.subject["interface"]: f for f in findings if f.severity == SEV_INFO}
    assert set(info) == {"GigabitEthernet0/0/1.2234", "GigabitEthernet0/0/1.2235", "GigabitEthernet0/0/1.2236"}
    assert all(f.status == PASS for f in info.values())
    assert "double-tagged (QinQ outer VLAN 2234 inner VLAN 15)" in info["GigabitEthernet0/0/1.2234"].message
    assert info["GigabitEthernet0/0/1.2235"].actual["inner_vlan"] is None          # second-dot1q any


def test_huawei_qinq_termination_is_double_tagged_too(fleet):
    parsed(fleet, "ne1", "huawei", "ne40e_vpws_qos_profile_cpu_defend", "GigabitEthernet1/0/0")
    fleet.connection("c1", 2234, "200M")
    findings = fleet.run("config-drift")
    assert fleet.one(findings, hosted_connection="hc-c1-2234").status == FAIL
    assert fleet.one(findings, interface="GigabitEthernet1/0/0.2234", hosted_connection=None).severity == SEV_INFO


# -- point-to-point ---------------------------------------------------------------------------------------------
def test_point_to_point_subinterfaces_carry_their_connections(fleet):
    parsed(fleet, "isr1", "cisco_ios", "isr4000_point_to_point_multipoint", "GigabitEthernet0/0/1")
    fleet.connection("c1", 100, "100M")
    fleet.connection("c1", 210, "500M")
    fleet.connection("c1", 300, "100M", status="disabled")
    findings = fleet.run("config-drift")
    assert fleet.one(findings, hosted_connection="hc-c1-100").status == PASS
    assert fleet.one(findings, hosted_connection="hc-c1-210").subject["interface"] == "GigabitEthernet0/0/1.200"
    assert fleet.one(findings, hosted_connection="hc-c1-300").status == PASS          # shut down, disabled
    assert {f.status for f in fleet.run("qos-bandwidth-limit")} == {PASS}
