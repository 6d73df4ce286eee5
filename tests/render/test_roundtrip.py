"""Round trip: what `render` produces, applied to a realistic running-config, parsed back by the
project's own TTP templates and checked by its own rules, passes for that connection; `delete`
removes the connection's interface again. Property-based over VLANs 0..2999, every valid spec,
every platform and device family it renders (lab.yaml render.families), several interface names,
users and addresses."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ecpartner.parse import build_state
from ecpartner.render import connection_view, render_fleet
from ecpartner.rules import Context, evaluate
from ecpartner.placement import Placements
from ecpartner.state import ARP, QOS, Counters

from helpers.platforms import PLATFORM_FAMILIES, PLATFORMS, base_config, config_command, lab
from helpers.render_device_apply import apply, without_port_wide
from helpers.render_inventory import add_circuit, add_connection, add_device, add_tenant, empty_inventory

SPECS = ["50M", "100M", "200M", "300M", "400M", "500M", "1G", "2G", "5G", "8G", "10G"]
PORTS = {platform: lab(platform)["render"]["ports"] for platform in PLATFORMS}
ROUND_TRIP_RULES = ["qos-bandwidth-limit", "config-drift", "monitoring-enabled", "arp-rate-limit"]
HOSTED = "pc-hosted0001"


def one_connection(platform, port, vlan, spec, status="enabled", users=1, address=None, family="router"):
    inv = empty_inventory()
    add_device(inv, "acc-01", platform, family)
    add_circuit(inv, "pc-circuit01", "acc-01", port)
    add_tenant(inv, "1987654321098765", "Acme", users=users)
    hc = add_connection(inv, "pc-circuit01", "1987654321098765", vlan, spec, status=status, id=HOSTED, address=address)
    return inv, hc


def carried(inv, hc, state):
    """The interface of `state` that carries hc, as every stage finds it."""
    return Placements(inv, {state.device: state}).of(hc).interface


def parsed(platform, config):
    state = build_state("acc-01", platform, {config_command(platform): config})
    for name in state.interfaces:   # counters are runtime data the device reports, not configuration
        state.counters[name] = Counters(name, 1, 2, 3, 4, 0, 0, 0, 0)
    return state


def check_passes(inv, hc, state):
    findings = evaluate(Context(inventory=inv, states={"acc-01": state}), only=ROUND_TRIP_RULES)
    mine = [f for f in findings if f.subject["hosted_connection"] == HOSTED]
    problems = [f"{f.rule}: {f.status}: {f.message}" for f in findings if f.status != "pass"]
    assert not problems, "\n".join(problems)
    expected = set(ROUND_TRIP_RULES) if hc.status == "enabled" else {"config-drift"}
    assert {f.rule for f in mine} == expected
    return findings


@st.composite
def connections(draw):
    platform, family = draw(st.sampled_from(PLATFORM_FAMILIES))
    return dict(platform=platform, family=family, port=draw(st.sampled_from(PORTS[platform])),
                vlan=draw(st.integers(0, 2999)), spec=draw(st.sampled_from(SPECS)),
                status=draw(st.sampled_from(["enabled", "enabled", "disabled"])),
                users=draw(st.integers(1, 5)),
                address=draw(st.sampled_from([None, "10.100.0.1/30", "172.16.5.9/29", "10.0.0.0/31"])))


SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def platform_examples(test: str):
    """The cases lab.yaml `render.round_trip_examples.<test>` names: always tried besides the drawn ones."""
    def decorate(function):
        for platform in PLATFORMS:
            for case in lab(platform)["render"].get("round_trip_examples", {}).get(test, ()):
                function = example(dict(platform=platform, **{"family": "router", **case}))(function)
        return function
    return decorate


@SLOW
@given(connections())
@platform_examples("create")
def test_create_round_trip_passes_the_rules(case):
    platform = case["platform"]
    inv, hc = one_connection(**case)
    config = apply(platform, base_config(platform, case["port"], case["family"]),
                   render_fleet(inv, action="create")["acc-01"])
    state = parsed(platform, config)
    iface = carried(inv, hc, state)
    assert iface is not None and iface.vlan == (hc.vlan or None)
    assert iface.description and HOSTED in iface.description and "1987654321098765" in iface.description
    check_passes(inv, hc, state)


@SLOW
@given(connections())
@platform_examples("delete")
def test_delete_removes_the_interface(case):
    platform, port = case["platform"], case["port"]
    inv, hc = one_connection(**case)
    base = base_config(platform, port, case["family"])
    created = apply(platform, base, render_fleet(inv, action="create")["acc-01"])
    deleted_text = render_fleet(inv, [HOSTED], action="delete")["acc-01"]
    deleted = apply(platform, created, deleted_text)
    state = parsed(platform, deleted)
    if hc.vlan:
        assert f"{port}.{hc.vlan}" in deleted_text and carried(inv, hc, state) is None
        # back to exactly the base config (but for settings the port shares with its other tenants: lab.yaml)
        assert (parsed(platform, without_port_wide(platform, deleted, port)).to_dict()
                == parsed(platform, without_port_wide(platform, base, port)).to_dict())
    else:   # VLAN 0: the port itself stays, stripped of the tenant and shut down
        port_state = state.interfaces[port]
        assert port_state.shutdown and not port_state.addresses and port_state.description is None
        assert not state.limits(QOS, port) and not [r for r in state.limits(ARP, port) if r.interface == port]
    # the cloud runbook first, in the guide's order, the device teardown last
    steps = ("aliyun vpc DescribeVirtualBorderRoutersForPhysicalConnection", "aliyun vpc TerminateVirtualBorderRouter",
             "aliyun vpc DeleteVirtualBorderRouter", "aliyun vpc TerminatePhysicalConnection",
             "aliyun vpc DeletePhysicalConnection", f"the lines below ({connection_view(inv, hc).interface})")
    order = [deleted_text.index(s) for s in steps]
    assert order == sorted(order)


@SLOW
@given(connections(), st.integers(0, 2999))
def test_modify_vlan_round_trip(case, new_vlan):
    platform = case["platform"]
    if new_vlan == case["vlan"]:
        new_vlan = (new_vlan + 1) % 3000
    inv, hc = one_connection(**case)
    created = apply(platform, base_config(platform, case["port"], case["family"]),
                    render_fleet(inv, action="create")["acc-01"])
    modified = render_fleet(inv, [HOSTED], action="modify-vlan", new_vlan=new_vlan)["acc-01"]
    state = parsed(platform, apply(platform, created, modified))
    inv.hosted_connections[0] = moved = hc.__class__(**{**hc.__dict__, "vlan": new_vlan})
    if hc.vlan:
        assert carried(inv, hc, state) is None
    check_passes(inv, moved, state)


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("platform,family", PLATFORM_FAMILIES, ids=[f"{p}-{f}" for p, f in PLATFORM_FAMILIES])
def test_every_spec_round_trips_on_every_platform_and_family(platform, family, spec):
    """Deterministic complement to the property tests: every spec x platform x family, at both VLAN extremes."""
    for vlan, port in ((0, PORTS[platform][1]), (2999, PORTS[platform][2])):
        inv, hc = one_connection(platform, port, vlan, spec, users=3, address="10.100.0.1/30", family=family)
        config = apply(platform, base_config(platform, port, family), render_fleet(inv, action="create")["acc-01"])
        check_passes(inv, hc, parsed(platform, config))
