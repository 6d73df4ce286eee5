"""`--format markdown`: for people (pull requests, tickets): summary, per-rule table, problems, passes."""

from __future__ import annotations

import re
from datetime import datetime

from ecpartner.display import html_text, markdown_text as cell, safe
from ecpartner.findings import Finding, summarize
from ecpartner.timefmt import iso_utc
from ecpartner.report.common import exit_meaning, group_by_rule, problems_first, subject_text, value_text


def fenced(text: str) -> list[str]:
    """A fenced code block of `text` (each line made safe), fenced longer than any backtick run inside it."""
    lines = [safe(line) for line in text.splitlines()]
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *lines, fence]


def render(findings: list[Finding], inventory_path: str, generated_at: datetime) -> str:
    s = summarize(findings)
    groups = group_by_rule(findings)
    out = [
        "# ecpartner check report", "",
        f"Inventory: {cell(inventory_path)}  ",
        f"Generated: {iso_utc(generated_at)}", "",
        f"**Summary:** {s.passed} pass, {s.failed} fail, {s.errors} error, {s.warnings} warnings; "
        f"exit code {s.exit_code} ({exit_meaning(s.exit_code)})", "",
        "## Rules", "",
        "| Rule | Requirement | Pass | Fail | Error |",
        "|---|---|--:|--:|--:|",
    ]
    out += [f"| {cell(g.rule)} | {cell(g.requirement)} | {g.passed} | {g.failed} | {g.errors} |"
            for g in groups]

    problems = problems_first(findings)
    out += ["", f"## Problems ({len(problems)})", ""]
    if problems:
        out += ["| Status | Severity | Rule | Subject | Message | Expected | Actual |",
                "|---|---|---|---|---|---|---|"]
        out += [f"| {cell(f.status)} | {cell(f.severity)} | {cell(f.rule)} | {cell(subject_text(f.subject))} | "
                f"{cell(f.message)} | {cell(value_text(f.expected))} | {cell(value_text(f.actual))} |"
                for f in problems]
    else:
        out.append("None.")

    fixable = [f for f in problems if f.remediation]
    if fixable:     # `ecpartner remediate` writes these per device, in order, with the file's header
        out += ["", f"## Remediation ({len(fixable)})", ""]
        for f in fixable:
            out += [f"**{cell(f.rule)}** {cell(subject_text(f.subject))}", "", *fenced(f.remediation), ""]

    out += ["", "## Passes", ""]
    for g in groups:
        if g.passes:
            # inside an HTML block markdown escapes are not read: the summary is escaped as HTML
            out += [f"<details><summary>{html_text(g.rule)}: {len(g.passes)} passed</summary>", ""]
            out += [f"- {cell(subject_text(f.subject))}: {cell(f.message)}" for f in g.passes]
            out += ["", "</details>", ""]
    return "\n".join(out).rstrip("\n") + "\n"

