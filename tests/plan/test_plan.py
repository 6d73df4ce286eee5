"""`plan` as a library: verdicts, blockers vs context, VLAN choice, the rendered config and API call."""

from __future__ import annotations

import shlex
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest


from ecpartner.errors import InputError
from ecpartner.inventory import Permission, parse_bandwidth, parse_vlan_ranges
from ecpartner.parse import build_state
from ecpartner.plan import plan
from ecpartner.render import render_fleet
from ecpartner.state import ARP, SCOPE_DEVICE, Counters

from helpers.platforms import base_config, config_command
from helpers.render_device_apply import apply
from helpers.render_inventory import add_circuit, add_connection, add_device, add_tenant, empty_inventory

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)
TENANT, OTHER = "1987654321098765", "1100000000000002"


def fleet(platform="huawei", extra_config=""):
    """acc-01 with circuits A (1G, one enabled connection on VLAN 1) and B (10G, empty), configured by our own
    render, plus `extra_config` pasted on top; returns (inventory, states)."""
    inv = empty_inventory()
    inv.partner = replace(inv.partner, permission=Permission(NOW - timedelta(days=1), NOW + timedelta(days=1)))
    add_device(inv, "acc-01", platform)
    add_circuit(inv, "pc-a", "acc-01", "GigabitEthernet0/0/1")
    inv.circuits["pc-a"] = replace(inv.circuits["pc-a"], capacity=parse_bandwidth("1G"))
    add_circuit(inv, "pc-b", "acc-01", "GigabitEthernet0/0/2")
    add_tenant(inv, TENANT, "Acme")
    add_tenant(inv, OTHER, "Beta Logistics")
    add_connection(inv, "pc-a", OTHER, 1, "500M", id="pc-hosted0001")
    config = base_config(platform, "GigabitEthernet0/0/1")
    config = apply(platform, config, "interface GigabitEthernet0/0/2\n description circuit B\n")
    config = apply(platform, config, render_fleet(inv, action="create")["acc-01"])
    if extra_config:
        config = apply(platform, config, extra_config)
    state = build_state("acc-01", platform, {config_command(platform): config})
    for name in state.interfaces:   # counters are runtime data, not configuration
        state.counters[name] = Counters(name, 1, 2, 3, 4, 0, 0, 0, 0)
    return inv, {"acc-01": state}


def run(inv, states, circuit="pc-a", tenant=TENANT, bandwidth="200M", vlan="auto", **kw):
    return plan(inv, circuit, tenant, bandwidth, vlan, now=kw.pop("now", NOW), states=states, **kw)


def rules(findings):
    return sorted({f.rule for f in findings})


@pytest.mark.parametrize("platform", ["huawei", "cisco_ios"])
def test_clean_proposal_may_be_created_with_config_and_api_call(platform):
    inv, states = fleet(platform)
    result = run(inv, states, address="10.9.0.1/30", connection_id=None)
    assert result.verdict == "may be created" and result.exit_code == 0, [f.message for f in result.blockers]
    assert result.connection.vlan == 2                       # lowest free: VLAN 1 is taken, never 0
    assert "GigabitEthernet0/0/1.2" in result.config and "10.9.0.1 255.255.255.252" in result.config
    token = result.request.pop("Token")
    assert result.request == {
        "RegionId": "cn-hangzhou", "PhysicalConnectionId": "pc-a", "VlanId": 2, "Spec": "200M",
        "VpconnAliUid": int(TENANT), "OrderMode": "PayByVirtualPhysicalConnectionOwner",   # an integer (Long) in the SDK
        "Name": "ecp-Acme-vlan2", "Description": f"ECP pending tenant {TENANT} Acme"}
    assert token.startswith("ecp-") and token == run(inv, states, address="10.9.0.1/30").request["Token"]
    words = shlex.split(result.command)
    assert words[:3] == ["aliyun", "vpc", "CreateVirtualPhysicalConnection"]
    assert dict(zip(words[3::2], words[4::2]))["--Description"] == f"ECP pending tenant {TENANT} Acme"
    assert {"vlan-unique", "circuit-capacity", "permission-valid", "device-reachable", "config-drift"} <= set(rules(result.passed))
    # another connection's own (per-interface) ARP limit says nothing of the new one: not counted as ours; a
    # device-wide one (the router's control-plane policy) covers the new connection too
    device_wide = any(r.scope == SCOPE_DEVICE for r in states["acc-01"].limits(ARP))
    assert ("arp-rate-limit" in rules(result.passed)) == device_wide


def test_auto_vlan_skips_a_vlan_the_device_already_carries():
    inv, states = fleet("huawei", "interface GigabitEthernet0/0/1.2\n vlan-type dot1q 2\n")
    assert run(inv, states).connection.vlan == 3


def test_auto_vlan_skips_the_outer_tag_of_a_qinq_subinterface_and_names_it():
    inv, states = fleet("cisco_ios", "interface GigabitEthernet0/0/1.2\n encapsulation dot1Q 2 second-dot1q 15\n")
    assert run(inv, states).connection.vlan == 3           # 1: the inventory's; 2: the QinQ outer tag on the wire
    blocked = run(inv, states, vlan=2)
    assert blocked.verdict == "blocked"
    assert any("GigabitEthernet0/0/1.2 with QinQ outer VLAN 2 inner VLAN 15" in f.message for f in blocked.blockers)


def test_used_vlan_blocks_in_inventory_and_on_the_device():
    inv, states = fleet()
    result = run(inv, states, vlan=1)
    assert result.exit_code == 1 and result.verdict == "blocked"
    assert rules(result.blockers) == ["config-drift", "vlan-unique"]
    assert any("belongs to pc-hosted0001" in f.message for f in result.blockers)


def test_orphan_subinterface_on_the_device_blocks_an_explicit_vlan():
    inv, states = fleet("cisco_ios", "interface GigabitEthernet0/0/1.7\n encapsulation dot1Q 7\n")
    result = run(inv, states, vlan=7)
    assert rules(result.blockers) == ["config-drift"]
    assert "no hosted connection in the inventory owns it" in result.blockers[0].message


def test_capacity_spec_site_and_permission_block():
    inv, states = fleet()
    assert rules(run(inv, states, bandwidth="1G").blockers) == ["circuit-capacity"]       # 500M + 1G > 1G
    assert rules(run(inv, states, bandwidth="150M").blockers) == ["spec-valid"]
    late = run(inv, states, now=NOW + timedelta(days=3))
    assert rules(late.blockers) == ["permission-valid"] and "Invalid Bandwidth parameter" in late.blockers[0].message
    inv.tenants[TENANT] = replace(inv.tenants[TENANT], site="international")
    assert rules(run(inv, states).blockers) == ["same-site"]


def test_two_gigabit_spec_is_a_warning_not_a_blocker():
    inv, states = fleet()
    result = run(inv, states, circuit="pc-b", bandwidth="2G")
    assert result.exit_code == 0 and rules(result.warnings) == ["spec-valid"]


def test_problems_of_other_connections_are_context_not_blockers():
    inv, states = fleet()
    add_connection(inv, "pc-b", OTHER, 3001, "150M", status="pending", id="pc-broken")
    result = run(inv, states, circuit="pc-a")
    assert result.exit_code == 0
    assert {"vlan-range", "spec-valid"} <= set(rules(result.context))
    assert all(f.subject["hosted_connection"] == "pc-broken" for f in result.context if f.rule != "ha-spread")


def test_vlan_zero_needs_the_whole_circuit():
    inv, states = fleet()
    blocked = run(inv, states, circuit="pc-a", vlan=0)
    assert "vlan-zero-exclusive" in rules(blocked.blockers)
    free = run(inv, states, circuit="pc-b", vlan=0, address="10.0.0.1/30")
    assert free.exit_code == 0, [f.message for f in free.blockers]
    assert "interface GigabitEthernet0/0/2\n" in free.config and ".0" not in free.config.split("interface ")[1].split()[0]
    # and a VLAN N beside an existing VLAN 0 connection is blocked too
    add_connection(inv, "pc-b", OTHER, 0, "100M", id="pc-zero")
    assert "vlan-zero-exclusive" in rules(run(inv, states, circuit="pc-b").blockers)


def test_device_that_fails_device_rules_is_not_ready():
    inv, states = fleet("huawei", "icmp rate-limit enable\nicmp rate-limit total threshold 300\n")
    result = run(inv, states)
    assert rules(result.blockers) == ["icmp-rate-limit"]


def test_another_connections_missing_arp_limit_is_context_not_a_blocker():
    """Its own interface lacks the limit; the new connection's configuration brings its own."""
    inv, states = fleet("huawei", "interface GigabitEthernet0/0/1.1\n undo arp rate-limit 1\n")
    result = run(inv, states)
    assert result.exit_code == 0 and result.blockers == []
    assert [(f.rule, f.subject["hosted_connection"]) for f in result.context] == [("arp-rate-limit", "pc-hosted0001")]
    assert "arp rate-limit 1" in result.config


def test_another_connections_missing_subinterface_is_context_not_a_blocker():
    inv, states = fleet()
    del states["acc-01"].interfaces["GigabitEthernet0/0/1.1"]      # pc-hosted0001 is not on the device
    result = run(inv, states)
    assert result.exit_code == 0 and result.applicable, [f.message for f in result.blockers]
    assert {"monitoring-enabled", "arp-rate-limit"} <= set(rules(result.context))
    assert {f.subject["hosted_connection"] for f in result.context} == {"pc-hosted0001"}


def test_a_device_wide_arp_limit_is_the_devices_problem_shown_once():
    """A device-wide ARP policer in bps covers every tenant, the new one too: a warning of ours (not
    blocking), judged once however many connections it covers, never context."""
    from ecpartner.state import ARP, BPS, SCOPE_DEVICE, RateLimit

    inv, states = fleet("huawei", "interface GigabitEthernet0/0/1.1\n undo arp rate-limit 1\n"
                                  "interface GigabitEthernet0/0/2.5\n vlan-type dot1q 5\n statistic enable\n")
    add_connection(inv, "pc-b", OTHER, 5, "100M", id="pc-hosted0002")    # two connections under the one policer
    states["acc-01"].rate_limits.append(RateLimit(ARP, SCOPE_DEVICE, 64000, BPS, "car arp cir 64"))
    result = run(inv, states)
    assert result.exit_code == 0
    arp = [f for f in result.warnings if f.rule == "arp-rate-limit"]
    assert len(arp) == 1 and "bps policer cannot be judged" in arp[0].message
    assert not [f for f in result.context if f.rule == "arp-rate-limit"]


def test_unreachable_device_and_missing_circuit_port_block():
    inv, states = fleet()
    del states["acc-01"].interfaces["GigabitEthernet0/0/2"]
    result = run(inv, states, circuit="pc-b")
    assert rules(result.blockers) == ["config-drift"] and "is not configured on acc-01" in result.blockers[0].message


def test_unreachable_device_blocks_with_exit_3():
    inv, _ = fleet()
    result = run(inv, {}, failures={"acc-01": "ssh: connection timed out"})
    assert result.exit_code == 3 and "device-reachable" in rules(result.blockers)


def test_ha_tenant_first_connection_gets_advice_not_a_block():
    inv, states = fleet()
    inv.tenants[TENANT] = replace(inv.tenants[TENANT], ha=True)
    result = run(inv, states)
    assert result.exit_code == 0
    assert rules(result.advice) == ["ha-spread"] and result.advice[0].actual["tenant"] == TENANT


def test_bad_input_names_every_problem():
    inv, states = fleet()
    with pytest.raises(InputError) as e:
        plan(inv, "pc-nope", "42", "fast", "auto", address="10.0.0.0/30", now=NOW, states=states)
    text = str(e.value)
    for part in ("--circuit 'pc-nope'", "--tenant '42'", "--bandwidth", "network or broadcast"):
        assert part in text
    assert len(e.value.messages) == 4


def test_unsafe_tenant_name_is_bad_input():
    inv, states = fleet()
    inv.tenants[TENANT] = replace(inv.tenants[TENANT], name="Acme\nreboot")
    with pytest.raises(InputError, match="tenant 1987654321098765 name"):
        run(inv, states)


# ---------------------------------------------------------------- --vlan auto and the VLAN pool

def pooled(pool=None, reserved=None, partner_pool=None, partner_reserved=None):
    inv, states = fleet()
    inv.circuits["pc-a"] = replace(inv.circuits["pc-a"], vlan_pool=pool and parse_vlan_ranges(pool),
                                   reserved_vlans=reserved and parse_vlan_ranges(reserved))
    inv.partner = replace(inv.partner, vlan_pool=partner_pool and parse_vlan_ranges(partner_pool),
                          reserved_vlans=partner_reserved and parse_vlan_ranges(partner_reserved))
    return inv, states


def test_auto_takes_the_lowest_free_vlan_of_the_circuit_pool():
    inv, states = pooled("100-199,300")
    add_connection(inv, "pc-a", OTHER, 100, "50M", id="pc-x100")
    result = run(inv, states)
    assert result.connection.vlan == 101 and result.exit_code == 0
    assert "GigabitEthernet0/0/1.101" in result.config


def test_reserved_vlans_are_never_taken_and_the_partner_pool_is_the_default():
    inv, states = pooled(partner_pool="200-299", partner_reserved="200-204")
    assert run(inv, states).connection.vlan == 205
    inv, states = pooled(pool="300-310", reserved="300", partner_pool="200-299", partner_reserved="301")
    assert run(inv, states).connection.vlan == 301      # the circuit's own keys replace the partner's
    inv, states = pooled(partner_pool="200-299", partner_reserved="200-204")
    inv.circuits["pc-a"] = replace(inv.circuits["pc-a"], reserved_vlans=())      # reserved_vlans: [] on the circuit
    assert run(inv, states).connection.vlan == 200


def test_vlan_1_only_when_the_pool_names_it_and_vlan_0_never():
    def free_vlan_1(inv, states):
        inv.hosted_connections.clear()
        del states["acc-01"].interfaces["GigabitEthernet0/0/1.1"]
        return inv, states

    inv, states = free_vlan_1(*fleet())
    assert run(inv, states).connection.vlan == 2       # the default pool is 2..2999
    inv, states = free_vlan_1(*pooled("0-5"))
    assert run(inv, states).connection.vlan == 1       # the pool allows 1; 0 is never chosen automatically
    inv, states = pooled("0")
    result = run(inv, states)
    assert result.exit_code == 1 and result.connection.vlan == -1 and result.config is None


def test_exhausted_pool_is_a_clear_blocker():
    inv, states = pooled("1-3", reserved="3")          # 1 is taken by pc-hosted0001, 2 is on the device below
    states["acc-01"].interfaces["GigabitEthernet0/0/1.2"] = replace(
        states["acc-01"].interfaces["GigabitEthernet0/0/1.1"], name="GigabitEthernet0/0/1.2", vlan=2)
    result = run(inv, states)
    assert result.exit_code == 1 and [f.rule for f in result.blockers] == ["vlan-unique"]
    message = result.blockers[0].message
    assert "pool 1-3 (circuit vlan_pool) is exhausted" in message and "reserved 3" in message
    assert "--vlan N" in message


def test_an_explicit_vlan_is_taken_as_given_with_a_warning_outside_the_pool_or_reserved():
    inv, states = pooled("100-199", reserved="150")
    outside = run(inv, states, vlan=7)
    assert outside.connection.vlan == 7 and outside.exit_code == 0
    assert [f.message for f in outside.warnings] == ["VLAN 7 (given with --vlan) is outside the circuit vlan_pool "
                                                     "100-199 of circuit pc-a"]
    reserved = run(inv, states, vlan=150)
    assert reserved.exit_code == 0 and "is reserved on circuit pc-a (reserved_vlans 150)" in reserved.warnings[0].message
    assert run(inv, states, vlan=120).warnings == []
    inv, states = fleet()                            # no pool configured: nothing to say
    assert run(inv, states, vlan=7).warnings == []
