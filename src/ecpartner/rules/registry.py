"""The rule registry: Context, Rule, the `rule` decorator and `evaluate`. It knows no rule: the rule
modules register themselves when `ecpartner.rules.all_rules()` imports them.

A rule declares in `needs` what it reads, so a run collects only that: INVENTORY (the typed inventory),
DEVICES (parsed device states, collected from the devices or a recorded fleet), TELEMETRY (a window of
counter samples), CLOUD (what Alibaba Cloud says exists: a recorded cloud/ or a live read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable

from ecpartner.findings import Finding
from ecpartner.inventory import Inventory
from ecpartner.placement import Placement, Placements
from ecpartner.state import DeviceState

INVENTORY, DEVICES, TELEMETRY, CLOUD = "inventory", "devices", "telemetry", "cloud"
NEEDS = frozenset({INVENTORY, DEVICES, TELEMETRY, CLOUD})


@dataclass
class Context:
    inventory: Inventory
    states: dict[str, DeviceState] = field(default_factory=dict)     # device name -> parsed state
    failures: dict[str, str] = field(default_factory=dict)           # device name -> why it has no state
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    telemetry: object | None = None   # telemetry rates, when a store or fixture series is available
    cloud: dict | None = None         # region -> cloud_state.RegionCloud, when the cloud was recorded or read
    memo: dict = field(default_factory=dict, repr=False)   # per-run results several rules share
    _placements: Placements | None = field(default=None, repr=False)

    def placement(self, hc) -> Placement:
        """Where hc sits (circuit, device, the interface carrying it): asked by several rules for every
        connection, so joined once per run, after the states are in."""
        if self._placements is None or self._placements.states is not self.states:
            self._placements = Placements(self.inventory, self.states)
        return self._placements.of(hc)


@dataclass(frozen=True)
class Rule:
    id: str
    requirement: str            # guide section the rule enforces
    func: Callable[[Context], Iterable[Finding]]
    needs: frozenset[str]       # what the run must provide: INVENTORY, DEVICES, TELEMETRY, CLOUD
    in_check: bool              # part of `check` by default (permission-valid is for `plan`)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, requirement: str, needs: Iterable[str] = (INVENTORY,), in_check: bool = True):
    def register(func):
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        if unknown := set(needs) - NEEDS:
            raise ValueError(f"rule {rule_id}: unknown needs {sorted(unknown)}")
        RULES[rule_id] = Rule(rule_id, requirement, func, frozenset(needs), in_check)
        return func
    return register


def evaluate(ctx: Context, only: Iterable[str] | None = None) -> list[Finding]:
    """Run the selected rules (those `check` runs by default) in registry order; findings carry their requirement."""
    selected = list(only) if only else [r.id for r in RULES.values() if r.in_check]
    findings: list[Finding] = []
    identify = _identifier(ctx.inventory)
    # One subject dict per subject, shared by the findings of every rule on it (read-only from here on):
    # a connection has eight findings, and 160,000 dicts of six keys were a third of the findings' memory.
    shared: dict[tuple, dict] = {}
    for rule_id in selected:
        r = RULES[rule_id]
        for f in r.func(ctx):
            f.requirement = f.requirement or r.requirement
            identify(f.subject)
            try:
                f.subject = shared.setdefault(tuple(f.subject.items()), f.subject)
            except TypeError:       # an unhashable value in a subject: keep it as it is
                pass
            findings.append(f)
    return findings


def _identifier(inv: Inventory) -> Callable[[dict], None]:
    """Fills a subject's region and tenant (the extension keys) from its circuit and hosted connection,
    where the rule left them None: every finding of a connection names its tenant, of a circuit its region."""
    regions = {c.id: c.region for c in inv.circuits.values()}
    tenants: dict[str, str] = {}
    for hc in inv.hosted_connections:
        tenants.setdefault(hc.key, hc.tenant)

    def identify(subj: dict) -> None:
        if subj.get("region") is None and (circuit := subj.get("circuit")) is not None:
            subj["region"] = regions.get(circuit)
        if subj.get("tenant") is None and (key := subj.get("hosted_connection")) is not None:
            subj["tenant"] = tenants.get(key)
        subj.setdefault("region", None)
        subj.setdefault("tenant", None)
    return identify
