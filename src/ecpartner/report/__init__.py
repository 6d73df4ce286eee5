"""Findings reports (contract section 6): one small writer per format."""

from __future__ import annotations

from datetime import datetime
from importlib import import_module

from ecpartner.errors import InputError
from ecpartner.findings import Finding

FORMATS = ("table", "json", "junit", "markdown", "html")
WRITERS = {"table": "table", "json": "json_report", "junit": "junit", "markdown": "markdown", "html": "html"}


def render_report(fmt: str, findings: list[Finding], inventory_path: str, generated_at: datetime,
                  color: bool = False) -> str:
    """The report text in one format; `color` (ANSI, table only) is for a terminal stdout. Only the
    chosen writer is imported: a run pays for the format it prints."""
    if fmt not in WRITERS:
        raise InputError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    writer = import_module(f"ecpartner.report.{WRITERS[fmt]}")
    if fmt == "table":
        return writer.render(findings, inventory_path, generated_at, color=color)
    return writer.render(findings, inventory_path, generated_at)
