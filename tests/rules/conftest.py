"""A small builder for rule tests: inventories and device states in Python, no files."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from ecpartner.inventory import (Circuit, Credentials, Device, HostedConnection, Inventory, Partner, Permission,
                                 Tenant, Thresholds, parse_bandwidth)
from ecpartner.rules import RULES, Context
from ecpartner.state import Counters, DeviceState, Interface, RateLimit

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)


class Fleet:
    """Build an inventory step by step; `state(device)` gives that device's (empty) DeviceState."""

    def __init__(self, carrier: str = "China Telecom", site: str = "china", permission: Permission | None = None,
                 **thresholds):
        self.inventory = Inventory(
            path=Path("inventory.yaml"),
            partner=Partner("Example Telecom", carrier, site, "1234567890123456", permission),
            thresholds=Thresholds(**thresholds),
            devices={}, credentials={"default": Credentials("default", "ECP_USERNAME", "ECP_PASSWORD")},
            circuits={}, tenants={}, hosted_connections=[])
        self.states: dict[str, DeviceState] = {}
        self.failures: dict[str, str] = {}

    def device(self, name: str, role: str = "access", platform: str = "huawei") -> Fleet:
        self.inventory.devices[name] = Device(name, "192.0.2.1", platform, role, "default")
        return self

    def circuit(self, cid: str, device: str = "acc1", interface: str = "GE0/0/1", region: str = "cn-hangzhou",
                ap: str = "ap-1", capacity: str = "10G", status: str = "enabled") -> Fleet:
        if device not in self.inventory.devices:
            self.device(device)
        self.inventory.circuits[cid] = Circuit(cid, region, ap, parse_bandwidth(capacity), device, interface, status)
        return self

    def tenant(self, account: str = "t1", site: str = "china", ha: bool = False, users: int = 1) -> Fleet:
        self.inventory.tenants[account] = Tenant(account, f"Tenant {account}", site, ha, users)
        return self

    def connection(self, circuit: str, vlan: int, bandwidth: str = "200M", status: str = "enabled",
                   tenant: str = "t1", id: str | None = "auto", address: str | None = None) -> HostedConnection:
        if tenant not in self.inventory.tenants:
            self.tenant(tenant)
        hc = HostedConnection(circuit, tenant, vlan, parse_bandwidth(bandwidth), bandwidth, status,
                              f"hc-{circuit}-{vlan}" if id == "auto" else id, address)
        self.inventory.hosted_connections.append(hc)
        return hc

    # -- device state -------------------------------------------------------------------------------------------
    def state(self, device: str) -> DeviceState:
        if device not in self.states:
            self.states[device] = DeviceState(device, self.inventory.devices[device].platform)
        return self.states[device]

    def port(self, device: str, name: str, **kw) -> Interface:
        iface = Interface(name, **kw)
        self.state(device).interfaces[name] = iface
        return iface

    def sub(self, device: str, port: str, vlan: int | None, name: str | None = None, counters: bool = True,
            **kw) -> Interface:
        iface = Interface(name or f"{port}.{vlan}", parent=port, vlan=vlan, **kw)
        self.state(device).interfaces[iface.name] = iface
        if counters:
            self.counters(device, iface.name)
        return iface

    def counters(self, device: str, interface: str, **kw) -> Counters:
        values = dict(in_octets=1, out_octets=2, in_packets=3, out_packets=4, in_discards=0, out_discards=0)
        values.update(kw)
        c = Counters(interface, **values)
        self.state(device).counters[interface] = c
        return c

    def limit(self, device: str, kind: str, scope: str, rate: float | None, unit: str, interface: str | None = None,
              direction: str | None = None, default_threshold: bool = False, source: str = "test") -> RateLimit:
        r = RateLimit(kind, scope, rate, unit, source, interface, direction, default_threshold)
        self.state(device).rate_limits.append(r)
        return r

    def qos(self, device: str, interface: str, bps: float, directions=("in", "out")) -> None:
        for d in directions:
            self.limit(device, "qos", "interface", bps, "bps", interface=interface, direction=d)

    def fail_device(self, device: str, reason: str) -> None:
        self.states.pop(device, None)
        self.failures[device] = reason

    def context(self, now: datetime = NOW) -> Context:
        return Context(self.inventory, dict(self.states), dict(self.failures), now)

    def run(self, rule_id: str, now: datetime = NOW) -> list:
        return list(RULES[rule_id].func(self.context(now)))

    @staticmethod
    def only(findings: list, **subject_values) -> list:
        """The findings whose subject has all the given values."""
        return [f for f in findings if all(f.subject[k] == v for k, v in subject_values.items())]

    @classmethod
    def one(cls, findings: list, **subject_values):
        matches = cls.only(findings, **subject_values)
        assert len(matches) == 1, f"expected one finding for {subject_values}, got {matches}"
        return matches[0]


@pytest.fixture
def fleet() -> Fleet:
    return Fleet()


@pytest.fixture
def make_fleet():
    """Fleet with options: make_fleet(carrier=..., permission=..., icmp_min_pps=...)."""
    return Fleet
