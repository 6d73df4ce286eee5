"""`ecpartner telemetry poll | report | run` (contract section 4): thin handlers returning exit codes."""

from __future__ import annotations

import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

from ecpartner.commands.output import write_output
from ecpartner.findings import EXIT_OK, EXIT_UNREACHABLE
from ecpartner.inventory import Inventory
from ecpartner.inventory_loader import load_inventory
from ecpartner.telemetry.poll import PollResult, live_states, poll_live, poll_replay
from ecpartner.check import build_report
from ecpartner.telemetry.schedule import run_schedule
from ecpartner.telemetry.sources import store_location
from ecpartner.telemetry.store import Store
from ecpartner.telemetry.timeutil import parse_duration


def _db_path(args, inventory: Inventory) -> Path | str:
    return store_location(getattr(args, "db", None), inventory.path)


def poll_once(inventory: Inventory, db: Path | str, live: bool, budget: float = 30.0,
              layout: tuple[dict, dict[str, str]] | None = None, shard: tuple[int, int] | None = None) -> PollResult:
    """One poll (of `shard`'s devices); live, under the interface names of `layout` (live_states()), read
    now when not given."""
    if live:
        states, unread = layout or live_states(inventory, budget, shard)
    with Store(db) as store:
        result = (poll_live(inventory, store, states, unread, budget=budget, shard=shard) if live
                  else poll_replay(inventory, store, shard=shard))
    print(result.summary(), file=sys.stderr)
    for problem in result.problems:
        print(f"ecpartner: {problem}", file=sys.stderr)
    return result


def cmd_poll(args) -> int:
    inventory = load_inventory(args.inventory)
    result = poll_once(inventory, _db_path(args, inventory), args.live, args.timeout, shard=args.shard)
    return EXIT_UNREACHABLE if result.problems else EXIT_OK


def cmd_report(args) -> int:
    inventory = load_inventory(args.inventory)
    text, code = build_report(inventory, args.db, args.since, args.format, telemetry=args.telemetry)
    write_output(text, args.output, "the report")
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
    # live: the configurations are read once here (bad credentials stop the run before any poll) and again
    # at each report, not at every poll: a subinterface rarely moves, and SSH costs far more than a walk
    layout = [live_states(inventory, args.timeout, args.shard)] if args.live else [None]

    def write_report() -> None:
        if args.live:
            layout[0] = live_states(inventory, args.timeout, args.shard)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        # the reports of a run judge the store it fills, never a recorded series beside the inventory
        text, _ = build_report(inventory, db, "24h" if report_every < 86400 else args.report_every, "html",
                               layout[0][0] if args.live else None, telemetry="store")
        path = report_dir / f"telemetry-{stamp}.html"
        write_output(text, path, "the report")
        print(f"telemetry report written to {path}", file=sys.stderr)

    # SIGINT/SIGTERM raise Interrupted (cli.main) wherever the loop is, a stuck poll included: the poll's
    # transaction rolls back and a report being written is never renamed into place. Exit 130/143.
    run_schedule(lambda: poll_once(inventory, db, args.live, args.timeout, layout[0], args.shard), every, threading.Event(),
                 write_report if report_every else None, report_every)
    return EXIT_OK
