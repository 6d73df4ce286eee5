"""`ecpartner remediate`: check the devices, write per device the configuration that fixes its findings."""

from __future__ import annotations

import sys

from ecpartner.check import run_check
from ecpartner.commands.check import selected_rules
from ecpartner.commands.output import write_device_files
from ecpartner.commands.progress import device_progress
from ecpartner.display import safe
from ecpartner.findings import EXIT_OK, EXIT_UNREACHABLE
from ecpartner.inventory_loader import load_inventory
from ecpartner.remediate import FIXING_RULES, device_files


def output_name(device_name: str) -> str:
    return f"{device_name}.remediate.cfg"


def cmd_remediate(args) -> int:
    """Exit 0: every device was read (files written for those with something to fix); 3: some could not be
    (the others' files are written, the unreachable ones named on stderr); 2: bad input, nothing written."""
    inv = load_inventory(args.inventory)
    only = selected_rules(args.only)
    remedies: dict = {}
    with device_progress() as progress:
        findings = run_check(inv, ["device-reachable", *(only or FIXING_RULES)], live=args.live,
                             fixtures=args.fixtures, concurrency=args.concurrency, timeout=args.timeout,
                             remedies=remedies, progress=progress)
    unreachable = [f for f in findings if f.rule == "device-reachable" and f.is_problem]
    for f in unreachable:
        print(f"ecpartner: not remediated: {safe(f.message)}", file=sys.stderr)
    files = device_files(inv, findings, remedies, only)
    code = EXIT_UNREACHABLE if unreachable else EXIT_OK
    if not files:
        print(f"# nothing to remediate in {safe(args.inventory)}", file=sys.stderr)
        return code
    write_device_files(files, args.output_dir, output_name, "the remediation")
    return code
