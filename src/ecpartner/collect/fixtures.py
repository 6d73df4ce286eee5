"""Recorded fleets (contract section 3): devices/<name>/<command slug>.txt and snmp/<name>.snmprec."""

from __future__ import annotations

import re
import time
from pathlib import Path

from ecpartner.collect.snmprec import read_snmprec
from ecpartner.errors import InputError
from ecpartner.fleet_layout import inside_fleet
from ecpartner.inventory import Device
from ecpartner.platforms import platform_spec
from ecpartner.state import Collected


def command_slug(command: str) -> str:
    """'display current-configuration' -> 'display_current_configuration'."""
    return re.sub(r"[^a-z0-9]+", "_", command.lower()).strip("_")


def collect_recorded(fleet_dir: Path, device: Device) -> Collected:
    """Read one device's recorded outputs; a missing or unreadable recording is that device's error."""
    started = time.perf_counter()
    result = Collected(device=device.name, source="fixtures")
    device_dir = fleet_dir / "devices" / device.name
    spec = platform_spec(device.platform)
    for command in spec.commands:
        path = device_dir / f"{command_slug(command.command)}.txt"
        if path.exists() and not inside_fleet(fleet_dir, path):
            result.error = f"'{command.command}': {path} leads out of the recorded fleet {fleet_dir} (a link); not read"
            return result
        if not path.is_file():
            if command.command == spec.config_command:
                result.error = f"no recording of '{command.command}' (expected {path})"
                return result
            continue
        try:
            result.outputs[command.command] = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            result.error = f"'{command.command}': cannot read {path}: {e}"
            return result
    snmp_path = fleet_dir / "snmp" / f"{device.name}.snmprec"
    if snmp_path.exists() and not inside_fleet(fleet_dir, snmp_path):
        result.error = f"snmp: {snmp_path} leads out of the recorded fleet {fleet_dir} (a link); not read"
    elif snmp_path.is_file():
        try:
            result.snmp = read_snmprec(snmp_path)
        except InputError as e:
            result.error = f"snmp: {e}"
    result.timings["read"] = time.perf_counter() - started
    return result
