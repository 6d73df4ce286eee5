"""The rule catalogue. Each rule is a small pure function registered under its contract id (section 5).

A rule takes a Context and yields Findings; it reads only the typed inventory, the normalized device
state and the telemetry window, never vendor text. The registry (registry.py) knows no rule:
`all_rules()` is the one place that imports the rule modules, so importing this package, the registry
or a helper loads none of them.
"""

from __future__ import annotations

from typing import Iterable

from ecpartner.findings import Finding
from ecpartner.rules import registry
from ecpartner.rules.registry import CLOUD, DEVICES, INVENTORY, TELEMETRY, Context, Rule, rule  # noqa: F401


def all_rules() -> dict[str, Rule]:
    """Every rule by id, in report order."""
    # Registration happens on import; the order here is the order of the report.
    from ecpartner.rules import inventory_rules, device_rules, telemetry_rules, cloud_rules  # noqa: F401
    return registry.RULES


def evaluate(ctx: Context, only: Iterable[str] | None = None) -> list[Finding]:
    """registry.evaluate with every rule registered."""
    all_rules()
    return registry.evaluate(ctx, only)


def __getattr__(name: str):
    if name == "RULES":      # `from ecpartner.rules import RULES`, the old spelling: the filled registry
        return all_rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
