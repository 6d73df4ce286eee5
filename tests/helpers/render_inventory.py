"""Inventories for render tests, built in Python (no YAML needed): one access device per platform."""

from __future__ import annotations

from pathlib import Path

from ecpartner.inventory import (Circuit, Credentials, Device, HostedConnection, Inventory, Partner, Tenant,
                                 Thresholds, parse_bandwidth)

from helpers.platforms import PLATFORMS, lab  # noqa: F401  (PLATFORMS: the render tests' parameter)


def empty_inventory(**thresholds) -> Inventory:
    return Inventory(
        path=Path("inventory.yaml"),
        partner=Partner("Example Telecom", "China Telecom", "china", "1234567890123456"),
        thresholds=Thresholds(**thresholds), devices={},
        credentials={"default": Credentials("default", "ECP_USERNAME", "ECP_PASSWORD")},
        circuits={}, tenants={}, hosted_connections=[])


def add_device(inv: Inventory, name: str, platform: str, family: str = "router") -> None:
    inv.devices[name] = Device(name, "192.0.2.11", platform, "access", "default", family=family)


def add_circuit(inv: Inventory, cid: str, device: str, interface: str, region: str = "cn-hangzhou") -> None:
    inv.circuits[cid] = Circuit(cid, region, "ap-cn-hangzhou-yh-B", parse_bandwidth("10G"), device, interface)


def add_tenant(inv: Inventory, account: str, name: str, users: int = 1) -> None:
    inv.tenants[account] = Tenant(account, name, "china", False, users)


def add_connection(inv: Inventory, circuit: str, tenant: str, vlan: int, bandwidth: str = "200M",
                   status: str = "enabled", id: str | None = None, address: str | None = None) -> HostedConnection:
    hc = HostedConnection(circuit, tenant, vlan, parse_bandwidth(bandwidth), bandwidth, status, id, address)
    inv.hosted_connections.append(hc)
    return hc


def golden_inventory(platform: str, family: str = "router") -> Inventory:
    """Two circuits on one access device: VLAN 100 (address, 2 users), VLAN 101 (disabled), and VLAN 0."""
    inv = empty_inventory()
    add_device(inv, "acc-01", platform, family)
    port_a, port_b = lab(platform)["render"]["golden_ports"]
    add_circuit(inv, "pc-circuit-a", "acc-01", port_a)
    add_circuit(inv, "pc-circuit-b", "acc-01", port_b)
    add_tenant(inv, "1987654321098765", "Acme", users=2)
    add_tenant(inv, "1100000000000002", "Beta Logistics")
    add_connection(inv, "pc-circuit-a", "1987654321098765", 100, "200M", id="pc-hosted0001", address="10.100.0.1/30")
    add_connection(inv, "pc-circuit-a", "1100000000000002", 101, "1G", status="disabled", id="pc-hosted0002")
    add_connection(inv, "pc-circuit-b", "1100000000000002", 0, "500M", id="pc-hosted0003", address="10.200.0.1/31")
    return inv


# The golden render cases of golden_inventory: case name -> render_fleet arguments; each platform has
# tests/platforms/<platform>/render/<case>.cfg for each.
_ALL = ["pc-hosted0001", "pc-hosted0002", "pc-hosted0003"]
GOLDEN_CASES = {
    "create": dict(ids=None, action="create"),
    "disable": dict(ids=_ALL, action="disable"),
    "enable": dict(ids=_ALL, action="enable"),
    "enable-dry-run": dict(ids=_ALL, action="enable", dry_run=True),   # DryRun where the API has it
    "delete": dict(ids=_ALL, action="delete"),
    "modify-vlan": dict(ids=["pc-hosted0001"], action="modify-vlan", new_vlan=200),
    "modify-vlan-from-vlan0": dict(ids=["pc-hosted0003"], action="modify-vlan", new_vlan=7),
}
