"""Vendor-neutral assembly of RAW SCHEMA records the parser cases do not all show: a profile limit that
names no direction, a CPU protection class without a classifier, statistics of one direction and device-wide
statistics settings."""

from __future__ import annotations

from ecpartner.parse.assemble import _Assembler
from ecpartner.platforms import platform_spec
from ecpartner.state import DeviceState


def assembled(raw: dict, platform: str = "huawei") -> DeviceState:
    state = DeviceState("dev", platform)
    _Assembler(raw, platform_spec(platform), state).run()
    return state


def test_profile_limit_without_direction_serves_the_direction_it_is_applied_in():
    state = assembled({
        "profiles": [{"name": "P", "limits": [{"rate": 1000, "unit": "kbps", "source": "car cir 1000"},
                                              {"rate": 500, "unit": "kbps", "direction": "inbound", "source": "in"}]}],
        "interfaces": [{"name": "GE0/0/1.5", "vlan": 5,
                        "qos": [{"direction": "outbound", "profile": "P"}, {"direction": "inbound", "profile": "Q"}]}]})
    assert [(r.direction, r.rate, r.source) for r in state.rate_limits] == [("out", 1_000_000, "car cir 1000")]
    assert state.notes == ["GE0/0/1.5: profile Q is not defined"]


def test_protocol_class_of_a_policy_applied_twice_is_one_device_limit():
    state = assembled({
        "policies": [{"name": "cpu 1", "classes": [{"protocol": "ARP", "rate": 64, "unit": "kbps", "source": "arp 64"},
                                                 {"protocol": "icmp", "rate": 100, "unit": "pps", "source": "icmp 100"}]}],
        "control_plane": [{"policy": "cpu 1", "source": "slot 1"}, {"policy": "cpu 1", "source": "slot 2"}],
        "interfaces": [{"name": "GE0/0/1"}]})
    assert [(r.kind, r.scope, r.rate, r.unit, r.source) for r in state.rate_limits] == [
        ("arp", "device", 64_000, "bps", "arp 64, applied by slot 1"),
        ("icmp", "device", 100, "pps", "icmp 100, applied by slot 1")]


def test_statistics_of_one_direction_and_a_platform_that_counts_anyway():
    raw = {"interfaces": [{"name": "GE0/0/1.5", "vlan": 5, "statistics": "out"},
                          {"name": "GE0/0/1.6", "vlan": 6, "statistics": True},
                          {"name": "GE0/0/1.7", "outer_vlan": 7, "inner_vlan": 70, "vlan": 7}]}
    huawei = assembled(raw).interfaces
    assert (huawei["GE0/0/1.5"].statistics, huawei["GE0/0/1.5"].statistics_only) == (False, "out")
    assert (huawei["GE0/0/1.6"].statistics, huawei["GE0/0/1.6"].statistics_only) == (True, None)
    qinq = huawei["GE0/0/1.7"]
    assert (qinq.vlan, qinq.outer_vlan, qinq.inner_vlan, qinq.double_tagged) == (None, 7, 70, True)
    # subinterfaces that count traffic by default count both directions whatever a record says
    cisco = assembled(raw, "cisco_ios").interfaces
    assert (cisco["GE0/0/1.5"].statistics, cisco["GE0/0/1.5"].statistics_only) == (True, None)


def test_device_wide_statistics_count_every_subinterface_in_the_directions_they_name():
    subinterfaces = [{"name": "GE0/0/1.5", "vlan": 5}, {"name": "GE0/0/1.6", "vlan": 6, "statistics": True}]
    both = assembled({"statistics": [{"applies_to": "subinterface", "direction": "out"},
                                     {"applies_to": "subinterface", "direction": "in"}],
                      "interfaces": [{"name": "GE0/0/1"}, *subinterfaces]}).interfaces
    assert [(i.statistics, i.statistics_only) for i in both.values()] == [(True, None)] * 3
    one = assembled({"statistics": [{"applies_to": "subinterface", "direction": "in"}],
                     "interfaces": subinterfaces}).interfaces
    # one direction device wide: that direction only, unless the interface itself counts both
    assert [(i.statistics, i.statistics_only) for i in one.values()] == [(False, "in"), (True, None)]
    undirected = assembled({"statistics": [{"applies_to": "subinterface"}], "interfaces": subinterfaces[:1]})
    assert undirected.interfaces["GE0/0/1.5"].statistics
    assert not assembled({"interfaces": subinterfaces[:1]}).interfaces["GE0/0/1.5"].statistics   # huawei default
