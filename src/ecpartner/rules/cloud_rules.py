"""Rules on the three-way picture: the inventory, what Alibaba Cloud says exists (ctx.cloud: region ->
cloud_state.RegionCloud) and the devices. Silent when the run has no cloud data; a region whose API answered
an error gives every cloud rule an error finding for that region (could not evaluate) and the others go on."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from ecpartner.cloud_state import LINE_OPERATORS, LOCKED
from ecpartner.findings import ERROR, FAIL, PASS, SEV_ERROR, SEV_WARNING, Finding, subject
from ecpartner.inventory import parse_bandwidth
from ecpartner.platforms import interface_name
from ecpartner.rules.common import bw, verdict
from ecpartner.rules.registry import CLOUD, DEVICES, INVENTORY, rule

# the carrier each LineOperator code stands for; CO ("another carrier in China") covers the two the code lacks
OPERATOR_CARRIERS = {"CT": {"China Telecom"}, "CU": {"China Unicom"}, "CM": {"China Mobile"},
                     "CO": {"CITIC Telecom", "China Broadcasting Network"}}


def _regions(ctx, rule_id: str):
    """(region, RegionCloud) of every region read without error; an error finding for each that failed."""
    for region, cloud in (ctx.cloud or {}).items():
        if cloud.error:
            yield None, Finding(rule_id, ERROR, SEV_ERROR, subject(region=region),
                                f"not evaluated: Alibaba Cloud region {region} could not be read ({cloud.error})",
                                expected="the region's answers", actual=cloud.error)
        else:
            yield region, cloud


def _partner_connections(ctx, region, cloud):
    """The cloud's hosted connections on the partner's circuits of this region (cloud's or inventory's)."""
    mine = set(cloud.circuits) | {c.id for c in ctx.inventory.circuits.values() if c.region == region}
    return [c for c in cloud.connections.values() if c.circuit in mine]


@cache
def _spec_bps(spec: str | None) -> int | None:
    try:
        return parse_bandwidth(spec) if spec else None
    except ValueError:
        return None


def _hc_subject(circuit, hosted, region, tenant):
    return subject(circuit=circuit, hosted_connection=hosted, region=region, tenant=tenant)


@rule("cloud-inventory-match", "Create a hosted connection, Modify the VLAN ID", needs=(INVENTORY, CLOUD))
def cloud_inventory_match(ctx):
    inv = ctx.inventory
    for region, cloud in _regions(ctx, "cloud-inventory-match"):
        if region is None:
            yield cloud
            continue
        in_cloud = {c.id: c for c in _partner_connections(ctx, region, cloud)}
        ours = [hc for hc in inv.hosted_connections if hc.circuit in inv.circuits
                and inv.circuits[hc.circuit].region == region]
        by_place = {(c.circuit, c.vlan): c for c in in_cloud.values() if c.state != "deleted"}
        claimed: set[str] = set()
        for hc in ours:
            found = in_cloud.get(hc.id) if hc.id else by_place.get((hc.circuit, hc.vlan))
            subj = _hc_subject(hc.circuit, hc.key, region, hc.tenant)
            expected = {"circuit": hc.circuit, "vlan": hc.vlan, "spec": hc.bandwidth_text, "tenant": hc.tenant,
                        "status": hc.status}
            if found is None:
                gone = hc.status == "deleted" or (hc.id is None and hc.status == "pending")
                why = ("deleted in the inventory and absent from the cloud" if hc.status == "deleted" else
                       "not created yet (no id, pending)" if gone else
                       "is in the inventory but Alibaba Cloud has no such hosted connection (deleted in the console?)")
                yield Finding("cloud-inventory-match", verdict(gone), SEV_ERROR, subj,
                              f"Hosted connection {hc.key} on {hc.circuit}: {why}", expected=expected, actual=None)
                continue
            claimed.add(found.id)
            actual = {"circuit": found.circuit, "vlan": found.vlan, "spec": found.spec, "tenant": found.ali_uid,
                      "status": found.state}
            differ = [k for k in ("circuit", "vlan", "tenant", "status") if expected[k] != actual[k]]
            if _spec_bps(found.spec) != hc.bandwidth:
                differ.insert(2, "spec")
            if differ:
                said = ", ".join(f"{k} {expected[k]} in the inventory, {actual[k]} in the cloud" for k in differ)
                message = f"Hosted connection {hc.key} differs from Alibaba Cloud's record: {said}"
            else:
                message = f"Hosted connection {hc.key} matches Alibaba Cloud's record (VLAN, spec, tenant, circuit, status)"
            yield Finding("cloud-inventory-match", verdict(not differ), SEV_ERROR, subj, message,
                          expected=expected, actual={**actual, "cloud_status": [found.vpconn_status, found.status]})
        for found in in_cloud.values():
            if found.id in claimed or found.state == "deleted":
                continue
            yield Finding("cloud-inventory-match", FAIL, SEV_ERROR,
                          _hc_subject(found.circuit, found.id, region, found.ali_uid),
                          f"Hosted connection {found.id} (VLAN {found.vlan}, {found.spec}, tenant {found.ali_uid}) "
                          f"exists in Alibaba Cloud on {found.circuit} but not in the inventory",
                          expected="in the inventory", actual={"circuit": found.circuit, "vlan": found.vlan,
                                                               "spec": found.spec, "tenant": found.ali_uid,
                                                               "status": found.state})


@rule("cloud-circuit-match", "Partner requirements", needs=(INVENTORY, CLOUD))
def cloud_circuit_match(ctx):
    inv = ctx.inventory
    for region, cloud in _regions(ctx, "cloud-circuit-match"):
        if region is None:
            yield cloud
            continue
        for c in inv.circuits.values():
            if c.region != region:
                continue
            carrier = c.carrier or inv.partner.carrier
            expected = {"bandwidth": bw(c.capacity), "access_point": c.access_point,
                        "status": "Enabled" if c.status == "enabled" else "Terminated", "carrier": carrier}
            found = cloud.circuits.get(c.id)
            subj = subject(circuit=c.id, region=region)
            if found is None:
                yield Finding("cloud-circuit-match", FAIL, SEV_ERROR, subj,
                              f"Circuit {c.id} is in the inventory but not among the partner's circuits in {region}",
                              expected=expected, actual=None)
                continue
            capacity = found.bandwidth_mbps * 10**6 if found.bandwidth_mbps is not None else None
            operator = LINE_OPERATORS.get(found.line_operator or "", found.line_operator)
            actual = {"bandwidth": bw(capacity), "access_point": found.access_point, "status": found.status,
                      "carrier": operator}
            problems = []
            if capacity != c.capacity:
                problems.append(f"bandwidth {bw(capacity)} in the cloud, capacity {bw(c.capacity)} in the inventory")
            if found.access_point != c.access_point:
                problems.append(f"access point {found.access_point}, not {c.access_point}")
            if (found.status == "Enabled") != (c.status == "enabled"):
                problems.append(f"status {found.status} in the cloud, {c.status} in the inventory")
            if carrier not in OPERATOR_CARRIERS.get(found.line_operator or "", set()):
                problems.append(f"line operator {found.line_operator} ({operator}), the inventory claims {carrier}")
            message = (f"Circuit {c.id} differs from Alibaba Cloud's record: {'; '.join(problems)}" if problems else
                       f"Circuit {c.id} matches Alibaba Cloud's record ({bw(capacity)}, {found.access_point}, "
                       f"{found.status}, line operator {found.line_operator})")
            yield Finding("cloud-circuit-match", verdict(not problems), SEV_ERROR, subj, message,
                          expected=expected, actual=actual)


@rule("cloud-business-status", "Create a hosted connection", needs=(INVENTORY, CLOUD))
def cloud_business_status(ctx):
    for region, cloud in _regions(ctx, "cloud-business-status"):
        if region is None:
            yield cloud
            continue
        for found in _partner_connections(ctx, region, cloud):
            if found.state == "deleted":
                continue
            status = found.business_status or "Normal"
            ok = status == "Normal"
            why = LOCKED.get(status, "not Normal")
            message = (f"Hosted connection {found.id}: business status Normal" if ok else
                       f"Hosted connection {found.id} is {status} in Alibaba Cloud, {why}: the tenant has no service "
                       f"until it is unlocked")
            yield Finding("cloud-business-status", verdict(ok), SEV_ERROR,
                          _hc_subject(found.circuit, found.id, region, found.ali_uid), message,
                          expected="Normal", actual=status)


@rule("cloud-pending-acceptance", "Create a hosted connection for a new tenant", needs=(INVENTORY, CLOUD))
def cloud_pending_acceptance(ctx):
    """Age measured at the time the region was read, so a recorded cloud gives the same verdict on any day."""
    days = ctx.inventory.thresholds.pending_acceptance_days
    limit, expected = timedelta(days=days), f"accepted within {days:g} days"
    for region, cloud in _regions(ctx, "cloud-pending-acceptance"):
        if region is None:
            yield cloud
            continue
        for found in _partner_connections(ctx, region, cloud):
            if found.state == "deleted":
                continue
            subj = _hc_subject(found.circuit, found.id, region, found.ali_uid)
            if found.vpconn_status != "UnConfirmed":
                yield Finding("cloud-pending-acceptance", PASS, SEV_WARNING, subj,
                              f"Hosted connection {found.id} was accepted by tenant {found.ali_uid}",
                              expected=expected, actual=found.vpconn_status)
                continue
            age = (cloud.at - found.created) if found.created else None
            late = age is None or age > limit
            waited = f"{age.days} day(s)" if age is not None else "an unknown time (no CreationTime)"
            message = (f"Hosted connection {found.id} has waited {waited} for tenant {found.ali_uid} to accept it "
                       f"(more than {days:g}); the guide: \"Notify the tenant to accept the hosted connection and complete payment\"" if late else
                       f"Hosted connection {found.id} awaits acceptance by tenant {found.ali_uid} for {waited} "
                       f"(within {days:g})")
            yield Finding("cloud-pending-acceptance", verdict(not late), SEV_WARNING, subj, message,
                          expected=expected,
                          actual={"status": "UnConfirmed", "days": age.days if age is not None else None})


@rule("cloud-device-match", "Modify the VLAN ID", needs=(INVENTORY, DEVICES, CLOUD))
def cloud_device_match(ctx):
    """The VLAN the cloud has for a connection is carried on its circuit's port by the device."""
    inv = ctx.inventory
    ours_by_id = {hc.id: hc for hc in inv.hosted_connections if hc.id}
    for region, cloud in _regions(ctx, "cloud-device-match"):
        if region is None:
            yield cloud
            continue
        for found in _partner_connections(ctx, region, cloud):
            circuit = inv.circuits.get(found.circuit)
            if found.state not in ("enabled", "disabled") or circuit is None or found.vlan is None:
                continue       # a pending connection may not be configured yet (as for config-drift)
            state = ctx.states.get(circuit.device)
            if state is None:
                continue       # device-reachable reports the device; nothing to compare with
            ours = ours_by_id.get(found.id)
            if ours is not None and ours.vlan == found.vlan and ours.circuit == found.circuit:
                carrier = ctx.placement(ours).interface       # the join every device rule shares, made once
            else:
                platform = inv.devices[circuit.device].platform
                carrier = state.carrier(circuit.interface, found.vlan,
                                        interface_name(platform, circuit.interface, found.vlan))
            subj = subject(circuit=found.circuit, hosted_connection=found.id, device=circuit.device,
                           interface=carrier.name if carrier else None, region=region, tenant=found.ali_uid)
            if carrier is not None:
                message = f"{circuit.device} {carrier.name} carries VLAN {found.vlan}, as Alibaba Cloud has for {found.id}"
                actual = found.vlan
            else:
                other = ctx.placement(ours).interface if ours is not None else None
                actual = other.vlan if other is not None else None
                if other is not None:
                    subj["interface"] = other.name
                seen = (f"; {other.name} carries VLAN {other.vlan} for it (the inventory's)" if other is not None
                        else "")
                message = (f"Alibaba Cloud has VLAN {found.vlan} for {found.id}, but {circuit.device} has no "
                           f"subinterface of {circuit.interface} with dot1q VLAN {found.vlan}{seen}")
            yield Finding("cloud-device-match", verdict(carrier is not None), SEV_ERROR, subj, message,
                          expected=found.vlan, actual=actual)
