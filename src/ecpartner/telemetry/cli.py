"""`ecpartner telemetry poll | report | run` (contract section 4): thin handlers returning exit codes."""

from __future__ import annotations

import logging
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

from ecpartner.atomic import write_text_atomic
from ecpartner.errors import InputError
from ecpartner.findings import EXIT_OK, EXIT_UNREACHABLE, exit_code
from ecpartner.inventory import Inventory, load_inventory
from ecpartner.telemetry.poll import PollResult, poll_live, poll_replay
from ecpartner.telemetry.report import render, telemetry_findings
from ecpartner.telemetry.schedule import run_schedule
from ecpartner.telemetry.store import Store, default_path
from ecpartner.telemetry.timeutil import parse_duration
from ecpartner.telemetry.window import load_window, recorded_states

log = logging.getLogger(__name__)
REPORT_SUFFIX = {"html": "html", "markdown": "md", "csv": "csv", "json": "json", "prometheus": "prom"}


def _db_path(args, inventory: Inventory) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_path(inventory.path)


def poll_once(inventory: Inventory, db: Path, live: bool, budget: float = 30.0) -> PollResult:
    with Store(db) as store:
        result = (poll_live(inventory, store, states=recorded_states(inventory), budget=budget) if live
                  else poll_replay(inventory, store))
    print(result.summary(), file=sys.stderr)
    for problem in result.problems:
        print(f"ecpartner: {problem}", file=sys.stderr)
    return result


def cmd_poll(args) -> int:
    inventory = load_inventory(args.inventory)
    result = poll_once(inventory, _db_path(args, inventory), args.live, args.timeout)
    return EXIT_UNREACHABLE if result.problems else EXIT_OK


def build_report(inventory: Inventory, db: str | Path | None, since: str, fmt: str) -> tuple[str, int]:
    """The report text and the exit code its findings give."""
    window = load_window(inventory, db, since, states=recorded_states(inventory))
    if window is None:
        where = db or f"{default_path(inventory.path)} or {inventory.base_dir / 'telemetry'}/*.csv"
        raise InputError(f"{where}: fewer than two samples in the last {since}: nothing to report yet")
    findings = telemetry_findings(inventory, window)
    return render(fmt, inventory, window, findings), exit_code(findings)


def _write(path: str | Path, text: str) -> None:
    try:
        write_text_atomic(path, text)
    except OSError as e:
        raise InputError(f"{path}: cannot write the report: {e.strerror or e}") from None


def cmd_report(args) -> int:
    inventory = load_inventory(args.inventory)
    text, code = build_report(inventory, args.db, args.since, args.format)
    if args.output:
        _write(args.output, text)
    else:
        sys.stdout.write(text)
    return code


def cmd_run(args) -> int:
    inventory = load_inventory(args.inventory)
    every = parse_duration(args.every, "--every")
    report_every = parse_duration(args.report_every, "--report-every") if args.report_every else None
    db = _db_path(args, inventory)
    report_dir = Path(args.report_dir) if args.report_dir else inventory.base_dir / "telemetry-reports"
    if report_every:
        report_dir.mkdir(parents=True, exist_ok=True)
    with Store(db):
        pass   # create the store (and fail on a bad one) before the first slot, not inside the loop

    def write_report() -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        text, _ = build_report(inventory, db, "24h" if report_every < 86400 else args.report_every, "html")
        path = report_dir / f"telemetry-{stamp}.html"
        _write(path, text)
        print(f"telemetry report written to {path}", file=sys.stderr)

    # SIGINT/SIGTERM raise Interrupted (cli.main) wherever the loop is, a stuck poll included: the poll's
    # transaction rolls back and a report being written is never renamed into place. Exit 130/143.
    run_schedule(lambda: poll_once(inventory, db, args.live, args.timeout), every, threading.Event(),
                 write_report if report_every else None, report_every)
    return EXIT_OK
