"""Rules that read the inventory alone (contract section 5). One finding per subject, passes included."""

from __future__ import annotations

from collections import defaultdict

from ecpartner.findings import FAIL, PASS, SEV_ERROR, SEV_WARNING, Finding, subject
from ecpartner.inventory import CARRIERS_ELIGIBLE, parse_bandwidth
from ecpartner.rules.registry import rule
from ecpartner.rules.common import aware, bw, counting_connections, verdict

SPECS = ("50M", "100M", "200M", "300M", "400M", "500M", "1G", "2G", "5G", "8G", "10G")
SPEC_BPS = {parse_bandwidth(s): s for s in SPECS}
ALLOWLIST_FROM = 2 * 10**9          # 2G and above need the partner to be allowlisted
VLAN_MAX = 2999


def _of(hc) -> dict:
    """A connection's subject: connections without an id may share a key, so the tenant is said here."""
    return subject(circuit=hc.circuit, hosted_connection=hc.key, tenant=hc.tenant)


@rule("carrier-eligible", "Apply for permissions")
def carrier_eligible(ctx):
    """The partner's carrier, and the carrier of every circuit leased from someone else (inventory extension)."""
    partner = ctx.inventory.partner.carrier
    subjects = [(None, partner)] + [(c.id, c.carrier) for c in ctx.inventory.circuits.values()
                                    if c.carrier and c.carrier != partner]
    for circuit, carrier in subjects:
        whose = f"Circuit {circuit} is on a line of {carrier}" if circuit else f"Carrier {carrier}"
        ok = carrier in CARRIERS_ELIGIBLE
        if ok:
            message = f"{whose}, one of the five carriers eligible for hosted connection permissions"
        else:
            message = (f"{whose}, which is not eligible: \"Only the five compliant carriers are eligible to apply "
                       f"for these permissions: {', '.join(CARRIERS_ELIGIBLE)}\"")
        yield Finding("carrier-eligible", verdict(ok), SEV_ERROR, subject(circuit=circuit), message,
                      expected=list(CARRIERS_ELIGIBLE), actual=carrier)


@rule("circuit-redundancy", "Redundant circuits")
def circuit_redundancy(ctx):
    inv = ctx.inventory
    regions = []
    for hc in counting_connections(inv):
        region = inv.circuits[hc.circuit].region
        if region not in regions:
            regions.append(region)
    for region in regions:
        enabled = [c for c in inv.circuits.values() if c.region == region and c.status == "enabled"]
        access_points = sorted({c.access_point for c in enabled})
        ok = len(enabled) >= 2 and len(access_points) >= 2
        have = (f"{len(enabled)} enabled circuit(s) ({', '.join(c.id for c in enabled) or 'none'}) "
                f"on {len(access_points)} access point(s) ({', '.join(access_points) or 'none'})")
        if ok:
            message = f"Region {region} has {have}"
        else:
            message = (f"Region {region} has hosted connections but only {have}; the guide: \"Establish at least "
                       f"two carrier-compliant Express Connect circuits ... connected to different Alibaba Cloud "
                       f"access points\"")
        yield Finding("circuit-redundancy", verdict(ok), SEV_ERROR, subject(region=region), message,
                      expected={"region": region, "enabled_circuits": ">= 2", "access_points": ">= 2"},
                      actual={"region": region, "enabled_circuits": [c.id for c in enabled],
                              "access_points": access_points})


@rule("circuit-capacity", "Bandwidth planning")
def circuit_capacity(ctx):
    inv = ctx.inventory
    for circuit in inv.circuits.values():
        holding = [hc for hc in inv.connections_on(circuit.id) if hc.counts]
        total = sum(hc.bandwidth for hc in holding)
        ok = total <= circuit.capacity
        parts = ", ".join(f"{hc.key} {bw(hc.bandwidth)} ({hc.status})" for hc in holding) or "no connections"
        if ok:
            message = f"Circuit {circuit.id}: {bw(total)} of {bw(circuit.capacity)} allocated ({parts})"
        else:
            message = (f"Circuit {circuit.id} is oversubscribed: {bw(total)} allocated on {bw(circuit.capacity)} "
                       f"capacity ({parts}); the guide: \"Insufficient bandwidth resources\"")
        yield Finding("circuit-capacity", verdict(ok), SEV_ERROR, subject(circuit=circuit.id), message,
                      expected=f"at most {bw(circuit.capacity)}", actual=bw(total))


@rule("vlan-range", "VLAN planning")
def vlan_range(ctx):
    inv = ctx.inventory
    for hc in counting_connections(inv):
        ok = 0 <= hc.vlan <= VLAN_MAX
        message = (f"VLAN {hc.vlan} of {hc.key} is within 0-{VLAN_MAX}" if ok
                   else f"VLAN {hc.vlan} of {hc.key} is outside 0-{VLAN_MAX}")
        yield Finding("vlan-range", verdict(ok), SEV_ERROR, _of(hc),
                      message, expected=f"0..{VLAN_MAX}", actual=hc.vlan)


@rule("vlan-unique", "VLAN planning")
def vlan_unique(ctx):
    inv = ctx.inventory
    first_owner: dict[tuple[str, int], object] = {}
    for hc in counting_connections(inv):
        owner = first_owner.setdefault((hc.circuit, hc.vlan), hc)
        ok = owner is hc             # identity: connections without an id share circuit/vlan keys
        message = (f"VLAN {hc.vlan} of {hc.key} is unique on circuit {hc.circuit}" if ok
                   else f"VLAN {hc.vlan} is already used by {owner.key} on circuit {hc.circuit}")
        yield Finding("vlan-unique", verdict(ok), SEV_ERROR, _of(hc),
                      message, expected=f"a VLAN unused on {hc.circuit}", actual=hc.vlan)


@rule("vlan-zero-exclusive", "Create a hosted connection")
def vlan_zero_exclusive(ctx):
    inv = ctx.inventory
    for circuit in inv.circuits.values():
        holding = [hc for hc in inv.connections_on(circuit.id) if hc.counts]
        zeros = [hc for hc in holding if hc.vlan == 0]
        if holding and not zeros:
            yield Finding("vlan-zero-exclusive", PASS, SEV_ERROR, subject(circuit=circuit.id),
                          f"Circuit {circuit.id} has no VLAN 0 hosted connection",
                          expected="a VLAN 0 connection alone on its circuit", actual=[hc.key for hc in holding])
        for hc in zeros:
            others = [o.key for o in holding if o is not hc]
            ok = not others
            message = (f"VLAN 0 connection {hc.key} is the only hosted connection on {circuit.id}" if ok
                       else f"VLAN 0 connection {hc.key} uses the whole circuit {circuit.id} as a routed interface, "
                            f"but {', '.join(others)} also use it")
            yield Finding("vlan-zero-exclusive", verdict(ok), SEV_ERROR,
                          _of(hc), message,
                          expected=f"no other hosted connection on {circuit.id}", actual=others)


@rule("ha-spread", "High availability")
def ha_spread(ctx):
    inv = ctx.inventory
    by_tenant: dict[str, list] = defaultdict(list)
    for hc in counting_connections(inv):
        by_tenant[hc.tenant].append(hc)
    for tenant in inv.tenants.values():
        if not tenant.ha:
            continue
        conns = by_tenant.get(tenant.account_id, [])
        circuits = sorted({hc.circuit for hc in conns})
        access_points = sorted({inv.circuits[c].access_point for c in circuits})
        who = f"HA tenant {tenant.name} ({tenant.account_id})"
        actual = {"tenant": tenant.account_id, "connections": [hc.key for hc in conns],
                  "circuits": circuits, "access_points": access_points}
        expected = {"circuits": ">= 2", "access_points": ">= 2"}
        if len(circuits) < 2:
            status, severity = FAIL, SEV_ERROR
            message = (f"{who} has hosted connections on {len(circuits)} circuit(s) ({', '.join(circuits) or 'none'}); "
                       f"the guide: \"provision their hosted connections across different Express Connect circuits\"")
        elif len(access_points) < 2:
            status, severity = FAIL, SEV_WARNING
            message = (f"{who} has hosted connections on circuits {', '.join(circuits)}, "
                       f"all on access point {access_points[0]}")
        else:
            status, severity = PASS, SEV_ERROR
            message = (f"{who} has hosted connections on circuits {', '.join(circuits)} "
                       f"at access points {', '.join(access_points)}")
        yield Finding("ha-spread", status, severity, subject(tenant=tenant.account_id), message,
                      expected=expected, actual=actual)


@rule("spec-valid", "API reference")
def spec_valid(ctx):
    inv = ctx.inventory
    for hc in counting_connections(inv):
        spec = SPEC_BPS.get(hc.bandwidth)
        if spec is None:
            status, severity = FAIL, SEV_ERROR
            message = f"Bandwidth {hc.bandwidth_text} of {hc.key} is not a hosted connection spec"
        elif hc.bandwidth >= ALLOWLIST_FROM:
            status, severity = FAIL, SEV_WARNING
            message = f"Bandwidth {spec} of {hc.key} needs allowlisting (specs of 2G and above)"
        else:
            status, severity = PASS, SEV_ERROR
            message = f"Bandwidth {spec} of {hc.key} is a valid spec"
        yield Finding("spec-valid", status, severity, _of(hc),
                      message, expected=list(SPECS), actual=spec or hc.bandwidth_text)


@rule("same-site", "Troubleshooting")
def same_site(ctx):
    inv = ctx.inventory
    partner_site = inv.partner.site
    for hc in counting_connections(inv):
        tenant = inv.tenants[hc.tenant]
        ok = tenant.site == partner_site
        if ok:
            message = f"Tenant {tenant.name} of {hc.key} is on the partner's site ({partner_site})"
        else:
            message = (f"Tenant {tenant.name} ({tenant.account_id}) of {hc.key} is on the {tenant.site} site, the partner "
                       f"on {partner_site}: \"Cross-site hosted connection is not allowed\"")
        yield Finding("same-site", verdict(ok), SEV_ERROR, _of(hc),
                      message, expected=partner_site, actual=tenant.site)


@rule("permission-valid", "Troubleshooting", in_check=False)
def permission_valid(ctx):
    permission = ctx.inventory.partner.permission
    now = aware(ctx.now)
    cause = ("the API answers \"Invalid Bandwidth parameter\": \"Your permissions to manage hosted connections "
             "have expired. Re-apply for permissions\" (quota ec/can_buy_1G_vpconn)")
    if permission is None:
        yield Finding("permission-valid", FAIL, SEV_ERROR, subject(),
                      f"No hosted-connection purchase permission in the inventory; {cause}",
                      expected="a permission window containing now", actual=now.isoformat())
        return
    start, end = aware(permission.valid_from), aware(permission.valid_until)
    ok = start <= now <= end
    window = f"{start.isoformat()} .. {end.isoformat()}"
    if ok:
        message = f"Now ({now.isoformat()}) is inside the permission window {window}"
    else:
        message = f"Now ({now.isoformat()}) is outside the permission window {window}; {cause}"
    yield Finding("permission-valid", verdict(ok), SEV_ERROR, subject(), message,
                  expected={"valid_from": start.isoformat(), "valid_until": end.isoformat()}, actual=now.isoformat())
