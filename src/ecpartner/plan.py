"""`ecpartner plan`: may this hosted connection be created, and what exactly to apply.

The proposed connection is added to the inventory in memory. Inventory rules run on the whole
inventory, device rules on the circuit's device only, at `now` (`plan --at` moves it: the permission
window). What blocks: an error-severity problem about the new connection, its circuit, the partner, or
the device as a whole (its reachability, its ICMP limits, an ARP limit it applies device-wide, the
circuit's port), and any inventory problem the proposal itself causes or changes (found by comparing
with the same rules run without it). A problem of another existing connection (its missing
subinterface, its own ARP or QoS limit) is context: the new tenant's configuration does not depend on
it. ha-spread for the tenant is advice (an HA tenant's first connection is necessarily alone).

`--vlan auto` takes the lowest VLAN of the circuit's pool (`vlan_pool`, else the partner's, else
2..2999) that no connection or subinterface uses and `reserved_vlans` does not hold; VLAN 0 (the whole
port) is never chosen automatically, VLAN 1 (most switches' default VLAN) only when a pool names it.

A blocked plan is not paste-ready: its configuration and API call are shown only commented out (the
platform's `comment` marker from commands.yaml) under a BLOCKED - DO NOT APPLY banner. No plan renders
configuration for an interface another non-deleted hosted connection already uses: a sentence says who.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from ecpartner import cloud_runbook
from ecpartner.collect.progress import ProgressCallback
from ecpartner.display import markdown_text, safe
from ecpartner.errors import InputError
from ecpartner.findings import EXIT_OK, FAIL, PASS, SEV_ERROR, SEV_WARNING, Finding, exit_code, subject
from ecpartner.inventory import (VLAN_MAX, HostedConnection, Inventory, VlanRanges, format_bandwidth,
                                 format_vlan_ranges, parse_bandwidth)
from ecpartner.render import connection_view, render_connection, render_device
from ecpartner.timefmt import iso_utc
from ecpartner.rules import Context, evaluate
from ecpartner.placement import Placement, Placements
from ecpartner.platforms import platform_spec
from ecpartner.safetext import check_ipv4_interface, check_pattern
from ecpartner.state import SCOPE_DEVICE, SCOPE_PER_SOURCE, DeviceState

INVENTORY_RULES = ["carrier-eligible", "permission-valid", "same-site", "spec-valid", "vlan-range", "vlan-unique",
                   "vlan-zero-exclusive", "circuit-capacity", "ha-spread"]
DEVICE_RULES = ["device-reachable", "arp-rate-limit", "icmp-rate-limit", "monitoring-enabled"]
ADVICE_RULES = ("ha-spread",)
DEFAULT_POOL: VlanRanges = ((2, VLAN_MAX),)            # VLAN 1 is most switches' default VLAN: only when a pool says so
BANNER = "BLOCKED - DO NOT APPLY"
SHELL_COMMENT = "#"                                   # for the aliyun command line and its request


@dataclass
class PlanResult:
    connection: HostedConnection
    device: str
    blockers: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)   # problems about us of severity warning: do not block
    advice: list[Finding] = field(default_factory=list)
    context: list[Finding] = field(default_factory=list)    # problems elsewhere, listed for information
    passed: list[Finding] = field(default_factory=list)
    config: str | None = None
    request: dict | None = None         # CreateVirtualPhysicalConnection, built by cloud_runbook from the SDK model
    api_command: str | None = None      # the same as an aliyun command line (cloud_runbook.CLI_SYNTAX)
    config_note: str | None = None      # why no configuration is shown at all
    evaluated_at: datetime | None = None    # the moment the permission window was judged at
    comment: str | None = None          # the device CLI's comment marker, for a blocked plan's preview
    cloud_answer: Finding | None = None     # plan --cloud-dry-run: what Alibaba Cloud answered the DryRun request

    @property
    def applicable(self) -> bool:
        return not self.blockers

    @property
    def exit_code(self) -> int:
        return exit_code(self.blockers) if self.blockers else EXIT_OK

    @property
    def verdict(self) -> str:
        return "may be created" if not self.blockers else "blocked"

    @property
    def command(self) -> str | None:
        return self.api_command


# ---------------------------------------------------------------- input

def resolve(inv: Inventory, circuit_id: str, tenant_id: str, bandwidth: str, address: str | None,
            connection_id: str | None) -> tuple:
    """Bad input (exit 2): unknown circuit or tenant, unparseable bandwidth or address, unsafe id."""
    problems = []
    circuit = inv.circuits.get(circuit_id)
    if circuit is None:
        problems.append(f"--circuit {circuit_id!r}: no such circuit in {inv.path} "
                        f"(known: {', '.join(sorted(inv.circuits)) or 'none'})")
    tenant = inv.tenants.get(tenant_id)
    if tenant is None:
        problems.append(f"--tenant {tenant_id!r}: no tenant with that account id in {inv.path} "
                        f"(known: {', '.join(sorted(inv.tenants)) or 'none'})")
    bps = None
    try:
        bps = parse_bandwidth(bandwidth)
    except ValueError as e:
        problems.append(f"--bandwidth: {e}")
    if address is not None:
        try:
            check_ipv4_interface(address, "--address", "value")
        except InputError as e:
            problems.extend(e.messages)
    if connection_id is not None:
        try:
            check_pattern(connection_id, "--id", "value", "identifier")
        except InputError as e:
            problems.extend(e.messages)
    if problems:
        raise InputError(problems)
    return circuit, tenant, bps


def used_vlans(inv: Inventory, circuit, state: DeviceState | None) -> set[int]:
    """VLANs taken on the circuit: by non-deleted connections, and by subinterfaces already on the device."""
    used = {hc.vlan for hc in inv.connections_on(circuit.id) if hc.counts}
    if state is not None:
        # a QinQ subinterface's outer tag is on the wire of the circuit too: never offered again
        used |= {v for i in state.subinterfaces_of(circuit.interface) for v in (i.vlan, i.outer_vlan) if v is not None}
    return used


def vlan_pool(inv: Inventory, circuit) -> tuple[VlanRanges, VlanRanges, str]:
    """(pool, reserved, where they come from) for --vlan auto: the circuit's own keys, else the partner's."""
    partner = inv.partner
    pool = circuit.vlan_pool or partner.vlan_pool or DEFAULT_POOL
    reserved = circuit.reserved_vlans if circuit.reserved_vlans is not None else (partner.reserved_vlans or ())
    source = ("circuit vlan_pool" if circuit.vlan_pool else "partner vlan_pool" if partner.vlan_pool
              else "default pool")
    return pool, reserved, source


def choose_vlan(inv: Inventory, circuit, requested, state: DeviceState | None) -> int | None:
    """--vlan N as given; --vlan auto: the lowest free, unreserved VLAN of the pool (never 0), or None."""
    if requested != "auto":
        return int(requested)
    pool, reserved, _ = vlan_pool(inv, circuit)
    taken = used_vlans(inv, circuit, state) | {v for lo, hi in reserved for v in range(lo, hi + 1)}
    return next((v for lo, hi in pool for v in range(max(lo, 1), hi + 1) if v not in taken), None)


def outside_pool(inv: Inventory, circuit, hc: HostedConnection) -> list[Finding]:
    """An explicit --vlan N that the circuit's configured pool leaves out, or reserves: said, not blocking.
    VLAN 0 (the whole port, routed) is no pool's business unless reserved."""
    pool, reserved, source = vlan_pool(inv, circuit)
    def inside(ranges: VlanRanges) -> bool:
        return any(lo <= hc.vlan <= hi for lo, hi in ranges)

    if reserved and inside(reserved):
        why = f"is reserved on circuit {circuit.id} (reserved_vlans {format_vlan_ranges(reserved)})"
    elif source != "default pool" and hc.vlan != 0 and not inside(pool):
        why = f"is outside the {source} {format_vlan_ranges(pool)} of circuit {circuit.id}"
    else:
        return []
    return [Finding("vlan-range", FAIL, SEV_WARNING, subject(circuit=circuit.id, hosted_connection=hc.key),
                    f"VLAN {hc.vlan} (given with --vlan) {why}", expected=f"a VLAN in {format_vlan_ranges(pool)}",
                    actual=hc.vlan, requirement="VLAN planning")]


def pool_exhausted(inv: Inventory, circuit, state: DeviceState | None) -> Finding:
    pool, reserved, source = vlan_pool(inv, circuit)
    used = sorted(v for v in used_vlans(inv, circuit, state) if any(lo <= v <= hi for lo, hi in pool))
    detail = f"{len(used)} in use" + (f", reserved {format_vlan_ranges(reserved)}" if reserved else "")
    return Finding("vlan-unique", FAIL, SEV_ERROR, subject(circuit=circuit.id),
                   f"No free VLAN on circuit {circuit.id}: its pool {format_vlan_ranges(pool)} ({source}) is "
                   f"exhausted ({detail}; VLAN 0 is never chosen automatically): widen vlan_pool or give --vlan N",
                   expected=f"a free VLAN in {format_vlan_ranges(pool)}", actual=used,
                   requirement="VLAN planning")


# ---------------------------------------------------------------- evaluation

def _key(f: Finding) -> tuple:
    return f.rule, f.status, tuple(sorted(f.subject.items())), f.message


def _is_ours(f: Finding, hc: HostedConnection, device: str) -> bool:
    s = f.subject
    if s.get("hosted_connection") == hc.key:
        return True
    if s.get("hosted_connection") is None:       # partner-, circuit- or device-level
        return s.get("circuit") in (None, hc.circuit) and s.get("device") in (None, device)
    return False


def _device_wide(f: Finding) -> bool:
    """A finding about another connection that judges a limit of the whole device (device-wide or per source
    IP): that limit covers the new connection too, so it is the device's problem, not the other tenant's."""
    return isinstance(f.actual, dict) and f.actual.get("scope") in (SCOPE_DEVICE, SCOPE_PER_SOURCE)


def device_ready(inv: Inventory, placement: Placement) -> list[Finding]:
    """The circuit's port exists on the device and carries nothing on the proposed VLAN yet."""
    hc, circuit, state = placement.connection, placement.circuit, placement.state
    if state is None:
        return []
    subj = subject(circuit=circuit.id, hosted_connection=hc.key, device=circuit.device, interface=circuit.interface)
    if circuit.interface not in state.interfaces:
        return [Finding("config-drift", FAIL, SEV_ERROR, subj,
                        f"Port {circuit.interface} of circuit {circuit.id} is not configured on {circuit.device}",
                        expected="port present", actual="missing", requirement="Create a hosted connection")]
    if hc.vlan == 0:
        busy = [i.name for i in state.subinterfaces_of(circuit.interface)]
        ok = not busy and not state.interfaces[circuit.interface].addresses
        found = ", ".join(busy) or ", ".join(state.interfaces[circuit.interface].addresses)
        message = (f"Port {circuit.interface} on {circuit.device} is free for a VLAN 0 (routed) connection" if ok else
                   f"Port {circuit.interface} on {circuit.device} is already in use ({found}): VLAN 0 needs the whole port")
    else:
        # the VLAN on any subinterface, or the name <port>.<vlan> the plan would configure carrying another VLAN
        iface = placement.interface or placement.misnamed
        ok = iface is None
        owners = [o.key for o in inv.connections_on(circuit.id)
                  if o.counts and o is not hc and iface is not None and o.vlan == iface.vlan]
        owner = f"it belongs to {', '.join(owners)}" if owners else "no hosted connection in the inventory owns it"
        message = (f"{circuit.device} carries nothing on dot1q VLAN {hc.vlan} of {circuit.interface}" if ok else
                   f"{circuit.device} already has {iface.name} with {iface.encapsulation} on {circuit.interface} ({owner})")
    return [Finding("config-drift", PASS if ok else FAIL, SEV_ERROR, subj, message,
                    expected=f"VLAN {hc.vlan} unused on {circuit.interface}", actual=None if ok else message,
                    requirement="Create a hosted connection")]


def evaluate_plan(inv: Inventory, hc: HostedConnection, now: datetime,
                  states: dict[str, DeviceState], failures: dict[str, str]) -> PlanResult:
    """Run the rules with the proposal added and sort every finding into blockers, warnings, advice, context."""
    circuit = inv.circuits[hc.circuit]
    device = circuit.device
    proposed = replace(inv, hosted_connections=list(inv.hosted_connections) + [hc])
    baseline = {_key(f) for f in evaluate(Context(inventory=inv, now=now), INVENTORY_RULES)}
    findings = evaluate(Context(inventory=proposed, now=now), INVENTORY_RULES)
    device_ctx = Context(inventory=proposed, now=now, states={device: states[device]} if device in states else {},
                         failures={device: failures[device]} if device in failures else {})
    device_findings = [f for f in evaluate(device_ctx, DEVICE_RULES) if f.subject.get("device") == device]
    ready = device_ready(proposed, device_ctx.placement(hc))
    from_device = {id(f) for f in device_findings}
    device_limits: set[tuple] = set()    # one device-wide limit is judged once, not once per connection it covers

    def about_us(f: Finding) -> bool | None:
        """True: about the new connection or what it depends on; False: context; None: said already."""
        if _is_ours(f, hc, device):
            return True
        if id(f) in from_device:                     # device rules: another connection's finding is context
            if not _device_wide(f):
                return False
            limit = (f.rule, f.status, f.severity, f.actual.get("source"))
            if limit in device_limits:
                return None
            device_limits.add(limit)
            return True
        return _key(f) not in baseline              # an inventory problem the proposal causes or changes

    result = PlanResult(connection=hc, device=device, evaluated_at=now)
    for f in findings + device_findings + ready:
        if f.rule in ADVICE_RULES:
            if isinstance(f.actual, dict) and f.actual.get("tenant") == hc.tenant:
                result.advice.append(f)
            elif f.is_problem:
                result.context.append(f)
            continue
        ours = about_us(f)
        if ours is None:
            continue
        if not f.is_problem:
            if ours:
                result.passed.append(f)
        elif not ours:
            result.context.append(f)
        elif f.severity == SEV_ERROR:
            result.blockers.append(f)
        else:
            result.warnings.append(f)
    return result


def plan(inv: Inventory, circuit_id: str, tenant_id: str, bandwidth: str, vlan="auto", address: str | None = None,
         connection_id: str | None = None, now: datetime | None = None,
         states: dict[str, DeviceState] | None = None, failures: dict[str, str] | None = None,
         dry_run: bool = False) -> PlanResult:
    """The whole plan, given the circuit's device state (or its failure). Raises InputError on bad input."""
    now = now or datetime.now(timezone.utc)
    states, failures = states or {}, failures or {}
    circuit, tenant, bps = resolve(inv, circuit_id, tenant_id, bandwidth, address, connection_id)
    chosen = choose_vlan(inv, circuit, vlan, states.get(circuit.device))
    if chosen is None:
        hc = HostedConnection(circuit.id, tenant.account_id, -1, bps, bandwidth, "pending", connection_id, address)
        result = PlanResult(connection=hc, device=circuit.device, evaluated_at=now)
        result.blockers.append(pool_exhausted(inv, circuit, states.get(circuit.device)))
        return result
    hc = HostedConnection(circuit.id, tenant.account_id, chosen, bps, bandwidth, "pending", connection_id, address)
    result = evaluate_plan(inv, hc, now, states, failures)
    if vlan != "auto":
        result.warnings += outside_pool(inv, circuit, hc)
    if 0 <= chosen <= VLAN_MAX:       # out of range is a vlan-range blocker; nothing to render then
        enabled = replace(hc, status="enabled")
        view = connection_view(inv, enabled)    # raises InputError for an unsafe tenant name: bad input
        snippet = render_connection(inv, enabled, "create", cloud=False)   # and for a platform without templates
        with_new = replace(inv, hosted_connections=[*inv.hosted_connections, enabled])   # device-wide settings count it
        config = render_device(with_new, circuit.device, "create", [snippet])
        call = cloud_runbook.create_request(view, dry_run=dry_run)
        result.request, result.api_command = call.request, call.command
        result.comment = platform_spec(view.platform).comment
        taken = holders(inv, Placements(inv, states).of(hc))
        if taken:
            where = view.port if 0 in [hc.vlan] + [o.vlan for o in taken] else view.interface
            result.config_note = (f"No configuration: {where} on {circuit.device} already carries hosted connection "
                                  + ", ".join(f"{o.key} (VLAN {o.vlan}, {o.status})" for o in taken))
        elif not result.applicable and result.comment is None:
            result.config_note = (f"No configuration: the plan is blocked and templates/{view.platform}/commands.yaml "
                                  f"has no `comment` marker to show it commented out")
        else:
            result.config = config
    return result


def ask_cloud(inv: Inventory, result: PlanResult, timeout: float = 30.0, access=None) -> PlanResult:
    """plan --cloud-dry-run: send the DryRun CreateVirtualPhysicalConnection and add the answer as a finding
    (DRYRUN.SUCCESS passes; any other answer blocks, explained in the guide's words where it has them)."""
    from ecpartner.cloud_state import DRYRUN_SUCCESS, explain_dry_run
    from ecpartner.collect.cloud import dry_run

    hc = result.connection
    if result.request is None or result.request.get("DryRun") is not True:
        return result           # nothing to ask (a VLAN out of range renders no request)
    code, message = dry_run("CreateVirtualPhysicalConnection", result.request, inv.circuits[hc.circuit].region,
                            timeout, access)
    ok = code == DRYRUN_SUCCESS
    why = explain_dry_run(code, message)
    said = f"{code}: {message}" if code else message
    text = (f"Alibaba Cloud answered the DryRun request {DRYRUN_SUCCESS}: the call would succeed" if ok else
            f"Alibaba Cloud refused the DryRun request ({said})" + (f"; the guide: {why}" if why else ""))
    f = Finding("cloud-dry-run", PASS if ok else FAIL, SEV_ERROR, subject(circuit=hc.circuit, hosted_connection=hc.key),
                text, expected=DRYRUN_SUCCESS, actual=code or message, requirement="Troubleshooting")
    result.cloud_answer = f
    (result.passed if ok else result.blockers).append(f)
    return result


def holders(inv: Inventory, placement: Placement) -> list[HostedConnection]:
    """Other non-deleted connections on the interface the plan would configure: the same VLAN, the whole
    port when either is VLAN 0, or the device's <port>.<vlan> subinterface already carrying theirs."""
    hc, clash = placement.connection, placement.misnamed
    return [o for o in inv.connections_on(hc.circuit) if o is not hc and o.counts
            and (o.vlan == hc.vlan or 0 in (o.vlan, hc.vlan) or (clash is not None and o.vlan == clash.vlan))]


# ---------------------------------------------------------------- output

def _finding_line(f: Finding, markdown: bool) -> str:
    esc = markdown_text if markdown else safe
    where = ", ".join(f"{k}={v}" for k, v in f.subject.items() if v is not None)
    return f"{'- ' if markdown else '  '}[{esc(f.rule)}] {esc(f.message)}" + (f"  ({esc(where)})" if where else "")


def _preview(text: str, marker: str) -> str:
    """A blocked plan's text, every line commented out under the banner: pasting it applies nothing."""
    return "\n".join([f"{marker} {BANNER}"] + [f"{marker} {line}".rstrip() for line in text.rstrip("\n").split("\n")]) + "\n"


def shown_config(result: PlanResult) -> str | None:
    """The configuration as output shows it: as is when applicable, else a commented preview."""
    if result.config is None or result.applicable:
        return result.config
    return _preview(result.config, result.comment)


def shown_command(result: PlanResult) -> str | None:
    if result.command is None or result.applicable:
        return result.command
    return _preview(result.command, SHELL_COMMENT).rstrip("\n")


def to_json(result: PlanResult, inventory_path: str, now: datetime) -> dict:
    hc = result.connection
    return {
        "inventory": inventory_path,
        "generated_at": iso_utc(now),
        "evaluated_at": iso_utc(result.evaluated_at or now),    # extension: plan --at, else the same moment
        "verdict": result.verdict,
        "applicable": result.applicable,
        "exit_code": result.exit_code,
        "connection": {"id": hc.id, "key": hc.key, "circuit": hc.circuit, "device": result.device,
                       "tenant": hc.tenant, "vlan": hc.vlan, "bandwidth": format_bandwidth(hc.bandwidth),
                       "address": hc.address},
        "blockers": [f.to_dict() for f in result.blockers],
        "warnings": [f.to_dict() for f in result.warnings],
        "advice": [f.to_dict() for f in result.advice],
        "context": [f.to_dict() for f in result.context],
        "passed": [f.to_dict() for f in result.passed],
        "cloud_dry_run": result.cloud_answer.to_dict() if result.cloud_answer is not None else None,
        "config": shown_config(result),
        "config_note": result.config_note,
        "api": {"action": "CreateVirtualPhysicalConnection", "request": result.request, "command": shown_command(result),
                "cli": cloud_runbook.CLI_SYNTAX},
    }


def to_text(result: PlanResult, markdown: bool = False) -> str:
    """Table or markdown text. Inventory and device text is escaped for the format (display.safe /
    markdown_text); fenced blocks hold only rendered configuration and API text, checked by render."""
    hc = result.connection
    esc = markdown_text if markdown else safe
    head = "## " if markdown else ""
    fence = ["```"] if markdown else []
    blocked = "" if result.applicable else f": {BANNER} (preview, every line commented out)"
    out = [f"{'# ' if markdown else ''}Plan: hosted connection on {esc(hc.circuit)} ({esc(result.device)}) for tenant "
           f"{esc(hc.tenant)}, VLAN {hc.vlan}, {format_bandwidth(hc.bandwidth)}",
           f"Verdict: {result.verdict.upper()} (exit {result.exit_code})" + ("  " if markdown else ""),
           *([f"Evaluated at: {iso_utc(result.evaluated_at)}" + ("  " if markdown else "")]
             if result.evaluated_at is not None else []),
           "Applicable: yes" if result.applicable else f"Applicable: no, {BANNER}", ""]
    for title, items in (("Blocking findings", result.blockers), ("Warnings (not blocking)", result.warnings),
                         ("Advice", result.advice), ("Context: problems elsewhere, not blocking", result.context)):
        if items:
            out += [f"{head}{title} ({len(items)})"] + [_finding_line(f, markdown) for f in items] + [""]
    out += [f"Checks passed for this connection, its circuit, device and partner: {len(result.passed)}", ""]
    if result.cloud_answer is not None:
        out += [f"{head}Alibaba Cloud dry run", esc(result.cloud_answer.message), ""]
    config = shown_config(result)
    if result.config_note is not None:
        out += [f"{head}Configuration for {esc(result.device)}", esc(result.config_note), ""]
    elif config is not None:
        out += [f"{head}Configuration for {esc(result.device)}{blocked}"] + fence + _lines(config) + fence + [""]
    if result.request is not None:
        request = json.dumps(result.request, indent=2)
        if not result.applicable:
            request = _preview(request, SHELL_COMMENT)
        out += [f"{head}Alibaba Cloud API: CreateVirtualPhysicalConnection{blocked}"] + fence + _lines(request) + fence
        out += ["", f"As a command line ({cloud_runbook.CLI_SYNTAX}):"] + fence + _lines(shown_command(result)) + fence
    return "\n".join(out) + "\n"


def _lines(text: str) -> list[str]:
    return [safe(line) for line in text.rstrip("\n").split("\n")]


def device_states(inv: Inventory, device: str, live: bool, fixtures: str | None, concurrency: int,
                  timeout: float, progress: ProgressCallback | None = None) -> tuple[dict[str, DeviceState], dict[str, str]]:
    """Collect and parse the circuit's device only (fixtures by default, --live over SSH/SNMP, `progress`
    hearing it: collect/progress.py)."""
    from ecpartner.collect import collect_fleet
    from ecpartner.parse import build_states

    collected = collect_fleet(inv, live=live, fixtures_dir=fixtures, names=[device],
                              concurrency=concurrency, timeout=timeout, progress=progress)
    return build_states(inv, collected)

