"""Remediation: the configuration that makes a failing device finding pass, in the device's own syntax.

The rules decide what is needed (a finding's `fix`: a kind and the values it names); the lines come from
templates/<platform>/remediate/<kind>.j2, which may include the render templates' pieces (_build.j2,
disable.j2, ...): the same knowledge builds a connection and repairs it. A template may set a block
`definitions` (a policy, a class-map, what a rebuilt interface needs first): a device's file puts every
definition (one stanza: one_by_one), once, before the lines that use them. An orphan subinterface is never
removed: its template's lines are printed behind the platform's comment marker, as a suggestion. This
module is vendor-neutral.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

import jinja2

from ecpartner.errors import InputError
from ecpartner.findings import Finding
from ecpartner.inventory import Inventory
from ecpartner.platforms import platform_dir
from ecpartner.render import Block, RenderRun, comment_marker, connection_view, environment

# the rules whose findings configuration can fix (what `remediate` checks by default)
FIXING_RULES = ("monitoring-enabled", "qos-bandwidth-limit", "arp-rate-limit", "icmp-rate-limit", "config-drift")
KINDS = ("interface", "qos", "statistics", "shutdown", "no-shutdown", "address", "arp", "icmp", "orphan")
SUGGESTIONS = ("orphan",)          # printed as comments only: never applied
_UNSAFE = re.compile(r"[^\x20-\x7e]")


class Remedy(NamedTuple):
    definitions: tuple[str, ...]   # what the bodies use (policies, classes): first in a device's file
    bodies: tuple[str, ...]        # one block per fix (a finding may need several: build, then ARP)
    suggestion: bool               # commented out: a person decides

    @property
    def text(self) -> str:
        return "".join(self.definitions) + "".join(self.bodies)


@lru_cache(maxsize=None)
def _template(platform: str, kind: str) -> jinja2.Template:
    env = environment(platform, ("remediate", "render"))
    try:
        return env.get_template(f"{kind}.j2")
    except jinja2.TemplateNotFound:
        raise InputError(f"no remediation template {kind} for platform {platform} "
                         f"({platform_dir(platform) / 'remediate' / (kind + '.j2')})") from None


def _enabled_users(inv: Inventory) -> Counter:
    """device -> users behind its enabled connections: what a device-wide ARP limit is judged against."""
    users: Counter = Counter()
    for hc in inv.hosted_connections:
        circuit, tenant = inv.circuits.get(hc.circuit), inv.tenants.get(hc.tenant)
        if hc.status == "enabled" and circuit is not None and tenant is not None:
            users[circuit.device] += max(int(tenant.users), 1)
    return users


class Remediator:
    """Renders the remediation of findings of one inventory and its device states."""

    def __init__(self, inv: Inventory, states: dict):
        self.inv, self.states = inv, states
        self._users: Counter | None = None
        self._render = RenderRun(inv)    # each circuit's checks and users once, however many findings name it

    def device_arp_pps(self, device: str) -> int:
        if self._users is None:
            self._users = _enabled_users(self.inv)
        return max(1, math.floor(self.inv.thresholds.arp_pps_per_user * self._users[device]))

    def remedy(self, finding: Finding) -> Remedy | None:
        """The finding's remediation, or None when configuration cannot fix it (or its values cannot be
        rendered safely: the finding then keeps no remediation rather than a guessed one)."""
        parts = [self._one(kind, values) for kind, values in fixes(finding)]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return Remedy(tuple(d for p in parts for d in p.definitions), tuple(b for p in parts for b in p.bodies),
                      all(p.suggestion for p in parts))

    def _one(self, kind: str, values: dict) -> Remedy | None:
        values = dict(values)
        hc = values.pop("connection", None)
        if hc is not None:
            try:
                c = connection_view(self.inv, hc, self._render)
            except InputError:
                return None
            if values.get("interface"):
                c = c._replace(interface=values["interface"])
            device = self.inv.devices[c.device]
            values["c"] = c
        else:
            device = self.inv.devices[values["device"]]
        state = self.states.get(device.name)
        values.setdefault("built", False)       # arp: the same remedy builds the interface (and its own limit)
        values.update(device=device, platform=device.platform, state=state,
                      iface=state.interfaces.get(values.get("interface")) if state is not None else None,
                      device_arp_pps=self.device_arp_pps(device.name))
        try:
            module = _template(device.platform, kind).make_module(values)
        except InputError:
            return None          # a value read from the device that cannot be printed safely: no remediation
        except jinja2.TemplateError as e:
            raise InputError(f"{device.name}: template {device.platform}/remediate/{kind}.j2 failed: {e}") from None
        rendered = (str(module), str(getattr(module, "definitions", "")))
        body, definitions = (text if text.strip() else "" for text in rendered)
        if not body and not definitions:
            return None                  # the template knows no fix for this form (it says so in its comment)
        suggestion = kind in SUGGESTIONS
        if suggestion:
            marker = comment_marker(device.platform)
            body = "".join(f"{marker} {line}\n" for line in (definitions + body).splitlines() if line.strip())
            definitions = ""
        return Remedy(one_by_one(definitions, comment_marker(device.platform)), tuple(filter(None, [_ending(body)])),
                      suggestion)


def one_by_one(definitions: str, marker: str) -> tuple[str, ...]:
    """A template's definitions apart, so that a device's file states each once however many fixes need it
    (two connections' policies share an access list): a definition is a line at the left margin, the
    indented lines under it and a line of the platform's comment marker alone that closes it."""
    found: list[str] = []
    for line in _ending(definitions).splitlines(keepends=True):
        if found and (line[:1] in (" ", "\t") or line.strip() == marker):
            found[-1] += line
        elif line.strip():
            found.append(line)
    return tuple(found)


def fixes(finding: Finding) -> list[tuple[str, dict]]:
    """The finding's fixes: a rule gives one (kind, values), or a list of them applied in order."""
    if finding.fix is None:
        return []
    return finding.fix if isinstance(finding.fix, list) else [finding.fix]


def kinds(finding: Finding) -> list[str]:
    return [kind for kind, _ in fixes(finding)]


def _ending(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def attach(inv: Inventory, states: dict, findings: list[Finding]) -> dict[int, Remedy]:
    """Set `remediation` on every failing finding configuration can fix; id(finding) -> its Remedy."""
    remediator = Remediator(inv, states)
    remedies: dict[int, Remedy] = {}
    rebuilt = set()     # a subinterface a connection's fix re-encapsulates is no orphan to remove
    for f in findings:
        if "interface" in kinds(f) and f.is_problem and f.subject["interface"]:
            rebuilt.add((f.subject["device"], f.subject["interface"]))
    for f in findings:
        if f.fix is None or not f.is_problem:
            continue
        if set(kinds(f)) & set(SUGGESTIONS) and (f.subject["device"], f.subject["interface"]) in rebuilt:
            continue
        r = remediator.remedy(f)
        if r is not None:
            f.remediation = r.text
            remedies[id(f)] = r
    return remedies


def finding_key(f: Finding) -> str:
    """rule and subject, as the header of a device's file names each finding it fixes."""
    s = f.subject
    parts = [f"{k}={s[k]}" for k in ("circuit", "hosted_connection", "device", "interface") if s.get(k)]
    return f"{f.rule} {' '.join(parts)}"


def header_line(text: str) -> str:
    """One comment line of a device's file: nothing the device said can open a line of its own."""
    return _UNSAFE.sub("?", text)[:300]


def device_files(inv: Inventory, findings: list[Finding], remedies: dict[int, Remedy],
                 only: list[str] | None = None) -> dict[str, str]:
    """device -> its remediation file: a header naming the findings it fixes, the definitions once and
    first, each body once, suggestions commented. Devices with nothing to fix get no file."""
    per_device: dict[str, list[tuple[Finding, Remedy]]] = {}
    for f in findings:
        r = remedies.get(id(f))
        if r is None or (only and f.rule not in only):
            continue
        per_device.setdefault(f.subject["device"], []).append((f, r))
    files: dict[str, str] = {}
    for name in sorted(per_device):
        device = inv.devices[name]
        items = per_device[name]
        fixes = [header_line(f"{'suggests' if r.suggestion else 'fixes'} {finding_key(f)}: {f.message}")
                 for f, r in items]
        definitions = list(dict.fromkeys(d for _, r in items for d in r.definitions))
        bodies = list(dict.fromkeys(b for _, r in items if not r.suggestion for b in r.bodies))
        suggestions = list(dict.fromkeys(b for _, r in items if r.suggestion for b in r.bodies))
        files[name] = _template(device.platform, "file").render(
            device=device, fixes=fixes, definitions=[_block(d) for d in definitions],
            bodies=[_block(b) for b in bodies], suggestions=[_block(s) for s in suggestions],
            comment=comment_marker(device.platform))
    return files


def _block(text: str) -> Block:
    return Block(text.rstrip("\n"))      # rendered, checked text the file template prints as is
