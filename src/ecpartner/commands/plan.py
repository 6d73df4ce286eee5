"""`ecpartner plan`: collect the circuit's device, plan the connection, write the plan."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from ecpartner.commands.output import write_output
from ecpartner.commands.progress import device_progress
from ecpartner.inventory_loader import load_inventory
from ecpartner.plan import ask_cloud, device_states, plan, to_json, to_text


def cmd_plan(args) -> int:
    inv = load_inventory(args.inventory)
    now = datetime.now(timezone.utc)
    at = args.at or now                # --at: judge the permission window at that moment instead
    circuit = inv.circuits.get(args.circuit)
    states, failures = {}, {}
    if circuit is not None:            # unknown circuits are reported by plan() with the other input problems
        with device_progress() as progress:
            states, failures = device_states(inv, circuit.device, args.live, args.fixtures,
                                             args.concurrency, args.timeout, progress)
    result = plan(inv, args.circuit, args.tenant, args.bandwidth, args.vlan, args.address,
                  args.connection_id, at, states, failures, dry_run=args.dry_run or args.cloud_dry_run)
    if args.cloud_dry_run:
        ask_cloud(inv, result, timeout=args.timeout)
    if args.format == "json":
        text = json.dumps(to_json(result, args.inventory, now), indent=2) + "\n"
    else:
        text = to_text(result, markdown=args.format == "markdown")
    write_output(text, args.output, "the plan")
    return result.exit_code


def cmd_plan_convert(args) -> int:
    """`plan convert INVENTORY --vbr VBR_ID`: the conversion's preconditions and runbook."""
    from ecpartner.check import cloud_picture
    from ecpartner.convert import plan_convert, to_json as convert_json, to_text as convert_text
    from ecpartner.display import safe

    inv = load_inventory(args.inventory)
    cloud = cloud_picture(inv, live=args.cloud, fixtures=args.fixtures, timeout=args.timeout)
    result = plan_convert(inv, cloud, args.vbr, dry_run=args.dry_run, cap_mbps=args.bandwidth_cap)
    text = (json.dumps(convert_json(result), indent=2) + "\n") if args.format == "json" else convert_text(result, safe)
    write_output(text, args.output, "the conversion plan")
    return result.exit_code
