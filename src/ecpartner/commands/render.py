"""`ecpartner render`: render the chosen connections, write one configuration per device."""

from __future__ import annotations

import sys
from pathlib import Path

from ecpartner.commands.output import cannot_write, write_output
from ecpartner.display import safe
from ecpartner.inventory_loader import load_inventory
from ecpartner.render import render_fleet
from ecpartner.safetext import check_pattern


def output_name(device_name: str, action: str) -> str:
    return f"{device_name}.{action}.cfg"


def cmd_render(args) -> int:
    inv = load_inventory(args.inventory)
    files = render_fleet(inv, args.connection, args.action, args.vlan, dry_run=args.dry_run)
    if not files:
        print(f"# no hosted connections to {args.action} in {safe(args.inventory)}", file=sys.stderr)
        return 0
    if args.output_dir is None:
        write_output("\n".join(files.values()), None, "the configuration")
        return 0
    out = Path(args.output_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise cannot_write(out, "the configuration", e) from None
    for name, text in files.items():   # everything is rendered before the first file is written
        check_pattern(name, f"device {name}", "name", "identifier")
        write_output(text, out / output_name(name, args.action), "the configuration")
    for name in files:
        print(safe(out / output_name(name, args.action)))
    return 0
