"""Findings reports (contract section 6): one small writer per format, and where the text goes."""

from __future__ import annotations

import sys
from datetime import datetime

from ecpartner.atomic import write_text_atomic
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


def write_output(text: str, path: str | None) -> None:
    """Print to stdout (path None or '-'), or replace the file at `path` atomically."""
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise InputError(f"{path}: cannot write report: {exc.strerror or exc}") from None
