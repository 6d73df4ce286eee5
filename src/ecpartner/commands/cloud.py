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


def cmd_cloud_import(args) -> int:
    """A starter inventory from the cloud: refuses an existing INVENTORY_OUT and any region that failed."""
    from ecpartner.cloud_import import starter_inventory
    from ecpartner.commands.output import write_output

    if os.path.lexists(args.inventory_out):
        raise InputError(f"{args.inventory_out}: exists; refusing to overwrite it (name a new file)")
    access = resolve_access()
    results = collect_cloud(None, timeout=args.timeout, access=access, regions=args.region,
                            on_progress=lambda r, t: print(f"cloud {safe(r)}: {safe(t)}", file=sys.stderr))
    failed = [r for r in results.values() if r.error]
    if failed:
        for r in failed:
            print(f"ecpartner: cloud {safe(r.region)}: {safe(r.error)}", file=sys.stderr)
        print(f"ecpartner: nothing written: {len(failed)} region(s) could not be read", file=sys.stderr)
        return EXIT_UNREACHABLE
    pictures = {name: r.picture() for name, r in results.items()}
    write_output(starter_inventory(pictures, args.account_id), args.inventory_out, "the starter inventory")
    found = sum(len(p.connections) for p in pictures.values())
    print(f"wrote {safe(args.inventory_out)}: {sum(len(p.circuits) for p in pictures.values())} circuit(s), "
          f"{found} hosted connection(s); fill in every <fill in: ...> value", file=sys.stderr)
    return EXIT_OK
