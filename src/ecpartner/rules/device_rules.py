"""Rules that read collected device state (contract section 5). A device without state never makes
its subjects vanish: they come back as status `error` findings saying why they were not evaluated."""

from __future__ import annotations

from collections import Counter

from ecpartner.findings import ERROR, FAIL, PASS, SEV_ERROR, SEV_INFO, SEV_WARNING, Finding, subject
from ecpartner.platforms import platform_spec
from ecpartner.rules.registry import DEVICES, INVENTORY, rule
from ecpartner.rules.common import (bw, connection_subject, enabled_connections, tenant_interfaces,
                                    missing_interface_message, not_evaluated, number, same_address,
                                    unavailable, verdict)
from ecpartner.state import ARP, ICMP, IN, OUT, PPS, QOS, SCOPE_DEVICE, SCOPE_INTERFACE, SCOPE_PER_SOURCE, BPS

COUNTER_FIELDS = ("in_octets", "out_octets", "in_packets", "out_packets", "in_discards", "out_discards")
ARP_GUIDE = "the guide: configure ARP packet rate limits on the access devices closest to tenants"


@rule("device-reachable", "—", needs=(INVENTORY, DEVICES))
def device_reachable(ctx):
    for device in ctx.inventory.devices.values():
        reason = unavailable(ctx, device.name)
        subj = subject(device=device.name)
        if reason is not None:
            yield Finding("device-reachable", ERROR, SEV_ERROR, subj,
                          f"Device {device.name} ({device.platform}, {device.host}) could not be collected or parsed: {reason}",
                          expected="collected and parsed", actual=reason)
            continue
        state = ctx.states[device.name]
        message = (f"Device {device.name} ({device.platform}) was collected and parsed: "
                   f"{len(state.interfaces)} interfaces, {len(state.rate_limits)} rate limits")
        if state.notes:
            message += "; notes: " + "; ".join(state.notes)
        yield Finding("device-reachable", PASS, SEV_ERROR, subj, message,
                      expected="collected and parsed", actual="collected and parsed")


@rule("monitoring-enabled", "Traffic monitoring", needs=(INVENTORY, DEVICES))
def monitoring_enabled(ctx):
    inv = ctx.inventory
    for item in tenant_interfaces(ctx, "monitoring-enabled", access_only=True):
        if isinstance(item, Finding):
            yield item
            continue
        hc, state, iface = item.connection, item.state, item.interface
        expected = {"statistics": True, "counters": list(COUNTER_FIELDS)}
        if iface is None:
            yield Finding("monitoring-enabled", FAIL, SEV_ERROR, connection_subject(inv, hc),
                          f"Cannot monitor {hc.key}: {missing_interface_message(item)}",
                          expected=expected, actual={"interface": None}, fix=build_fix(item))
            continue
        problems = []
        if not iface.statistics:
            hint = platform_spec(state.platform).hints.statistics
            hint = f" ({hint})" if hint else ""
            if iface.statistics_only:      # one direction counted: the other's bps and pps cannot be read
                counted, missing = ("inbound", "outbound") if iface.statistics_only == IN else ("outbound", "inbound")
                problems.append(f"traffic statistics count only {counted} traffic on {iface.name}, "
                                f"{missing} is not counted{hint}")
            else:
                problems.append(f"traffic statistics are off on {iface.name}{hint}")
        counters = state.counters.get(iface.name)
        unreadable = list(COUNTER_FIELDS) if counters is None else [f for f in COUNTER_FIELDS if getattr(counters, f) is None]
        if counters is None:
            problems.append(f"no counters could be read for {iface.name}")
        elif unreadable:
            problems.append(f"counters of {iface.name} lack {', '.join(unreadable)}")
        actual = {"interface": iface.name, "statistics": iface.statistics, "unreadable_counters": unreadable}
        if iface.statistics_only:
            actual["statistics_only"] = iface.statistics_only
        if problems:
            message = (f"Monitoring of {hc.key} is incomplete: {'; '.join(problems)}; the guide: monitoring data must "
                       f"include bps, pps and byte counts for both normal and dropped packets")
        else:
            message = f"Monitoring of {hc.key} on {iface.name}: statistics on, bps/pps/normal and dropped counters readable"
        fix = ("statistics", {"connection": hc, "interface": iface.name}) if not iface.statistics else None
        yield Finding("monitoring-enabled", verdict(not problems), SEV_ERROR,
                      connection_subject(inv, hc, iface.name), message, expected=expected, actual=actual, fix=fix)


def build_fix(placement) -> tuple[str, dict] | None:
    """A connection no interface carries: build it (a subinterface, or a wrong dot1q VLAN on the subinterface
    its name says), unless the port itself is missing (no configuration creates a port)."""
    if placement.state is None or placement.circuit.interface not in placement.state.interfaces:
        return None
    return ("interface", {"connection": placement.connection})


def _effective_cir(state, interface: str) -> dict[str, float | None]:
    """Per direction, the lowest bps QoS limit configured on the interface itself (the one that bites)."""
    cir: dict[str, float | None] = {IN: None, OUT: None}
    for r in state.limits(QOS, interface):
        if r.scope != SCOPE_INTERFACE or r.unit != BPS or r.rate is None or r.direction not in cir:
            continue
        current = cir[r.direction]
        cir[r.direction] = r.rate if current is None else min(current, r.rate)
    return cir


@rule("qos-bandwidth-limit", "QoS and ARP limits", needs=(INVENTORY, DEVICES))
def qos_bandwidth_limit(ctx):
    inv = ctx.inventory
    tolerance = inv.thresholds.qos_tolerance
    for item in tenant_interfaces(ctx, "qos-bandwidth-limit", access_only=False):
        if isinstance(item, Finding):
            yield item
            continue
        hc, circuit, state, iface = item.connection, item.circuit, item.state, item.interface
        expected = {"in": hc.bandwidth, "out": hc.bandwidth, "tolerance": tolerance}
        if iface is None:
            yield Finding("qos-bandwidth-limit", FAIL, SEV_ERROR, connection_subject(inv, hc),
                          f"Cannot check QoS of {hc.key}: {missing_interface_message(item)}",
                          expected=expected, actual={IN: None, OUT: None}, fix=build_fix(item))
            continue
        cir = _effective_cir(state, iface.name)
        problems, seen, wrong = [], [], []
        for direction, word in ((IN, "inbound"), (OUT, "outbound")):
            rate = cir[direction]
            if rate is None:
                problems.append(f"no {word} rate limit")
                wrong.append(direction)
                continue
            seen.append(f"{word} CIR {bw(rate)}")
            deviation = (rate - hc.bandwidth) / hc.bandwidth
            if abs(deviation) > tolerance:
                side = "above" if deviation > 0 else "below"
                problems.append(f"{word} CIR {bw(rate)} is {abs(deviation):.0%} {side} {bw(hc.bandwidth)}")
                wrong.append(direction)
        where = f"{hc.key} on {circuit.device} {iface.name}"
        if problems:
            message = f"QoS of {where}: {'; '.join(problems)} (tolerance {tolerance:.0%})"
        else:
            message = f"QoS of {where}: {' and '.join(seen)} within {tolerance:.0%} of {bw(hc.bandwidth)}"
        # the directions to set, and the limits there now (a wrong one is replaced, never doubled)
        fix = ("qos", {"connection": hc, "interface": iface.name, "directions": wrong,
                       "limits": [r for r in state.limits(QOS, iface.name) if r.scope == SCOPE_INTERFACE
                                  and r.interface == iface.name and r.direction in wrong]}) if wrong else None
        yield Finding("qos-bandwidth-limit", verdict(not problems), SEV_ERROR, connection_subject(inv, hc, iface.name),
                      message, expected=expected, actual={IN: number(cir[IN]), OUT: number(cir[OUT])}, fix=fix)


class _ArpUsers:
    """Users (tenant.users) behind the enabled connections, counted once per run: per interface, per port and
    per device, so judging an aggregate limit is a look-up and not a scan of the whole inventory."""

    def __init__(self, ctx):
        self.interface: Counter = Counter()
        self.port: Counter = Counter()
        self.device: Counter = Counter()
        inv = ctx.inventory
        for hc in enabled_connections(inv):
            circuit = inv.circuits[hc.circuit]
            iface = ctx.placement(hc).interface
            if iface is None:
                continue
            users = inv.tenants[hc.tenant].users
            self.interface[(circuit.device, iface.name)] += users
            self.port[(circuit.device, iface.parent or iface.name)] += users
            self.device[circuit.device] += users


def _per_user_arp(users: _ArpUsers, state, device: str, iface):
    """(per-user pps, limit, users) for every pps ARP limit covering iface, and the limits that cannot be judged."""
    judged, unjudgeable = [], []
    port = iface.parent
    # only the limits on iface, on its port and device-wide: scanning every ARP limit of the device here
    # made the rule quadratic on a device with a limit on each of its thousands of subinterfaces
    covered = (iface.name,) if port is None else (iface.name, port)
    for r in state.limits(ARP, *covered):
        if r.scope == SCOPE_PER_SOURCE:
            behind = 1
        elif r.scope == SCOPE_INTERFACE and r.interface == iface.name:
            behind = users.interface[(device, iface.name)]
        elif r.scope == SCOPE_INTERFACE and port is not None and r.interface == port:
            behind = users.port[(device, port)]
        elif r.scope == SCOPE_DEVICE:
            behind = users.device[device]
        else:
            continue                     # a limit on another interface
        if r.unit != PPS or r.rate is None:
            unjudgeable.append(r)
        else:
            judged.append((r.rate / max(behind, 1), r, max(behind, 1)))
    return judged, unjudgeable


def _arp_build_fix(placement, users: _ArpUsers, per_user_max: float):
    """Build the missing interface; where no device-wide limit would then hold its users to per_user_max
    (platforms that limit ARP per device only), set the ARP limit too: `built` tells the platform's template
    that the build just set whatever ARP limit belongs on the interface or its port."""
    build = build_fix(placement)
    if build is None:
        return None
    hc, device = placement.connection, placement.circuit.device
    behind = users.device[device] + max(int(placement.tenant.users), 1) if placement.tenant else users.device[device]
    device_wide = [r for r in placement.state.limits(ARP) if r.scope == SCOPE_DEVICE and r.unit == PPS
                   and r.rate is not None]
    if any(r.rate / max(behind, 1) <= per_user_max for r in device_wide):
        return build
    strictest = min(device_wide, key=lambda r: r.rate, default=None)
    return [build, ("arp", {"connection": hc, "interface": None, "limit": strictest, "built": True})]


@rule("arp-rate-limit", "QoS and ARP limits", needs=(INVENTORY, DEVICES))
def arp_rate_limit(ctx):
    inv = ctx.inventory
    per_user_max = inv.thresholds.arp_pps_per_user
    expected = f"an ARP rate limit of at most {per_user_max:g} pps per user"
    arp_users = _ArpUsers(ctx)
    for item in tenant_interfaces(ctx, "arp-rate-limit", access_only=True):
        if isinstance(item, Finding):
            yield item
            continue
        hc, circuit, state, iface = item.connection, item.circuit, item.state, item.interface
        if iface is None:
            yield Finding("arp-rate-limit", ERROR, SEV_ERROR, connection_subject(inv, hc),
                          f"Cannot check ARP limits of {hc.key}: {missing_interface_message(item)}",
                          expected=expected, actual=None, fix=_arp_build_fix(item, arp_users, per_user_max))
            continue
        subj = connection_subject(inv, hc, iface.name)
        judged, unjudgeable = _per_user_arp(arp_users, state, circuit.device, iface)
        if not judged and unjudgeable:
            r = unjudgeable[0]
            why = "a bps policer cannot be judged in pps" if r.unit != PPS else "its rate is unknown (platform default)"
            yield Finding("arp-rate-limit", ERROR, SEV_WARNING, subj,
                          f"ARP limit covering {iface.name} on {circuit.device} ({r.source}): {why}",
                          expected=expected, actual={"rate": number(r.rate), "unit": r.unit, "scope": r.scope,
                                                     "source": r.source})
            continue
        if not judged:
            yield Finding("arp-rate-limit", FAIL, SEV_ERROR, subj,
                          f"No ARP rate limit covers tenant-facing {iface.name} on {circuit.device} ({hc.key}); {ARP_GUIDE}",
                          expected=expected, actual=None,
                          fix=("arp", {"connection": hc, "interface": iface.name, "limit": None}))
            continue
        per_user, r, users = min(judged, key=lambda item: item[0])
        how = f"{r.rate:g} pps per source" if r.scope == SCOPE_PER_SOURCE else \
              f"{r.rate:g} pps {r.scope}-wide over {users} user(s)"
        actual = {"per_user_pps": number(round(per_user, 6)), "users": users, "scope": r.scope,
                  "rate_pps": number(r.rate), "source": r.source}
        ok = per_user <= per_user_max
        message = (f"ARP limit on {iface.name} ({hc.key}): {per_user:g} pps per user ({how}; {r.source})"
                   + ("" if ok else f", above {per_user_max:g} pps per user: \"A typical ARP rate limit is 1 pps per user\""))
        fix = None if ok else ("arp", {"connection": hc, "interface": iface.name, "limit": r})
        yield Finding("arp-rate-limit", verdict(ok), SEV_ERROR if ok else SEV_WARNING, subj, message,
                      expected=expected, actual=actual, fix=fix)


@rule("icmp-rate-limit", "ICMP limits", needs=(INVENTORY, DEVICES))
def icmp_rate_limit(ctx):
    inv = ctx.inventory
    minimum = inv.thresholds.icmp_min_pps
    expected = f"more than {minimum:g} pps"
    for device in inv.devices.values():
        reason = unavailable(ctx, device.name)
        if reason is not None:
            yield not_evaluated("icmp-rate-limit", SEV_ERROR, subject(device=device.name), device.name, reason)
            continue
        limits = ctx.states[device.name].limits(ICMP)
        if not limits:
            yield Finding("icmp-rate-limit", PASS, SEV_ERROR, subject(device=device.name),
                          f"ICMP echo requests are not limited on {device.name}", expected=expected, actual=None)
        for r in limits:
            on_interface = r.scope == SCOPE_INTERFACE
            subj = subject(device=device.name, interface=r.interface if on_interface else None)
            where = f"{device.name} {r.interface}" if on_interface else device.name
            actual = {"rate": number(r.rate), "unit": r.unit, "default_threshold": r.default_threshold, "source": r.source}
            if r.unit != PPS:
                yield Finding("icmp-rate-limit", ERROR, SEV_WARNING, subj,
                              f"ICMP limit on {where} ({r.source}) is {bw(r.rate)}bps: a bps policer cannot be judged in pps",
                              expected=expected, actual=actual)
                continue
            if r.rate is None:
                yield Finding("icmp-rate-limit", ERROR, SEV_WARNING, subj,
                              f"ICMP limit on {where} ({r.source}) is enabled without a threshold and the platform "
                              f"default is unknown", expected=expected, actual=actual)
                continue
            setting = (f"enabled without a threshold: platform default {r.rate:g} pps" if r.default_threshold
                       else f"{r.rate:g} pps ({r.source})")
            ok = r.rate > minimum
            if ok:
                message = f"ICMP echo-request limit on {where}: {setting}, more than {minimum:g} pps"
            else:
                message = (f"ICMP echo-request limit on {where}: {setting}, not more than {minimum:g} pps; the guide: "
                           f"\"set the limit to more than 500 ICMP ECHO REQUEST packets per second\"")
            fix = None if ok else ("icmp", {"device": device.name, "limit": r,
                                            "pps": max(1000, int(minimum) + 1)})   # a round rate, more than minimum
            yield Finding("icmp-rate-limit", verdict(ok), SEV_ERROR, subj, message, expected=expected, actual=actual,
                          fix=fix)


def _tags(iface) -> dict:
    """The interface and what its encapsulation carries, for `actual`."""
    found = {"interface": iface.name, "vlan": iface.vlan}
    if iface.double_tagged:
        found.update(outer_vlan=iface.outer_vlan, inner_vlan=iface.inner_vlan)
    return found


def _connection_drift(ctx, state, circuit, hc) -> Finding:
    """Does the device carry hc as the inventory says: VLAN, shutdown state, address?"""
    inv = ctx.inventory
    expected = {"vlan": hc.vlan, "shutdown": {"enabled": False, "disabled": True}.get(hc.status),
                "address": hc.address}
    placement = ctx.placement(hc)
    iface, clash = placement.interface, placement.misnamed
    if iface is None:
        if hc.status == "pending" and clash is None and circuit.interface in state.interfaces:
            return Finding("config-drift", PASS, SEV_ERROR, connection_subject(inv, hc),
                           f"Pending {hc.key} is not configured on {circuit.device} yet", expected=expected, actual=None)
        name = clash.name if clash is not None else (circuit.interface if hc.vlan == 0 else None)
        actual = _tags(clash) if clash is not None else None
        return Finding("config-drift", FAIL, SEV_ERROR, connection_subject(inv, hc, name),
                       f"{hc.status.capitalize()} {hc.key}: {missing_interface_message(placement)}",
                       expected=expected, actual=actual, fix=build_fix(placement))
    problems, fix = [], []
    if hc.status == "enabled" and iface.shutdown:
        problems.append(f"{iface.name} is shut down but {hc.key} is enabled")
        fix.append(("no-shutdown", {"connection": hc, "interface": iface.name}))
    if hc.status == "disabled" and not iface.shutdown:
        problems.append(f"{iface.name} is not shut down but {hc.key} is disabled")
        fix.append(("shutdown", {"connection": hc, "interface": iface.name}))
    if hc.address and not same_address(hc.address, iface.addresses):
        problems.append(f"{iface.name} has {', '.join(iface.addresses) or 'no address'}, not {hc.address}")
        fix.append(("address", {"connection": hc, "interface": iface.name}))
    actual = {"interface": iface.name, "vlan": iface.vlan, "shutdown": iface.shutdown, "addresses": list(iface.addresses)}
    if problems:
        message = f"{hc.status.capitalize()} {hc.key} drifted: {'; '.join(problems)}"
    else:
        vlan = "VLAN 0 (routed port)" if hc.vlan == 0 else f"dot1q VLAN {iface.vlan}"
        state_word = "shut down" if iface.shutdown else "up"
        message = f"{hc.status.capitalize()} {hc.key} matches {circuit.device} {iface.name}: {vlan}, {state_word}"
    return Finding("config-drift", verdict(not problems), SEV_ERROR, connection_subject(inv, hc, iface.name),
                   message, expected=expected, actual=actual, fix=fix or None)


@rule("config-drift", "Modify the VLAN ID, Disable", needs=(INVENTORY, DEVICES))
def config_drift(ctx):
    inv = ctx.inventory
    for circuit in inv.circuits.values():
        holding = [hc for hc in inv.connections_on(circuit.id) if hc.counts]
        port_subject = subject(circuit=circuit.id, device=circuit.device, interface=circuit.interface)
        reason = unavailable(ctx, circuit.device)
        if reason is not None:
            yield not_evaluated("config-drift", SEV_ERROR, port_subject, circuit.device, reason)
            for hc in holding:
                yield not_evaluated("config-drift", SEV_ERROR, connection_subject(inv, hc), circuit.device, reason)
            continue
        state = ctx.states[circuit.device]
        present = circuit.interface in state.interfaces
        yield Finding("config-drift", verdict(present), SEV_ERROR, port_subject,
                      f"Port {circuit.interface} of circuit {circuit.id} is "
                      f"{'configured' if present else 'not configured'} on {circuit.device}",
                      expected="port present", actual="present" if present else "missing")
        for hc in holding:
            yield _connection_drift(ctx, state, circuit, hc)
        owned = {hc.vlan for hc in holding}
        for sub in state.subinterfaces_of(circuit.interface):
            if sub.double_tagged:
                # a hosted connection is single-tagged: a QinQ subinterface never carries one, so it is no
                # orphan of a single-tag VLAN either (whatever serves it is outside the hosted connections)
                yield Finding("config-drift", PASS, SEV_INFO,
                              subject(circuit=circuit.id, device=circuit.device, interface=sub.name),
                              f"{sub.name} on circuit {circuit.id} is double-tagged ({sub.encapsulation}): it "
                              f"carries no single-tag hosted connection and is not an orphan of VLAN {sub.outer_vlan}",
                              expected="single-tag subinterfaces for hosted connections", actual=_tags(sub))
                continue
            if sub.vlan is None or sub.vlan in owned:
                continue
            yield Finding("config-drift", FAIL, SEV_WARNING,
                          subject(circuit=circuit.id, device=circuit.device, interface=sub.name),
                          f"Orphan subinterface {sub.name} (dot1q VLAN {sub.vlan}) on circuit {circuit.id}: "
                          f"no hosted connection owns VLAN {sub.vlan}",
                          expected=f"a VLAN owned by a hosted connection on {circuit.id}", actual=sub.vlan,
                          fix=("orphan", {"device": circuit.device, "interface": sub.name, "vlan": sub.vlan,
                                          "port": circuit.interface}))
