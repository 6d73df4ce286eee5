"""`--format markdown`: for people (pull requests, tickets): summary, per-rule table, problems, passes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Iterator

from ecpartner.display import html_text, markdown_text as cell, safe
from ecpartner.findings import Finding, summarize
from ecpartner.timefmt import iso_utc
from ecpartner.report.common import (baseline_mark, exit_meaning, group_by_rule, in_batches, problems_first,
                                     subject_text, value_text)


def fenced(text: str) -> list[str]:
    """A fenced code block of `text` (each line made safe), fenced longer than any backtick run inside it."""
    lines = [safe(line) for line in text.splitlines()]
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *lines, fence]


def render(findings: list[Finding], inventory_path: str, generated_at: datetime, **options) -> str:
    return "".join(chunks(findings, inventory_path, generated_at, **options))


def chunks(findings: list[Finding], inventory_path: str, generated_at: datetime,
           baseline: dict | None = None) -> Iterator[str]:
    return in_batches(_lines(findings, inventory_path, generated_at, baseline))


def _lines(findings: list[Finding], inventory_path: str, generated_at: datetime,
           baseline: dict | None) -> Iterator[str]:
    s = summarize(findings)
    groups = group_by_rule(findings)
    yield from [
        "# ecpartner check report", "",
        f"Inventory: {cell(inventory_path)}  ",
        f"Generated: {iso_utc(generated_at)}", "",
        f"**Summary:** {s.passed} pass, {s.failed} fail, {s.errors} error, {s.warnings} warnings; "
        f"exit code {s.exit_code} ({exit_meaning(s.exit_code)})", "",
    ]
    if baseline is not None:
        problems = [f for f in findings if f.is_problem]
        new = sum(1 for f in problems if baseline_mark(baseline, f) == "new")
        yield from [f"**Baseline:** {cell(baseline['path'])}: {new} new problems, {len(problems) - new} known, "
                    f"{len(baseline['resolved'])} resolved", ""]
    yield from ["## Rules", "",
                "| Rule | Requirement | Pass | Fail | Error |",
                "|---|---|--:|--:|--:|"]
    for g in groups:
        yield f"| {cell(g.rule)} | {cell(g.requirement)} | {g.passed} | {g.failed} | {g.errors} |"

    problems = problems_first(findings)
    yield from ["", f"## Problems ({len(problems)})", ""]
    if problems:
        mark_head, mark_rule = ("| Baseline ", "|---") if baseline is not None else ("", "")
        yield from [f"{mark_head}| Status | Severity | Rule | Subject | Message | Expected | Actual |",
                    f"{mark_rule}|---|---|---|---|---|---|---|"]
        for f in problems:
            mark = f"| {baseline_mark(baseline, f)} " if baseline is not None else ""
            yield (f"{mark}| {cell(f.status)} | {cell(f.severity)} | {cell(f.rule)} | {cell(subject_text(f.subject))} | "
                   f"{cell(f.message)} | {cell(value_text(f.expected))} | {cell(value_text(f.actual))} |")
    else:
        yield "None."
    if baseline is not None and baseline["resolved"]:
        yield from ["", f"## Resolved since the baseline ({len(baseline['resolved'])})", ""]
        for d in baseline["resolved"]:
            yield f"- {cell(d.get('rule'))} {cell(subject_text(d.get('subject') or {}))}: {cell(d.get('message'))}"

    fixable = [f for f in problems if f.remediation]
    if fixable:     # `ecpartner remediate` writes these per device, in order, with the file's header
        yield from ["", f"## Remediation ({len(fixable)})", ""]
        for f in fixable:
            yield from [f"**{cell(f.rule)}** {cell(subject_text(f.subject))}", "", *fenced(f.remediation), ""]

    yield from ["", "## Passes"]
    for g in groups:
        if g.passes:
            # inside an HTML block markdown escapes are not read: the summary is escaped as HTML
            yield from ["", f"<details><summary>{html_text(g.rule)}: {len(g.passes)} passed</summary>", ""]
            for f in g.passes:
                mark = f" ({baseline_mark(baseline, f)})" if baseline is not None else ""
                yield f"- {cell(subject_text(f.subject))}: {cell(f.message)}{mark}"
            yield from ["", "</details>"]
