"""`--format text` (and `table` with -v): the detailed terminal report, readable in 80 columns.

Problems come first (error severity, then warnings), each with its subject, message and expected vs
actual; passes are only counted, per rule (json and html list them). No colour unless asked for.
"""

from __future__ import annotations

import textwrap
from datetime import datetime
from typing import Iterator

from ecpartner.display import safe
from ecpartner.findings import SEV_ERROR, Finding, summarize
from ecpartner.timefmt import iso_utc
from ecpartner.report.common import baseline_mark, exit_meaning, group_by_rule, problems_first, subject_text, value_text

WIDTH = 80
INDENT = "    "
_COLORS = {"error": "\033[31m", "warning": "\033[33m", "ok": "\033[32m"}
_RESET = "\033[0m"


def chunks(findings: list[Finding], inventory_path: str, generated_at: datetime, color: bool = False,
           **options) -> Iterator[str]:
    yield render(findings, inventory_path, generated_at, color, **options)


def render(findings: list[Finding], inventory_path: str, generated_at: datetime, color: bool = False,
           baseline: dict | None = None) -> str:
    summary = summarize(findings)
    lines = _wrap(f"ecpartner check of {inventory_path} at {iso_utc(generated_at)}", "")
    problems = problems_first(findings)
    lines += ["", f"PROBLEMS ({len(problems)})" if problems else "PROBLEMS: none"]
    if baseline is not None:
        new = sum(1 for f in problems if baseline_mark(baseline, f) == "new")
        lines += _wrap(f"baseline {baseline['path']}: {new} new, {len(problems) - new} known, "
                       f"{len(baseline['resolved'])} resolved", "")
    for f in problems:
        lines += [""] + _problem(f, color, baseline_mark(baseline, f))
    lines += ["", ""] + _rule_table(findings)
    verdict = (f"{summary.passed} passed, {summary.failed} failed, {summary.errors} not evaluated, "
               f"{summary.warnings} warnings: exit {summary.exit_code}, {exit_meaning(summary.exit_code)}")
    tone = "ok" if summary.exit_code == 0 else "error"
    lines += [""] + [_paint(line, tone, color) for line in _wrap(verdict, "")]
    return "\n".join(lines) + "\n"


def _problem(f: Finding, color: bool, mark: str | None = None) -> list[str]:
    tone = "error" if f.severity == SEV_ERROR else "warning"
    head = safe(f"{f.status.upper():<5} {f.severity:<7} {f.rule}" + (f" [{mark}]" if mark else ""))
    lines = [_paint(line, tone, color) for line in _wrap(head, "")]
    lines += _wrap(subject_text(f.subject), INDENT)
    for paragraph in (f.message or "").split("\n"):    # safe() in _wrap escapes any other break
        lines += _wrap(paragraph, INDENT)
    lines += _wrap(f"expected: {value_text(f.expected)}", INDENT, INDENT + "          ")
    lines += _wrap(f"actual:   {value_text(f.actual)}", INDENT, INDENT + "          ")
    if f.remediation:      # configuration lines: shown as they are (not wrapped), each made safe
        lines += [f"{INDENT}remediation:"] + [f"{INDENT}  {safe(line)}" for line in f.remediation.splitlines()]
    return lines


def _rule_table(findings: list[Finding]) -> list[str]:
    groups = group_by_rule(findings)
    name_width = min(max([len("RULE")] + [len(safe(g.rule)) for g in groups]), WIDTH - 21)
    lines = [f"{'RULE':<{name_width}}  {'PASS':>5} {'FAIL':>5} {'ERROR':>5}"]
    for g in groups:
        name = safe(g.rule)
        if len(name) > name_width:          # too long to share a line with its counts: give it its own
            lines += _wrap(name, "")
            name = ""
        lines.append(f"{name:<{name_width}}  {g.passed:>5} {g.failed:>5} {g.errors:>5}")
    return lines


def _wrap(text: str, indent: str, subsequent: str | None = None) -> list[str]:
    """Wrap to 80 columns; words longer than a line (long ids) are broken rather than overflowing."""
    return textwrap.wrap(safe(text), WIDTH, initial_indent=indent,
                         subsequent_indent=indent if subsequent is None else subsequent,
                         break_on_hyphens=False) or [indent.rstrip()]


def _paint(line: str, tone: str, color: bool) -> str:
    return f"{_COLORS[tone]}{line}{_RESET}" if color else line
