"""A device-wide ARP limit (IOS-XR LPTS) covers every user of the device: whatever one file enables, disables,
deletes or creates, the rate it sets is arp_pps_per_user x the users of the device's enabled connections once
the whole file is applied (render_device's arp_pps: enabled and pending connections), so the arp-rate-limit rule finds exactly the threshold per user afterwards."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ecpartner.parse import build_state
from ecpartner.render import render_fleet
from ecpartner.rules import Context, evaluate

from helpers.platforms import base_config
from helpers.render_device_apply import apply
from helpers.render_inventory import add_circuit, add_connection, add_device, add_tenant, empty_inventory

PLATFORM = "cisco_xr"


def fleet():
    """One XR device, two circuits, four tenants of 1, 2, 3 and 4 users; the 4-user one disabled."""
    inv = empty_inventory()
    add_device(inv, "acc-01", PLATFORM)
    add_circuit(inv, "pc-a", "acc-01", "TenGigE0/0/0/0")
    add_circuit(inv, "pc-b", "acc-01", "Bundle-Ether80")
    for n, users in enumerate((1, 2, 3, 4), 1):
        add_tenant(inv, f"130000000000031{n}", f"T{n}", users=users)
    add_connection(inv, "pc-a", "1300000000000311", 100, "200M", id="pc-h1")
    add_connection(inv, "pc-a", "1300000000000312", 101, "200M", id="pc-h2")
    add_connection(inv, "pc-b", "1300000000000313", 200, "1G", id="pc-h3")
    add_connection(inv, "pc-b", "1300000000000314", 201, "1G", status="disabled", id="pc-h4")
    return inv


def parsed(config: str):
    return build_state("acc-01", PLATFORM, {"show running-config": config})


def rates(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if "protocol arp" in line}


@pytest.mark.parametrize("action, ids, expected", [
    ("create", None, {"protocol arp rate 6"}),                          # 1 + 2 + 3 enabled users
    ("enable", ["pc-h4"], {"protocol arp rate 10"}),                    # + the 4 users of pc-h4
    ("disable", ["pc-h1", "pc-h2"], {"protocol arp rate 3"}),           # pc-h3's 3 users are left
    ("delete", ["pc-h1", "pc-h2", "pc-h3"], {"no protocol arp"}),       # nobody left: the platform default
    ("delete", ["pc-h4"], {"protocol arp rate 6"}),                     # a disabled one held no user
    ("modify-vlan", ["pc-h1"], {"protocol arp rate 6"}),                # the same users on another VLAN
])
def test_one_rate_for_the_whole_file(action, ids, expected):
    text = render_fleet(fleet(), ids, action=action, **({"new_vlan": 150} if action == "modify-vlan" else {}))["acc-01"]
    assert rates(text) == expected


def test_after_disabling_two_the_rule_finds_one_pps_per_remaining_user():
    inv = fleet()
    config = apply(PLATFORM, base_config(PLATFORM, "TenGigE0/0/0/0"), render_fleet(inv, action="create")["acc-01"])
    config = apply(PLATFORM, config, render_fleet(inv, ["pc-h1", "pc-h2"], action="disable")["acc-01"])
    inv.hosted_connections[:2] = [replace(hc, status="disabled") for hc in inv.hosted_connections[:2]]
    state = parsed(config)
    findings = [f for f in evaluate(Context(inventory=inv, states={"acc-01": state}), only=["arp-rate-limit"])]
    assert [(f.subject["hosted_connection"], f.status, f.actual["per_user_pps"]) for f in findings] == [("pc-h3", "pass", 1)]
