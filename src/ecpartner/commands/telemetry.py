"""`ecpartner telemetry poll | report | run` (contract section 4): thin handlers returning exit codes."""

from __future__ import annotations

import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from ecpartner.commands.output import write_output
from ecpartner.commands.progress import device_progress
from ecpartner.errors import InputError
from ecpartner.findings import EXIT_OK, EXIT_UNREACHABLE
from ecpartner.inventory import Inventory
from ecpartner.inventory_loader import load_inventory
from ecpartner.telemetry.poll import PollResult, import_series, live_states, poll_live, poll_replay
from ecpartner.check import build_report, exported_findings
from ecpartner.telemetry.schedule import run_schedule
from ecpartner.telemetry.sources import store_location
from ecpartner.telemetry.store import Store
from ecpartner.telemetry.timeutil import parse_duration


def _db_path(args, inventory: Inventory) -> Path | str:
    return store_location(getattr(args, "db", None), inventory.path)


def poll_once(inventory: Inventory, db: Path | str, live: bool, budget: float = 30.0,
              layout: tuple[dict, dict[str, str]] | None = None, shard: tuple[int, int] | None = None,
              publish=None) -> PollResult:
    """One poll (of `shard`'s devices); live, under the interface names of `layout` (live_states()), read
    now when not given. `publish(result, states, seconds)`, when given, is called after the poll has committed."""
    began = time.monotonic()
    states = unread = None
    if live:
        states, unread = layout or read_layout(inventory, budget, shard)
    with Store(db) as store:
        # the display is gone before the summary is printed (a log has the summary, not a line per device)
        with device_progress(lines=False) as progress:
            result = (poll_live(inventory, store, states, unread, budget=budget, shard=shard, progress=progress)
                      if live else poll_replay(inventory, store, shard=shard))
        print(result.summary(), file=sys.stderr)
        for problem in result.problems:
            print(f"ecpartner: {problem}", file=sys.stderr)
        if publish is not None:
            publish(result, states, time.monotonic() - began)
        store.compact_after_poll()   # a step of its own once the poll is stored and published: closed days into blocks
    return result


def read_layout(inventory: Inventory, budget: float, shard: tuple[int, int] | None):
    """live_states() with the devices in flight shown on stderr."""
    with device_progress() as progress:
        return live_states(inventory, budget, shard, progress)


def snapshot(inventory: Inventory, db: Path, states: dict | None, result: PollResult | None = None,
             seconds: float = 0.0):
    """The metrics of the store after a poll: its last 24 h, the findings on them, what the poll saw."""
    from ecpartner.telemetry.metrics import PollInfo, Snapshot   # prometheus_client: only for the exporter
    from ecpartner.telemetry.window import load_window, recorded_states

    window = load_window(inventory, db, "24h", states=recorded_states(inventory) if states is None else states,
                         choice="store")
    info = None
    if result is not None and not result.exhausted:
        info = PollInfo((result.time_ms or 0) / 1000, seconds, result.inserted, len(result.problems),
                        dict(result.devices), dict(result.device_seconds))
    return Snapshot(window, exported_findings(inventory, window), info)


def cmd_poll(args) -> int:
    inventory = load_inventory(args.inventory)
    db = _db_path(args, inventory)
    publish = None
    if args.textfile:
        def publish(result, states, seconds):   # atomically, so a textfile collector never reads half a file
            from ecpartner.telemetry.metrics import exposition
            write_output(exposition(snapshot(inventory, db, states, result, seconds)), args.textfile, "the metrics")
    result = poll_once(inventory, db, args.live, args.timeout, shard=args.shard, publish=publish)
    return EXIT_UNREACHABLE if result.problems else EXIT_OK


def parse_listen(text: str) -> tuple[str, int]:
    """--listen HOST:PORT ([::1]:PORT for IPv6) -> (host, port)."""
    host, sep, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"--listen: {text!r} is not HOST:PORT (e.g. 127.0.0.1:9717)")
    return host, int(port)


def serve_metrics(listen: str):
    """Start the HTTP exporter on --listen; returns the Exporter (its server thread is a daemon)."""
    from prometheus_client import start_http_server
    from ecpartner.telemetry.metrics import Exporter

    host, port = parse_listen(listen)
    exporter = Exporter(timestamps=True)
    try:
        start_http_server(port, host, exporter.registry)
    except OSError as e:
        raise InputError(f"--listen {listen}: cannot serve metrics there: {e.strerror or e}") from None
    print(f"telemetry metrics served on http://{listen}/metrics", file=sys.stderr)
    return exporter


def cmd_import(args) -> int:
    inventory = load_inventory(args.inventory)
    db = _db_path(args, inventory)
    with Store(db) as store:
        inserted, read, files = import_series(inventory, store, [Path(f) for f in args.csv] or None)
    print(f"telemetry import: {inserted} samples stored in {db}, {read - inserted} already there, "
          f"from {len(files)} file{'' if len(files) == 1 else 's'}", file=sys.stderr)
    return EXIT_OK


def cmd_report(args) -> int:
    inventory = load_inventory(args.inventory)
    text, code = build_report(inventory, args.db, args.since, args.format, telemetry=args.telemetry, tz=args.tz)
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
    publish = None
    if args.listen:
        exporter = serve_metrics(args.listen)
        recorded: dict = {}

        def publish(result, states, seconds):
            if states is None:   # a recorded fleet: its configurations are parsed once, not at every poll
                if "states" not in recorded:
                    from ecpartner.telemetry.window import recorded_states
                    recorded["states"] = recorded_states(inventory)
                states = recorded["states"]
            exporter.publish(snapshot(inventory, db, states, result, seconds))
    # live: the configurations are read once here (bad credentials stop the run before any poll) and again
    # at each report, not at every poll: a subinterface rarely moves, and SSH costs far more than a walk
    layout = [read_layout(inventory, args.timeout, args.shard)] if args.live else [None]

    def write_report() -> None:
        if args.live:
            layout[0] = read_layout(inventory, args.timeout, args.shard)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        # the reports of a run judge the store it fills, never a recorded series beside the inventory
        text, _ = build_report(inventory, db, "24h" if report_every < 86400 else args.report_every, "html",
                               layout[0][0] if args.live else None, telemetry="store", tz=args.tz)
        path = report_dir / f"telemetry-{stamp}.html"
        write_output(text, path, "the report")
        print(f"telemetry report written to {path}", file=sys.stderr)

    # SIGINT/SIGTERM raise Interrupted (cli.main) wherever the loop is, a stuck poll included: the poll's
    # transaction rolls back and a report being written is never renamed into place. Exit 130/143.
    run_schedule(lambda: poll_once(inventory, db, args.live, args.timeout, layout[0], args.shard, publish), every, threading.Event(),
                 write_report if report_every else None, report_every)
    return EXIT_OK
