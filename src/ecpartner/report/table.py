"""`--format table`: the terminal default, compact: one line per problem, then the verdict.

A rich table (severity, status, rule, subject, message) sized to the terminal, or to 120 columns when the
output is not one; each problem stays on one line (a long message ends in an ellipsis: `--format text` or
-v gives the detailed blocks with expected and actual). Colour only for a terminal without NO_COLOR (the
caller decides: `color`). Every value goes through safe() and is given to rich as plain text, never as
markup, so nothing a device wrote can style or move the terminal.
"""

from __future__ import annotations

import io
import shutil
from datetime import datetime
from typing import Iterator

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ecpartner.display import safe
from ecpartner.findings import SEV_ERROR, Finding, summarize
from ecpartner.timefmt import iso_utc
from ecpartner.report.common import baseline_mark, exit_meaning, problems_first, subject_text

PLAIN_WIDTH = 120


def chunks(findings: list[Finding], inventory_path: str, generated_at: datetime, color: bool = False,
           **options) -> Iterator[str]:
    yield render(findings, inventory_path, generated_at, color, **options)


def render(findings: list[Finding], inventory_path: str, generated_at: datetime, color: bool = False,
           baseline: dict | None = None, width: int | None = None) -> str:
    width = width or (shutil.get_terminal_size((PLAIN_WIDTH, 24)).columns if color else PLAIN_WIDTH)
    out = io.StringIO()
    console = Console(file=out, width=width, color_system="standard" if color else None, force_terminal=color,
                      no_color=not color, markup=False, highlight=False, emoji=False, soft_wrap=False)
    s = summarize(findings)
    problems = problems_first(findings)
    console.print(Text(safe(f"ecpartner check of {inventory_path} at {iso_utc(generated_at)}")), overflow="ellipsis",
                  no_wrap=True, crop=True)
    if problems:
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold" if color else "")
        # fixed columns as wide as their content, the rest shared 2:3 by subject and message
        rule_width = max(len(safe(f.rule)) for f in problems)
        rest = max(width - 7 - 6 - rule_width - 2 * (5 if baseline is not None else 4) - (8 if baseline else 0), 24)
        subject_width = min(max(len(safe(subject_text(f.subject))) for f in problems), rest * 2 // 5)
        for name, size in (("SEV", 7), ("STATUS", 6), ("RULE", rule_width), ("SUBJECT", subject_width),
                           ("MESSAGE", rest - subject_width)):
            table.add_column(name, no_wrap=True, overflow="ellipsis", width=size)
        if baseline is not None:
            table.add_column("BASELINE", no_wrap=True)
        for f in problems:
            style = ("red" if f.severity == SEV_ERROR else "yellow") if color else ""
            row = [Text(safe(f.severity), style=style), Text(safe(f.status)), Text(safe(f.rule)),
                   Text(safe(subject_text(f.subject))), Text(safe(" ".join((f.message or "").split())))]
            if baseline is not None:
                row.append(Text(baseline_mark(baseline, f) or ""))
            table.add_row(*row)
        console.print(table)
    else:
        console.print("No problems.")
    if baseline is not None:
        new = sum(1 for f in problems if baseline_mark(baseline, f) == "new")
        console.print(Text(safe(f"baseline {baseline['path']}: {new} new, {len(problems) - new} known, "
                                f"{len(baseline['resolved'])} resolved")))
    verdict = (f"{s.passed} passed, {s.failed} failed, {s.errors} not evaluated, {s.warnings} warnings: "
               f"exit {s.exit_code}, {exit_meaning(s.exit_code)}")
    console.print(Text(verdict, style=("green" if s.exit_code == 0 else "red") if color else ""))
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"
