"""`ecpartner cloud collect INVENTORY [--record DIR]`: read what Alibaba Cloud says exists, region by region."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ecpartner.collect.cloud import collect_cloud, resolve_access, write_cloud
from ecpartner.display import safe
from ecpartner.errors import InputError
from ecpartner.findings import EXIT_OK, EXIT_UNREACHABLE
from ecpartner.inventory_loader import load_inventory


def cmd_cloud_collect(args) -> int:
    inventory = load_inventory(args.inventory)
    access = resolve_access()        # no credentials: exit 2 before any call
    started = time.monotonic()

    def progress(region: str, text: str) -> None:
        print(f"cloud {safe(region)}: {safe(text)} ({time.monotonic() - started:.1f}s)", file=sys.stderr)

    results = collect_cloud(inventory, timeout=args.timeout, access=access, on_progress=progress)
    if args.record:
        try:
            write_cloud(Path(os.path.abspath(args.record)), Path(args.inventory), results, access.secrets)
        except OSError as e:
            raise InputError(f"--record {args.record}: cannot write the recording: {e.strerror or e}; "
                             "nothing there was changed") from None
    failed = [r for r in results.values() if r.error]
    where = f" in {safe(args.record)}/cloud" if args.record else ""
    print(f"{'recorded' if args.record else 'read'} {len(results) - len(failed)} of {len(results)} regions{where}",
          file=sys.stderr)
    return EXIT_UNREACHABLE if failed else EXIT_OK
