"""`--format html`: one self-contained page for people (and auditors).

Inline CSS only: no scripts, fonts, images or links outside the page, and a Content-Security-Policy
that forbids them anyway. Every text value goes through html.escape: device text is untrusted.
"""

from __future__ import annotations

from datetime import datetime
from ecpartner.display import html_text as escape
from ecpartner.findings import SEV_ERROR, Finding, summarize
from ecpartner.timefmt import iso_utc
from ecpartner.report.common import (RuleGroup, exit_meaning, group_by_rule, problems_first,
                                     subject_text, value_text)

_CSP = "default-src 'none'; style-src 'unsafe-inline'"    # nothing but the inline style may load or run
_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
td.num { text-align: right; }
td.text { white-space: pre-wrap; }
tr.sev-error td { background: #fde2e2; }
tr.sev-warning td { background: #fff4d6; }
.verdict-0 { color: #1a7f37; } .verdict-1, .verdict-3 { color: #b42318; }
section { margin-top: 1.5em; }
summary { cursor: pointer; }
"""


def render(findings: list[Finding], inventory_path: str, generated_at: datetime) -> str:
    s = summarize(findings)
    groups = group_by_rule(findings)
    title = f"ecpartner check: {inventory_path}"
    out = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>{escape(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>Generated {escape(iso_utc(generated_at))}</p>",
        f'<p class="verdict-{s.exit_code}"><strong>{s.passed} pass, {s.failed} fail, {s.errors} error, '
        f"{s.warnings} warnings: exit code {s.exit_code}, {escape(exit_meaning(s.exit_code))}</strong></p>",
        "<table>", "<tr><th>Rule</th><th>Requirement</th><th>Pass</th><th>Fail</th><th>Error</th></tr>",
    ]
    for g in groups:
        out.append(f'<tr><td><a href="#{_anchor(g.rule)}">{escape(g.rule)}</a></td>'
                   f"<td>{escape(g.requirement)}</td>{_counts(g)}</tr>")
    out.append("</table>")
    for g in groups:
        out += _rule_section(g)
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _rule_section(g: RuleGroup) -> list[str]:
    out = [f'<section id="{_anchor(g.rule)}">',
           f"<h2>{escape(g.rule)} <small>({g.passed} pass, {g.failed} fail, {g.errors} error)</small></h2>",
           f"<p>Requirement: {escape(g.requirement)}</p>"]
    problems = problems_first(g.findings)
    if problems:
        out += ["<table>", "<tr><th>Status</th><th>Severity</th><th>Subject</th><th>Message</th>"
                "<th>Expected</th><th>Actual</th></tr>"]
        for f in problems:
            tone = "error" if f.severity == SEV_ERROR else "warning"
            out.append(f'<tr class="sev-{tone}"><td>{escape(f.status)}</td><td>{escape(f.severity)}</td>'
                       f"<td>{escape(subject_text(f.subject))}</td>{_text(f.message)}"
                       f"{_text(value_text(f.expected))}{_text(value_text(f.actual))}</tr>")
            if f.remediation:
                out.append(f'<tr class="fix"><td colspan="6"><details><summary>remediation</summary>'
                           f"<pre>{_lines(f.remediation)}</pre></details></td></tr>")
        out.append("</table>")
    if g.passes:
        out += [f"<details><summary>{len(g.passes)} passed</summary>", "<table>",
                "<tr><th>Subject</th><th>Message</th><th>Expected</th><th>Actual</th></tr>"]
        out += [f"<tr><td>{escape(subject_text(f.subject))}</td>{_text(f.message)}"
                f"{_text(value_text(f.expected))}{_text(value_text(f.actual))}</tr>" for f in g.passes]
        out += ["</table>", "</details>"]
    out.append("</section>")
    return out


def _counts(g: RuleGroup) -> str:
    return "".join(f'<td class="num">{n}</td>' for n in (g.passed, g.failed, g.errors))


def _text(value: str) -> str:
    return f'<td class="text">{escape(value)}</td>'


def _lines(text: str) -> str:
    """Configuration lines for <pre>: each escaped, the line breaks kept."""
    return "\n".join(escape(line) for line in text.splitlines())


def _anchor(rule: str) -> str:
    return escape("rule-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in rule))
