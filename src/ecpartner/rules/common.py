"""What the rules share: how to say that a connection's interface is missing or its device could not be
evaluated, and small formatting helpers. Vendor-neutral: reads only inventory, state and placements."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timezone

from ecpartner.findings import SEV_ERROR, ERROR, FAIL, PASS, Finding, subject
from ecpartner.inventory import HostedConnection, Inventory, format_bandwidth
from ecpartner.placement import Placement


def bw(bps: float | int | None) -> str:
    """Bandwidth as the API spells specs (200M, 1G); 'none' when unknown."""
    return "none" if bps is None else format_bandwidth(int(round(bps)))


def number(value: float | None) -> float | int | None:
    """Whole floats as ints, so 1.024e9 reads 1024000000 in JSON."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def connection_subject(inv: Inventory, hc: HostedConnection, interface: str | None = None) -> dict:
    circuit = inv.circuits[hc.circuit]
    return subject(circuit=hc.circuit, hosted_connection=hc.key, device=circuit.device, interface=interface,
                   region=circuit.region, tenant=hc.tenant)


def missing_interface_message(placement: Placement) -> str:
    """Why no interface carries the connection: port missing, or no subinterface with that VLAN (and a
    misleading name)."""
    circuit, state, vlan = placement.circuit, placement.state, placement.connection.vlan
    if state is not None and circuit.interface not in state.interfaces:
        return f"port {circuit.interface} is not configured on {circuit.device}"
    if vlan == 0:
        return f"port {circuit.interface} (VLAN 0, routed) is not configured on {circuit.device}"
    text = f"{circuit.device} has no subinterface of {circuit.interface} with dot1q VLAN {vlan}"
    clash = placement.misnamed
    if clash is not None:
        carried = f"VLAN {clash.vlan}" if clash.vlan is not None else clash.encapsulation
        text += f" ({clash.name} exists but carries {carried})"
    return text


def unavailable(ctx, device: str) -> str | None:
    """None when the device's state was collected; otherwise why not."""
    if device in ctx.states:
        return None
    return ctx.failures.get(device, "no state collected")


def not_evaluated(rule_id: str, severity: str, subj: dict, device: str, reason: str) -> Finding:
    return Finding(rule_id, ERROR, severity, subj,
                   f"not evaluated: device {device} could not be collected ({reason})",
                   expected="collected device state", actual=None)


def tenant_interfaces(ctx, rule_id: str, access_only: bool = False):
    """The Placement of every enabled connection (on access devices only, if asked); its interface is None
    when the device does not carry it. A connection whose device could not be collected yields its
    not-evaluated Finding instead, so no subject silently disappears."""
    inv = ctx.inventory
    for hc in enabled_connections(inv):
        circuit = inv.circuits[hc.circuit]
        if access_only and inv.devices[circuit.device].role != "access":
            continue
        reason = unavailable(ctx, circuit.device)
        if reason is not None:
            yield not_evaluated(rule_id, SEV_ERROR, connection_subject(inv, hc), circuit.device, reason)
            continue
        yield ctx.placement(hc)


def verdict(ok: bool) -> str:
    return PASS if ok else FAIL


def enabled_connections(inv: Inventory) -> list[HostedConnection]:
    return [hc for hc in inv.hosted_connections if hc.status == "enabled"]


def counting_connections(inv: Inventory) -> list[HostedConnection]:
    return [hc for hc in inv.hosted_connections if hc.counts]


def same_address(wanted: str, configured: list[str]) -> bool:
    """CIDR comparison that ignores spelling (10.0.0.1/30 vs 10.0.0.1/255.255.255.252, IPv6 case)."""
    try:
        target = ipaddress.ip_interface(wanted)
    except ValueError:
        return wanted in configured
    for text in configured:
        try:
            if ipaddress.ip_interface(text) == target:
                return True
        except ValueError:
            continue
    return False


def aware(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC so comparisons never raise."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
