"""Switch configuration for hosted connections: Jinja templates per platform, fed only checked values.

Vendor syntax lives in templates/<platform>/render/{create,modify-vlan,disable,enable,delete}.j2 and
device.j2 (wraps one device's snippets: enter and leave configuration mode); templates branch on the
device's `family` (router | switch) where a platform's families differ. The Alibaba Cloud steps of each
action come from ecpartner.cloud_runbook and are printed behind the platform's comment marker. This module is
vendor-neutral: it turns an inventory connection into a ConnectionView whose every field has passed
ecpartner.safetext, and runs the templates with StrictUndefined (a missing value is an error, never an
empty line). Autoescape is off on purpose: the output is CLI text, not HTML; injection is prevented by
validating the inputs, and a `finalize` hook refuses any rendered value that still carries a control
character, as a second line of defence.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from typing import NamedTuple

import jinja2

from ecpartner import cloud_runbook
from ecpartner.errors import InputError
from ecpartner.gc_pause import gc_paused
from ecpartner.inventory import Circuit, Device, HostedConnection, Inventory, Tenant, format_bandwidth
from ecpartner.platforms import Naming, naming, platform_dir, platform_spec
from ecpartner.safetext import (DESCRIPTION_MAX, NAME_MAX, check_free_text, check_ipv4_host, check_pattern,
                                check_vlan)

ACTIONS = ("create", "modify-vlan", "disable", "enable", "delete")
NEEDS_EXPLICIT_SELECTION = ("modify-vlan", "delete")   # never applied to a whole fleet by default


class ConnectionView(NamedTuple):
    """Everything a template may print about one hosted connection, already checked and unit-converted.
    Immutable like a frozen dataclass, but about 3x cheaper to build: one is made per connection."""
    key: str                    # id, or circuit/vlanN before Alibaba Cloud assigned one
    id: str | None
    label: str                  # id or "pending"
    circuit: str
    region: str
    device: str
    platform: str
    family: str                 # the device's: router | switch (templates branch on it)
    port: str                   # the circuit's port
    interface: str              # the platform's name for the port (VLAN 0) or its subinterface for the VLAN
    vlan: int
    subinterface: bool
    tenant: str                 # account id
    tenant_name: str
    description: str
    ip: str | None
    mask: str | None
    prefixlen: int | None
    bandwidth_bps: int
    bandwidth_kbps: int
    spec: str                   # 200M, 1G: also the name suffix of per-bandwidth policies
    arp_pps: int                # ARP limit on the tenant interface: arp_pps_per_user x users
    port_arp_pps: int           # ARP limit for the whole circuit port, where a platform limits ARP per port only:
                                # arp_pps_per_user x the users of this and every enabled connection on the circuit
    status: str
    shutdown: bool              # disabled connections are configured shut down


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class _Block(str):
    """Already-rendered multi-line text (a snippet) that device.j2 may print as is."""


def _finalize(value):
    """Second line of defence: no rendered value may carry a line break or control character."""
    if isinstance(value, str) and not isinstance(value, _Block):
        # printable ASCII (every checked view field) holds none: the regex runs only on the rest
        if not (value.isascii() and value.isprintable()) and _CONTROL.search(value):
            raise InputError(f"refusing to render {value!r}: it contains a line break or control character")
    return value


Block = _Block


@lru_cache(maxsize=None)
def environment(platform: str, folders: tuple[str, ...] = ("render",)) -> jinja2.Environment:
    """The Jinja environment of a platform's templates; `folders` (searched in order) lets remediation
    templates include the render templates' pieces."""
    paths = [platform_dir(platform) / f for f in folders]
    if not paths[0].is_dir():
        raise InputError(f"no {folders[0]} templates for platform {platform} (looked in {paths[0]})")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in paths]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,              # switch configuration, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
        auto_reload=False,             # compiled once per run: no stat of the file (and its includes) per render
    )


@lru_cache(maxsize=None)
def _template(platform: str, name: str) -> jinja2.Template:
    try:
        return environment(platform).get_template(f"{name}.j2")
    except jinja2.TemplateNotFound:
        raise InputError(f"no {name} template for platform {platform} "
                         f"({platform_dir(platform) / 'render' / (name + '.j2')})") from None


def _run(platform: str, name: str, owner: str, **values) -> str:
    try:
        return _template(platform, name).render(**values)
    except jinja2.UndefinedError as e:
        raise InputError(f"{owner}: template {platform}/render/{name}.j2 needs a value it was not given: {e}") from None
    except jinja2.TemplateError as e:
        raise InputError(f"{owner}: template {platform}/render/{name}.j2 failed: {e}") from None


# ---------------------------------------------------------------- building checked views

def description_for(hc: HostedConnection, tenant_name: str) -> str:
    """The (sub)interface description: hosted connection id and tenant account id and name."""
    return f"ECP {hc.id or 'pending'} tenant {hc.tenant} {tenant_name}"


def _users(tenant: Tenant) -> int:
    return max(int(tenant.users), 1)


class _Site(NamedTuple):
    """A circuit and its device, their fields checked: the same for every connection on the circuit."""
    circuit: Circuit
    device: Device
    port: str                   # the circuit's port
    naming: Naming | None       # the platform's naming model; None for a platform without templates


class RenderRun:
    """What the connections of one render run share, made once for the run instead of once per connection: each
    circuit's checked fields, the users behind each circuit's enabled connections (counting them per connection
    made rendering a circuit quadratic in its connections), each bandwidth's spelling."""

    def __init__(self, inv: Inventory) -> None:
        self.inventory = inv
        self._sites: dict[str, _Site] = {}              # circuit id -> its site, once its fields passed
        # circuit id -> (users of its enabled connections, the same by connection id, by id(connection))
        self._enabled: dict[str, tuple[int, dict[str, int], dict[int, int]]] = {}
        self._specs: dict[int, str] = {}                 # bit/s -> the spec spelling (200M), one Decimal each

    def view(self, hc: HostedConnection) -> ConnectionView:
        """Check every field of `hc` that reaches a device; raise InputError naming the connection and field."""
        inv = self.inventory
        owner = f"hosted connection {hc.key}"
        site = self._sites.get(hc.circuit)     # None: not yet checked in this run (the checks run in this order)
        if site is None:
            circuit = inv.circuits.get(hc.circuit)
            if circuit is None:
                raise InputError(f"{owner}: circuit {hc.circuit!r} is not in the inventory")
            device = inv.devices.get(circuit.device)
            if device is None:
                raise InputError(f"{owner}: device {circuit.device!r} of circuit {circuit.id} is not in the inventory")
        tenant = inv.tenants.get(hc.tenant)
        if tenant is None:
            raise InputError(f"{owner}: tenant {hc.tenant!r} is not in the inventory")
        if hc.id is not None:
            check_pattern(hc.id, owner, "id", "identifier")
        if site is None:            # only a pass is kept: a refusal is raised again, naming each connection
            site = self._sites[hc.circuit] = self._site(circuit, device, owner)
        circuit, device, port = site.circuit, site.device, site.port
        vlan = check_vlan(hc.vlan, owner)
        check_pattern(tenant.account_id, owner, "tenant account id", "account")
        name = check_free_text(tenant.name, owner, f"tenant {tenant.account_id} name", NAME_MAX)
        description = description_for(hc, name)
        if len(description) > DESCRIPTION_MAX:  # its parts passed above (id, account, name): only its length is left
            check_free_text(description, owner, "description", DESCRIPTION_MAX)
        if hc.bandwidth <= 0 or hc.bandwidth % 1000:
            raise InputError(f"{owner}: bandwidth {hc.bandwidth_text!r} is not a whole number of kbit/s")
        ip = mask = prefixlen = None
        if hc.address:
            ip, mask, prefixlen = check_ipv4_host(hc.address, owner)
        users = _users(tenant)
        per_user = inv.thresholds.arp_pps_per_user
        spec = self._specs.get(hc.bandwidth)
        if spec is None:
            spec = self._specs[hc.bandwidth] = format_bandwidth(hc.bandwidth)
        model = site.naming or platform_spec(device.platform).naming    # the latter says why a platform has none
        return ConnectionView(      # positional, in field order: building it by keyword costs 4x as much
            hc.key, hc.id, hc.id or "pending",                                  # key, id, label
            circuit.id, circuit.region, device.name, device.platform, device.family, port,
            model.interface(port, vlan), vlan, vlan != 0,                      # interface, vlan, subinterface
            tenant.account_id, name, description,                               # tenant, tenant_name, description
            ip, mask, prefixlen, hc.bandwidth, hc.bandwidth // 1000, spec,
            max(1, math.floor(per_user * users)),                               # arp_pps
            max(1, math.floor(per_user * self.port_users(hc, users))),          # port_arp_pps
            hc.status, hc.status == "disabled",                                 # status, shutdown
        )

    @staticmethod
    def _site(circuit: Circuit, device: Device, owner: str) -> _Site:
        check_pattern(circuit.id, owner, "circuit id", "identifier")
        check_pattern(circuit.region, owner, f"circuit {circuit.id} region", "identifier")
        check_pattern(device.name, owner, "device name", "identifier")
        port = check_pattern(circuit.interface, owner, f"circuit {circuit.id} interface", "interface")
        return _Site(circuit, device, port, naming(device.platform))

    def port_users(self, hc: HostedConnection, users: int) -> int:
        """`users` + the users of every other enabled connection on hc's circuit (a copy of hc, e.g. hc on its new
        VLAN, is the same connection when it has an id): what a port-wide ARP limit serves. From the circuit's
        totals, counted once per run, less hc's own share (by its id when it has one, else hc itself)."""
        totals = self._enabled.get(hc.circuit)
        if totals is None:
            inv, enabled, by_id, by_connection = self.inventory, 0, {}, {}
            for o in inv.connections_on(hc.circuit):
                if o.status == "enabled" and o.tenant in inv.tenants:
                    u = by_connection[id(o)] = _users(inv.tenants[o.tenant])
                    enabled += u
                    if o.id is not None:
                        by_id[o.id] = by_id.get(o.id, 0) + u
            totals = self._enabled[hc.circuit] = (enabled, by_id, by_connection)
        enabled, by_id, by_connection = totals
        return users + enabled - (by_id.get(hc.id, 0) if hc.id is not None else by_connection.get(id(hc), 0))


def connection_view(inv: Inventory, hc: HostedConnection, run: RenderRun | None = None) -> ConnectionView:
    """RenderRun.view: `run` is what a whole render run shares (a RenderRun of this inventory); without it, hc
    alone is looked at."""
    return (run if run is not None and run.inventory is inv else RenderRun(inv)).view(hc)


def comment_marker(platform: str) -> str:
    marker = platform_spec(platform).comment
    if marker is None:
        raise InputError(f"templates/{platform}/commands.yaml has no `comment` marker: the Alibaba Cloud steps "
                         f"cannot be printed safely for this platform")
    return marker


def cloud_block(action: str, old: ConnectionView, new: ConnectionView | None = None, dry_run: bool = False) -> str:
    """The Alibaba Cloud runbook of one connection as comment lines: pasting them into the device does nothing."""
    after = new or old
    steps = cloud_runbook.runbook(action, old, new, dry_run=dry_run)
    marker = comment_marker(old.platform)
    title = f"{action} {old.key}{' (DRY RUN: DryRun=true where the API has it)' if dry_run else ''}"
    lines = steps.lines(title, old.device, after.interface)
    return "".join(f"{marker} {line}\n" for line in lines)


def device_users(inv: Inventory) -> Counter:
    """device -> users (tenant.users) behind its enabled and pending connections: what a device-wide ARP limit serves."""
    users: Counter = Counter()
    for hc in inv.hosted_connections:
        circuit, tenant = inv.circuits.get(hc.circuit), inv.tenants.get(hc.tenant)
        if hc.status in ("enabled", "pending") and circuit is not None and tenant is not None:
            users[circuit.device] += _users(tenant)
    return users


# ---------------------------------------------------------------- rendering

def check_new_vlan(inv: Inventory, hc: HostedConnection, vlan: int) -> None:
    """modify-vlan: the new VLAN must be in range, different, and unused on the circuit (guide: "make sure
    the new VLAN ID is unique across all hosted connections on the same Express Connect circuit")."""
    owner = f"hosted connection {hc.key}"
    check_vlan(vlan, owner, "new VLAN (--vlan)")
    if vlan == hc.vlan:
        raise InputError(f"{owner}: already on VLAN {vlan}; nothing to modify")
    others = [o for o in inv.connections_on(hc.circuit) if o is not hc and o.counts]
    taken = [o.key for o in others if o.vlan == vlan]
    if taken:
        raise InputError(f"{owner}: VLAN {vlan} is already used on circuit {hc.circuit} by {', '.join(taken)}")
    if vlan == 0 and others:
        raise InputError(f"{owner}: VLAN 0 uses the whole circuit {hc.circuit} as a routed interface, but "
                         f"{', '.join(o.key for o in others)} also use it")
    zero = [o.key for o in others if o.vlan == 0]
    if zero:
        raise InputError(f"{owner}: circuit {hc.circuit} is used whole by VLAN 0 connection {', '.join(zero)}")


def render_connection(inv: Inventory, hc: HostedConnection, action: str = "create",
                      new_vlan: int | None = None, dry_run: bool = False, cloud: bool = True,
                      run: RenderRun | None = None) -> str:
    """One connection's snippet for one action (without entering/leaving configuration mode): its Alibaba
    Cloud runbook as comment lines (unless `cloud` is false), then the device lines. `run`: see connection_view."""
    if action not in ACTIONS:
        raise InputError(f"unknown action {action!r} (expected one of {', '.join(ACTIONS)})")
    c = connection_view(inv, hc, run)
    owner = f"hosted connection {hc.key}"
    if action == "modify-vlan":
        if new_vlan is None:
            raise InputError(f"{owner}: modify-vlan needs the new VLAN (--vlan N)")
        check_new_vlan(inv, hc, new_vlan)
        new = connection_view(inv, replace(hc, vlan=new_vlan), run)
        device = _run(c.platform, action, owner, old=c, new=new)
    else:
        new = None
        device = _run(c.platform, action, owner, c=c)
    return (cloud_block(action, c, new, dry_run) if cloud else "") + device


def render_device(inv: Inventory, device_name: str, action: str, snippets: list[str],
                  users: Counter | None = None) -> str:
    """One device's file: device.j2 wraps the snippets (configuration mode in and out). `inv` is the inventory
    as the action leaves it (`users`: its device_users, when already counted): device-wide settings such as a
    control-plane ARP limit get `arp_pps` = arp_pps_per_user x the users of its enabled and pending
    connections, 0 when none is left."""
    device = inv.devices[device_name]
    behind = (users if users is not None else device_users(inv))[device_name]
    arp_pps = max(1, math.floor(inv.thresholds.arp_pps_per_user * behind)) if behind else 0
    return _run(device.platform, "device", f"device {device_name}", device=device, action=action,
                snippets=[_Block(s.rstrip("\n")) for s in snippets], arp_pps=arp_pps, users=behind)


def _order(inv: Inventory, hc: HostedConnection) -> tuple:
    circuit = inv.circuits[hc.circuit]
    return (circuit.device, circuit.interface, hc.vlan, hc.key)


def select_connections(inv: Inventory, ids: list[str] | None, action: str) -> list[HostedConnection]:
    """The connections named by --connection (id or circuit/vlanN), or every live one for create/disable/enable."""
    if not ids:
        if action in NEEDS_EXPLICIT_SELECTION:
            raise InputError(f"--action {action} needs --connection ID (it is never applied to every connection)")
        return sorted((hc for hc in inv.hosted_connections if hc.counts), key=lambda hc: _order(inv, hc))
    by_key: dict[str, list[HostedConnection]] = {}
    for hc in inv.hosted_connections:
        by_key.setdefault(hc.key, []).append(hc)
    unknown = [i for i in ids if i not in by_key]
    if unknown:
        known = ", ".join(sorted(by_key)) or "none"
        raise InputError(f"{inv.path}: no hosted connection {', '.join(map(repr, unknown))} (known: {known})")
    # Two connections without an id on the same circuit and VLAN share a name: never pick one of them silently.
    ambiguous = [i for i in dict.fromkeys(ids) if len(by_key[i]) > 1]
    if ambiguous:
        raise InputError([f"{inv.path}: --connection {i!r} is ambiguous: the hosted connections at lines "
                          f"{', '.join(str(hc.line) for hc in by_key[i])} all go by it (give them their ids)"
                          for i in ambiguous])
    chosen = list(dict.fromkeys(by_key[i][0] for i in ids))
    if action != "delete":
        gone = [hc.key for hc in chosen if not hc.counts]
        if gone:
            raise InputError(f"hosted connection {', '.join(gone)} has status deleted: nothing to {action}")
    return sorted(chosen, key=lambda hc: _order(inv, hc))


def inventory_after(inv: Inventory, chosen: list[HostedConnection], action: str) -> Inventory:
    """The inventory as `action` leaves it: deleted connections gone, enabled or disabled ones in their new status
    (what device-wide settings are sized for)."""
    status = {"enable": "enabled", "disable": "disabled"}.get(action)
    if action != "delete" and status is None:
        return inv
    mine = {id(hc) for hc in chosen}
    kept = [hc for hc in inv.hosted_connections if action != "delete" or id(hc) not in mine]
    return replace(inv, hosted_connections=[replace(hc, status=status) if status and id(hc) in mine else hc
                                            for hc in kept])


class Skipped(NamedTuple):
    key: str                    # the hosted connection
    reason: str                 # a message naming it
    failed: bool                # it failed itself (False: left out because another on its device failed)


class FleetRender(NamedTuple):
    files: dict[str, str]       # device name -> its whole file
    skipped: list[Skipped]


def render_each(inv: Inventory, ids: list[str] | None = None, action: str = "create",
                new_vlan: int | None = None, dry_run: bool = False) -> FleetRender:
    """Every chosen connection that can be rendered; the others listed with their reason. A device file is
    whole or absent: when one of a device's connections fails, none of that device's is written."""
    if new_vlan is not None and action != "modify-vlan":
        raise InputError(f"--vlan is only for --action modify-vlan (not {action})")
    chosen = select_connections(inv, ids, action)
    if action == "modify-vlan" and len(chosen) != 1:
        raise InputError("--action modify-vlan changes one hosted connection at a time: give exactly one --connection")
    per_device: dict[str, list[tuple[HostedConnection, str | None, list[str]]]] = {}
    run = RenderRun(inv)
    with gc_paused():   # a view and a snippet made per connection: the cyclic GC would rescan them all (~20%)
        for hc in chosen:
            try:
                snippet, problems = render_connection(inv, hc, action, new_vlan, dry_run, run=run), []
            except InputError as e:
                snippet, problems = None, e.messages
            per_device.setdefault(inv.circuits[hc.circuit].device, []).append((hc, snippet, problems))
    files: dict[str, str] = {}
    skipped: list[Skipped] = []
    after = inventory_after(inv, chosen, action)     # a device's file is sized for its own connections only
    users = device_users(after)
    for name, rendered in sorted(per_device.items()):
        failed = [hc.key for hc, snippet, _ in rendered if snippet is None]
        if not failed:
            try:
                files[name] = render_device(after, name, action, [snippet for _, snippet, _ in rendered], users)
            except InputError as e:      # the device's wrapper failed: every connection on it failed with it
                skipped += [Skipped(hc.key, f"hosted connection {hc.key}: {m}", True)
                            for hc, _, _ in rendered for m in e.messages]
            continue
        skipped += [Skipped(hc.key, m, True) for hc, snippet, problems in rendered for m in problems]
        skipped += [Skipped(hc.key, f"hosted connection {hc.key}: not rendered, the file of device {name} would "
                                    f"lack {', '.join(failed)} (a device file is whole or not written)", False)
                    for hc, snippet, _ in rendered if snippet is not None]
    return FleetRender(files, skipped)


def render_fleet(inv: Inventory, ids: list[str] | None = None, action: str = "create",
                 new_vlan: int | None = None, dry_run: bool = False) -> dict[str, str]:
    """device name -> its file text, devices and snippets in a stable order. All or nothing: InputError."""
    files, skipped = render_each(inv, ids, action, new_vlan, dry_run)
    if skipped:
        errors = list(dict.fromkeys(s.reason for s in skipped if s.failed))
        if not ids:
            errors.append("nothing was rendered; fix the inventory or choose connections with --connection ID")
        raise InputError(errors)
    return files
