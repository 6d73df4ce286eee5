"""Findings reports (contract section 6): one small writer per format."""

from __future__ import annotations

from datetime import datetime

from ecpartner.errors import InputError
from ecpartner.findings import Finding
from ecpartner.report import html, json_report, junit, markdown, table

FORMATS = ("table", "json", "junit", "markdown", "html")


def render_report(fmt: str, findings: list[Finding], inventory_path: str, generated_at: datetime,
                  color: bool = False) -> str:
    """The report text in one format; `color` (ANSI, table only) is for a terminal stdout."""
    if fmt == "table":
        return table.render(findings, inventory_path, generated_at, color=color)
    writers = {"json": json_report, "junit": junit, "markdown": markdown, "html": html}
    if fmt not in writers:
        raise InputError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writers[fmt].render(findings, inventory_path, generated_at)

