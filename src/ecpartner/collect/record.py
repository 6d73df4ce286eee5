"""`ecpartner collect INVENTORY --record DIR`: collect live devices and write them as a fixture fleet.

The layout is the contract's section 3 (inventory.yaml copied byte for byte, devices/<name>/<slug>.txt,
snmp/<name>.snmprec), so `ecpartner check DIR/inventory.yaml` replays the live run. A device that could
not be collected is left out (its replay then reports it unreachable, as the live run did) and the exit
code is 3. Secrets never reach a recorded file: credential lines are scrubbed and every literal
password/community/key value in play is replaced by `<removed>`.

The fleet is built in a temporary directory beside DIR and moved into place at the end, so DIR is
either the previous recording or the new one, never half of each.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ecpartner.collect import collect_fleet
from ecpartner.collect.fixtures import command_slug
from ecpartner.collect.live import plan_jobs, secrets_of
from ecpartner.collect.snmprec import write_snmprec
from ecpartner.collect.ssh import hide_literals
from ecpartner.display import safe
from ecpartner.errors import InputError
from ecpartner.findings import EXIT_OK, EXIT_UNREACHABLE
from ecpartner.inventory import load_inventory
from ecpartner.resources import platforms
from ecpartner.state import Collected

log = logging.getLogger(__name__)

def write_fleet(target: Path, inventory_path: Path, results: dict[str, Collected], secrets: set[str]) -> None:
    """Write the recorded fleet to `target` (replacing a previous recording there as a whole)."""
    target = target.resolve()
    if target.exists() and not target.is_dir():
        raise InputError(f"--record {target}: exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not (target / "inventory.yaml").is_file():
        raise InputError(f"--record {target}: directory is not empty and holds no recorded fleet; "
                         f"refusing to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)   # mkdtemp makes it owner-only; a recording is an ordinary folder
    try:
        shutil.copyfile(inventory_path, staging / "inventory.yaml")
        (staging / "devices").mkdir()
        for name, result in results.items():
            if result.error:
                continue
            device_dir = staging / "devices" / name
            device_dir.mkdir()
            for command, output in result.outputs.items():  # credential lines: scrubbed by the collector already
                (device_dir / f"{command_slug(command)}.txt").write_bytes(hide_literals(output, secrets).encode("utf-8"))
            if result.snmp is not None:
                (staging / "snmp").mkdir(exist_ok=True)
                write_snmprec(staging / "snmp" / f"{name}.snmprec", result.snmp)
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def cmd_collect(args) -> int:
    """CLI handler: args.inventory, args.record, args.concurrency, args.timeout."""
    inventory_path = Path(args.inventory)
    inventory = load_inventory(inventory_path)
    supported = [name for name, device in inventory.devices.items() if device.platform in platforms()]
    secrets = secrets_of(plan_jobs(inventory, supported))  # also fails early on missing environment variables
    # collect_fleet: devices of a platform without templates come back as not collected, like unreachable ones
    results = collect_fleet(inventory, live=True, concurrency=getattr(args, "concurrency", 20),
                            timeout=getattr(args, "timeout", 30.0))
    try:
        write_fleet(Path(args.record), inventory_path, results, secrets)
    except OSError as e:
        raise InputError(f"--record {args.record}: cannot write the recording: {e}") from None
    failed = {name: r.error for name, r in results.items() if r.error}
    recorded = len(results) - len(failed)
    for name, error in failed.items():
        print(f"ecpartner: {safe(name)}: not recorded: {safe(error)}", file=sys.stderr)
    print(f"recorded {recorded} of {len(results)} devices in {safe(args.record)}", file=sys.stderr)
    return EXIT_UNREACHABLE if failed else EXIT_OK

