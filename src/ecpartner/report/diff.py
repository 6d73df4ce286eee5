"""Run-to-run comparison of findings (issue 14.3): `ecpartner diff OLD.json NEW.json` and `check --baseline`.

A finding's identity is its key: the rule and the whole subject, the four contract keys plus region and
tenant (contract section 8), so "the QoS of pc-hc02 on hz-acc-01 GigabitEthernet0/0/1.101" is the same
finding from one run to the next whatever its message says. Only problems (fail or error) are compared:
- new: a problem whose key was not a problem in the old report (absent, or a pass then);
- resolved: a problem of the old report whose key is not a problem any more (passes, or is gone);
- changed: a problem in both whose status, severity, message, expected or actual differs.
When one report holds two findings with the same key, they pair up in report order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ecpartner.errors import InputError
from ecpartner.findings import PASS, SEV_ERROR, SUBJECT_EXTRA_KEYS, SUBJECT_KEYS, Finding

KEY_FIELDS = SUBJECT_KEYS + SUBJECT_EXTRA_KEYS
COMPARED = ("status", "severity", "message", "expected", "actual")
NEW, KNOWN = "new", "known"


def finding_key(rule: Any, subject: dict | None) -> tuple:
    subject = subject or {}
    return (str(rule),) + tuple(_plain(subject.get(k)) for k in KEY_FIELDS)


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float, bool)) else json.dumps(value, sort_keys=True)


def _keyed(findings: list[dict]) -> dict[tuple, dict]:
    """(key, n) -> finding: the n-th finding with that key, so repeated keys pair up in order."""
    out: dict[tuple, dict] = {}
    seen: dict[tuple, int] = {}
    for f in findings:
        key = finding_key(f.get("rule"), f.get("subject"))
        n = seen[key] = seen.get(key, -1) + 1
        out[key + (n,)] = f
    return out


def _is_problem(f: dict) -> bool:
    return f.get("status") != PASS


@dataclass
class Diff:
    new: list[dict] = field(default_factory=list)
    resolved: list[dict] = field(default_factory=list)
    changed: list[tuple[dict, dict]] = field(default_factory=list)     # (old, new)
    unchanged: int = 0

    @property
    def new_errors(self) -> list[dict]:
        """New error-severity problems, and problems that became errors: what makes `diff` exit 1."""
        return ([f for f in self.new if f.get("severity") == SEV_ERROR]
                + [n for o, n in self.changed if n.get("severity") == SEV_ERROR and o.get("severity") != SEV_ERROR])


def compare(old: list[dict], new: list[dict]) -> Diff:
    before = {k: f for k, f in _keyed(old).items() if _is_problem(f)}
    d = Diff()
    now_problems = set()
    for k, f in _keyed(new).items():
        if not _is_problem(f):
            continue
        now_problems.add(k)
        was = before.get(k)
        if was is None:
            d.new.append(f)
        elif any(was.get(c) != f.get(c) for c in COMPARED):
            d.changed.append((was, f))
        else:
            d.unchanged += 1
    d.resolved = [f for k, f in before.items() if k not in now_problems]
    return d


def load_findings(path: str | Path) -> list[dict]:
    """The findings of a `check --format json` report; InputError (exit 2) naming the file otherwise."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as e:
        raise InputError(f"{path}: cannot read the report: {e.strerror or e}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        where = f":{e.lineno}" if isinstance(e, json.JSONDecodeError) else ""
        raise InputError(f"{path}{where}: not a JSON check report (write one with check --format json): {e}") from None
    findings = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(findings, list) or not all(isinstance(f, dict) and "rule" in f for f in findings):
        raise InputError(f"{path}: not a check report: expected an object whose 'findings' list holds findings "
                         "(write one with check --format json)")
    return findings


def baseline_marks(path: str | Path, old: list[dict], findings: list[Finding]) -> dict:
    """For check --baseline: each finding marked new or known (same key and status in the baseline `old`,
    read from `path`), and the baseline's problems that are resolved now, among the rules this run evaluated."""
    old_status = {k: f.get("status") for k, f in _keyed(old).items()}
    marks: dict[int, str] = {}
    seen: dict[tuple, int] = {}
    current = set()
    for f in findings:
        key = finding_key(f.rule, f.subject)
        n = seen[key] = seen.get(key, -1) + 1
        marks[id(f)] = KNOWN if old_status.get(key + (n,)) == f.status else NEW
        if f.is_problem:
            current.add(key + (n,))
    rules = {f.rule for f in findings}
    resolved = [f for k, f in _keyed(old).items()
                if _is_problem(f) and f.get("rule") in rules and k not in current]
    return {"path": str(path), "marks": marks, "resolved": resolved}


# ------------------------------------------------------------------ the diff report in three formats

def chunks(fmt: str, d: Diff, old_path: str, new_path: str) -> Iterator[str]:
    if fmt == "json":
        yield _json(d, old_path, new_path)
    elif fmt == "markdown":
        yield _markdown(d, old_path, new_path)
    else:
        yield _table(d, old_path, new_path)


def _json(d: Diff, old_path: str, new_path: str) -> str:
    from ecpartner.report.json_report import _dumps

    return _dumps({"old_report": str(old_path), "new_report": str(new_path),
                   "summary": {"new": len(d.new), "resolved": len(d.resolved), "changed": len(d.changed),
                               "unchanged": d.unchanged, "new_errors": len(d.new_errors)},
                   "new": d.new, "resolved": d.resolved,
                   "changed": [{"old": o, "new": n} for o, n in d.changed]}) + "\n"


def _subject(f: dict) -> str:
    from ecpartner.report.common import subject_text

    subject = f.get("subject")
    return subject_text(subject if isinstance(subject, dict) else {})


def _what_changed(o: dict, n: dict) -> str:
    from ecpartner.report.common import value_text

    return "; ".join(f"{c} {value_text(o.get(c))} -> {value_text(n.get(c))}" for c in COMPARED if o.get(c) != n.get(c))


def _table(d: Diff, old_path: str, new_path: str) -> str:
    from ecpartner.display import safe

    lines = [safe(f"ecpartner diff {old_path} -> {new_path}"),
             f"{len(d.new)} new, {len(d.resolved)} resolved, {len(d.changed)} changed, {d.unchanged} unchanged "
             f"problems; {len(d.new_errors)} new errors", ""]
    for label, items in (("NEW", d.new), ("RESOLVED", d.resolved)):
        for f in items:
            lines.append(safe(f"{label:<9}{f.get('severity', ''):<8}{f.get('rule')}  {_subject(f)}: {f.get('message')}"))
    for o, n in d.changed:
        lines.append(safe(f"{'CHANGED':<9}{n.get('severity', ''):<8}{n.get('rule')}  {_subject(n)}: {_what_changed(o, n)}"))
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown(d: Diff, old_path: str, new_path: str) -> str:
    from ecpartner.display import markdown_text as cell

    out = ["# ecpartner diff", "", f"Old: {cell(old_path)}  ", f"New: {cell(new_path)}", "",
           f"**{len(d.new)} new, {len(d.resolved)} resolved, {len(d.changed)} changed, {d.unchanged} unchanged "
           f"problems; {len(d.new_errors)} new errors**"]
    for title, items in ((f"New ({len(d.new)})", d.new), (f"Resolved ({len(d.resolved)})", d.resolved)):
        out += ["", f"## {title}", ""]
        if items:
            out += ["| Severity | Rule | Subject | Message |", "|---|---|---|---|"]
            out += [f"| {cell(f.get('severity'))} | {cell(f.get('rule'))} | {cell(_subject(f))} | {cell(f.get('message'))} |"
                    for f in items]
        else:
            out.append("None.")
    out += ["", f"## Changed ({len(d.changed)})", ""]
    if d.changed:
        out += ["| Severity | Rule | Subject | What changed |", "|---|---|---|---|"]
        out += [f"| {cell(n.get('severity'))} | {cell(n.get('rule'))} | {cell(_subject(n))} | {cell(_what_changed(o, n))} |"
                for o, n in d.changed]
    else:
        out.append("None.")
    return "\n".join(out) + "\n"
