"""`ecpartner collect INVENTORY --record DIR`: collect live devices, record them, say which were not."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ecpartner.collect import collect_fleet
from ecpartner.collect.live import plan_jobs, secrets_of
from ecpartner.collect.record import check_target, write_fleet
from ecpartner.commands.progress import device_progress
from ecpartner.display import safe
from ecpartner.errors import InputError
from ecpartner.findings import EXIT_OK, EXIT_UNREACHABLE
from ecpartner.inventory_loader import load_inventory
from ecpartner.platforms import platforms


def cmd_collect(args) -> int:
    """CLI handler: args.inventory, args.record, args.concurrency, args.timeout."""
    inventory_path = Path(args.inventory)
    inventory = load_inventory(inventory_path)
    try:
        check_target(Path(os.path.abspath(args.record)), inventory_path)   # before any device is contacted
    except OSError as e:
        raise InputError(f"--record {args.record}: cannot read it: {e.strerror or e}") from None
    supported = [name for name, device in inventory.devices.items() if device.platform in platforms()]
    secrets = secrets_of(plan_jobs(inventory, supported))  # also fails early on missing environment variables
    # collect_fleet: devices of a platform without templates come back as not collected, like unreachable ones
    with device_progress() as progress:
        results = collect_fleet(inventory, live=True, concurrency=getattr(args, "concurrency", 20),
                                timeout=getattr(args, "timeout", 30.0), progress=progress)
    try:
        write_fleet(Path(args.record), inventory_path, results, secrets)
    except OSError as e:
        raise InputError(f"--record {args.record}: cannot write the recording: {e.strerror or e}"
                         f"{f' ({e.filename})' if e.filename else ''}; nothing there was changed") from None
    failed = {name: r.error for name, r in results.items() if r.error}
    recorded = len(results) - len(failed)
    for name, error in failed.items():
        print(f"ecpartner: {safe(name)}: not recorded: {safe(error)}", file=sys.stderr)
    print(f"recorded {recorded} of {len(results)} devices in {safe(args.record)}", file=sys.stderr)
    return EXIT_UNREACHABLE if failed else EXIT_OK

