"""`ecpartner check`: load the inventory, run the check pipeline, write the findings report."""

from __future__ import annotations

import difflib
import sys
from datetime import datetime, timezone

from ecpartner.check import run_check, stage
from ecpartner.commands.output import write_output
from ecpartner.commands.progress import device_progress
from ecpartner.display import color_wanted
from ecpartner.errors import InputError
from ecpartner.findings import exit_code
from ecpartner.gc_pause import gc_paused
from ecpartner.inventory_loader import load_inventory
from ecpartner.rules import all_rules


def selected_rules(only: str | None) -> list[str] | None:
    if not only:
        return None
    ids = [r.strip() for r in only.split(",") if r.strip()]
    rules = all_rules()
    unknown = [r for r in ids if r not in rules]
    if unknown:
        raise InputError([f"--only: unknown rule id {r}{_suggestion(r, rules)}" for r in unknown]
                         + [f"--only: known rule ids: {', '.join(rules)}"])
    return ids


def _suggestion(given: str, known) -> str:
    close = difflib.get_close_matches(given.lower(), list(known), n=1, cutoff=0.5)
    return f"; did you mean {close[0]}?" if close else ""


def cmd_check(args) -> int:
    from ecpartner.report import report_chunks

    timings: dict[str, float] = {}
    with stage("load", timings):
        inventory = load_inventory(args.inventory)
    only = selected_rules(args.only)
    baseline = None
    if getattr(args, "baseline", None):      # read before the run: a bad baseline stops it at once (exit 2)
        from ecpartner.report.diff import baseline_marks, load_findings

        baseline = load_findings(args.baseline)
    with device_progress() as progress:      # on stderr, and only while devices are being reached
        findings = run_check(inventory, only, live=args.live, fixtures=args.fixtures, concurrency=args.concurrency,
                             timeout=args.timeout, db=args.db, since=args.since, timings=timings,
                             telemetry=args.telemetry, cloud=getattr(args, "cloud", False), progress=progress)
    options = {} if baseline is None else {"baseline": baseline_marks(args.baseline, baseline, findings)}
    if args.format == "html":       # the page is organised by circuit, device and tenant
        options["inventory"] = inventory
    fmt = "text" if args.format == "table" and getattr(args, "verbose", False) else args.format
    with stage("report", timings), gc_paused():
        pieces = report_chunks(fmt, findings, args.inventory, datetime.now(timezone.utc),
                               color=args.output is None and color_wanted(sys.stdout), **options)
        write_output(pieces, args.output, "report")     # streamed: the report is never whole in memory
    return exit_code(findings)
