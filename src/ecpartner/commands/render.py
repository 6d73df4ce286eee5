"""`ecpartner render`: render the chosen connections, write one configuration per device."""

from __future__ import annotations

import sys

from ecpartner.commands.output import write_device_files
from ecpartner.display import safe
from ecpartner.errors import InputError
from ecpartner.findings import EXIT_FINDINGS, EXIT_OK
from ecpartner.inventory_loader import load_inventory
from ecpartner.render import render_each


def output_name(device_name: str, action: str) -> str:
    return f"{device_name}.{action}.cfg"


def cmd_render(args) -> int:
    """Exit 0: all rendered; 1: the whole fleet was asked for and some connections were skipped (listed on
    stderr, the rest written); 2: a --connection asked for by name cannot be rendered (nothing written)."""
    inv = load_inventory(args.inventory)
    files, skipped = render_each(inv, args.connection, args.action, args.vlan, dry_run=args.dry_run)
    if skipped and args.connection:
        raise InputError(list(dict.fromkeys(s.reason for s in skipped if s.failed)))
    code = EXIT_FINDINGS if skipped else EXIT_OK
    for s in skipped:
        print(f"ecpartner: skipped: {safe(s.reason)}", file=sys.stderr)
    if skipped:
        keys = list(dict.fromkeys(s.key for s in skipped))
        print(f"ecpartner: {len(keys)} hosted connection(s) skipped, not rendered: {safe(', '.join(keys))}",
              file=sys.stderr)
    if not files:
        if not skipped:
            print(f"# no hosted connections to {args.action} in {safe(args.inventory)}", file=sys.stderr)
        return code
    write_device_files(files, args.output_dir, lambda name: output_name(name, args.action), "the configuration")
    return code
