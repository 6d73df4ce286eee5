"""`--format markdown`: for people (pull requests, tickets): summary, per-rule table, problems, passes."""

from __future__ import annotations

from datetime import datetime

from ecpartner.display import html_text, markdown_text as cell
from ecpartner.findings import Finding, summarize
from ecpartner.timefmt import iso_utc
from ecpartner.report.common import exit_meaning, group_by_rule, problems_first, subject_text, value_text


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

    out += ["", "## Passes", ""]
    for g in groups:
        if g.passes:
            # inside an HTML block markdown escapes are not read: the summary is escaped as HTML
            out += [f"<details><summary>{html_text(g.rule)}: {len(g.passes)} passed</summary>", ""]
            out += [f"- {cell(subject_text(f.subject))}: {cell(f.message)}" for f in g.passes]
            out += ["", "</details>", ""]
    return "\n".join(out).rstrip("\n") + "\n"

