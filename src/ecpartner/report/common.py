"""Helpers every report format shares: ordering, grouping, subjects and value formatting."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Iterable, Iterator

from ecpartner.findings import (ERROR, EXIT_FINDINGS, EXIT_OK, EXIT_UNREACHABLE, FAIL, PASS, SEV_ERROR,
                                SEV_WARNING, Finding)

EXIT_MEANING = {
    EXIT_OK: "compliant (warnings allowed)",
    EXIT_FINDINGS: "at least one error-severity finding",
    EXIT_UNREACHABLE: "some devices could not be reached or parsed",
}

_SEVERITY_RANK = {SEV_ERROR: 0, SEV_WARNING: 1}


def exit_meaning(code: int) -> str:
    return EXIT_MEANING.get(code, "unknown exit code")


def problems_first(findings: list[Finding]) -> list[Finding]:
    """The problems only: error severity first, then warnings, then the rest; report order kept within."""
    problems = [f for f in findings if f.is_problem]
    return sorted(problems, key=lambda f: _SEVERITY_RANK.get(f.severity, 2))


@dataclass
class RuleGroup:
    """All findings of one rule, in report order, with their counts."""
    rule: str
    requirement: str = ""
    findings: list[Finding] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.findings if f.status == status)

    @property
    def passed(self) -> int:
        return self.count(PASS)

    @property
    def failed(self) -> int:
        return self.count(FAIL)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def problems(self) -> list[Finding]:
        return problems_first(self.findings)

    @property
    def passes(self) -> list[Finding]:
        return [f for f in self.findings if f.status == PASS]


def group_by_rule(findings: list[Finding]) -> list[RuleGroup]:
    """Rules in the order they first appear (the registry order the rules ran in)."""
    groups: dict[str, RuleGroup] = {}
    for f in findings:
        group = groups.setdefault(f.rule, RuleGroup(f.rule))
        group.requirement = group.requirement or f.requirement
        group.findings.append(f)
    return list(groups.values())


def subject_text(subject: dict[str, Any]) -> str:
    """Compact subject, only the keys that apply: 'hz-acc-01 Eth-Trunk1.100, circuit X, connection Y'. The
    region and tenant are said only where no circuit or connection already implies them (circuit-redundancy
    findings are per region, ha-spread per tenant): every subject reads differently."""
    parts = []
    where = " ".join(str(subject[k]) for k in ("device", "interface") if subject.get(k) is not None)
    if where:
        parts.append(where)
    if subject.get("circuit") is not None:
        parts.append(f"circuit {subject['circuit']}")
    elif subject.get("region") is not None:
        parts.append(f"region {subject['region']}")
    if subject.get("hosted_connection") is not None:
        parts.append(f"connection {subject['hosted_connection']}")
    elif subject.get("tenant") is not None:
        parts.append(f"tenant {subject['tenant']}")
    return ", ".join(parts) or "(inventory)"


def jsonable(value: Any) -> Any:
    """Turn any expected/actual value into plain JSON types: sets become sorted lists, times ISO strings."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)    # NaN/inf are not JSON
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [jsonable(v) for v in value]
        try:
            return sorted(items)                                   # stable order for diffs
        except TypeError:                                          # mixed types: order by their JSON text
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def value_text(value: Any) -> str:
    """A value as a person reads it: strings as they are, None as '-', the rest as compact JSON."""
    if value is None:
        return "-"
    plain = jsonable(value)
    return plain if isinstance(plain, str) else json.dumps(plain, ensure_ascii=False)



def in_batches(lines: Iterable[str], size: int = 2000) -> Iterator[str]:
    """Lines joined into pieces of `size` lines, each ending in a newline: what a streamed writer yields."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "\n".join(batch) + "\n"
            batch = []
    if batch:
        yield "\n".join(batch) + "\n"


def baseline_mark(baseline: dict | None, f: Finding) -> str | None:
    """'new' or 'known' when the report compares with a baseline (check --baseline), else None."""
    return None if baseline is None else baseline["marks"].get(id(f), "new")
