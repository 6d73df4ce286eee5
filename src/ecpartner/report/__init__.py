"""Findings reports (contract section 6): one small writer per format.

Every writer yields its report in pieces (`chunks`), so a report of 160,000 findings is written as it is
made and never held whole in memory; `render` joins them, for callers that want the text.
"""

from __future__ import annotations

from datetime import datetime
from importlib import import_module
from typing import Iterator

from ecpartner.errors import InputError
from ecpartner.findings import Finding

FORMATS = ("table", "text", "json", "junit", "markdown", "html")
WRITERS = {"table": "table", "text": "text", "json": "json_report", "junit": "junit", "markdown": "markdown",
           "html": "html"}


def report_chunks(fmt: str, findings: list[Finding], inventory_path: str, generated_at: datetime,
                  color: bool = False, **options) -> Iterator[str]:
    """The report in one format, in pieces; `color` (ANSI, table only) is for a terminal stdout; `options`
    go to writers that take them (baseline marks, the inventory for the html views). Only the chosen
    writer is imported: a run pays for the format it prints."""
    if fmt not in WRITERS:
        raise InputError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    writer = import_module(f"ecpartner.report.{WRITERS[fmt]}")
    if fmt in ("table", "text"):
        options["color"] = color
    return writer.chunks(findings, inventory_path, generated_at, **options)


def render_report(fmt: str, findings: list[Finding], inventory_path: str, generated_at: datetime,
                  color: bool = False, **options) -> str:
    """The whole report text in one format."""
    return "".join(report_chunks(fmt, findings, inventory_path, generated_at, color=color, **options))
