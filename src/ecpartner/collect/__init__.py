"""Collection sources behind one call: recorded fixtures, or live devices over SSH and SNMP."""

from __future__ import annotations

from pathlib import Path

from ecpartner.collect.progress import ProgressCallback
from ecpartner.errors import InputError
from ecpartner.inventory import Inventory
from ecpartner.platforms import platforms
from ecpartner.state import Collected


def collect_fleet(inventory: Inventory, live: bool = False, fixtures_dir: str | Path | None = None,
                  names: list[str] | None = None, concurrency: int = 20, timeout: float = 30.0,
                  walk_snmp: bool = True, progress: ProgressCallback | None = None) -> dict[str, Collected]:
    """Collect every device (or `names`); failures come back as Collected.error, never as exceptions.
    Live, `walk_snmp=False` reads the devices' configurations only (their SNMP is walked elsewhere), and
    `progress` hears what each device is doing (collect/progress.py)."""
    names = list(names) if names is not None else list(inventory.devices)
    supported = set(platforms())
    unsupported = {}
    for name in names:
        platform = inventory.devices[name].platform
        if platform not in supported:
            unsupported[name] = Collected(device=name, error=f"platform {platform} is not supported yet "
                                                             f"(no templates/{platform}/commands.yaml)")
    names = [name for name in names if name not in unsupported]
    return {**unsupported, **_collect(inventory, names, live, fixtures_dir, concurrency, timeout, walk_snmp,
                                      progress)}


def _collect(inventory: Inventory, names: list[str], live: bool, fixtures_dir, concurrency: int,
             timeout: float, walk_snmp: bool, progress: ProgressCallback | None) -> dict[str, Collected]:
    if not names:
        return {}
    if live:
        from ecpartner.collect.live import collect_live

        return collect_live(inventory, names, concurrency=concurrency, timeout=timeout, progress=progress,
                            walk_snmp=walk_snmp)
    from ecpartner.collect.fixtures import collect_recorded

    fleet_dir = Path(fixtures_dir) if fixtures_dir else inventory.base_dir
    if not (fleet_dir / "devices").is_dir():
        raise InputError(f"{fleet_dir}: no recorded fleet here (expected a devices/ folder; use --live or --fixtures DIR)")
    return {name: collect_recorded(fleet_dir, inventory.devices[name]) for name in names}
