"""Collected outputs -> DeviceState: one device (build_state) and the whole fleet (build_states)."""

from __future__ import annotations

import logging

from ecpartner.inventory import Inventory
from ecpartner.parse.assemble import _Assembler, _records
from ecpartner.parse.cli_counters import interface_counters as cli_interface_counters
from ecpartner.parse.raw import Raw
from ecpartner.parse.snmp_counters import interface_counters, sys_uptime
from ecpartner.parse.ttp import _merge, raw_records
from ecpartner.platforms import platform_spec
from ecpartner.state import Collected, DeviceState

log = logging.getLogger("ecpartner")


class ParseError(Exception):
    """A device's output could not be read: the message names the device and the command."""


def build_state(device: str, platform: str, outputs: dict[str, str], snmp=None) -> DeviceState:
    """Parse every collected output of one device into the normalized DeviceState."""
    spec = platform_spec(platform)
    config = outputs.get(spec.config_command)
    if config is None:
        raise ParseError(f"{device}: no output for '{spec.config_command}'")
    raw: Raw = {}
    produced: dict[str, bool] = {}          # command -> did its templates recognise anything?
    for command_spec in spec.commands:
        if command_spec.command in outputs:
            records = raw_records(platform, command_spec.command, outputs[command_spec.command])
            if command_spec.templates:
                produced[command_spec.command] = any(records.values())
            _merge([records], raw)
    if not any(isinstance(i, dict) and i.get("name") for i in raw.get("interfaces", [])):
        first = next((line.strip() for line in config.splitlines() if line.strip()), "empty output")
        raise ParseError(f"{device}: '{spec.config_command}': no interfaces found in the output "
                         f"(not a running configuration? it starts: {first[:80]!r})")
    state = DeviceState(device=device, platform=platform)
    _Assembler(raw, spec, state).run()
    if snmp:
        state.counters = interface_counters(snmp, state.interfaces)
        state.sys_uptime = sys_uptime(snmp)
    else:   # contract section 3: without SNMP, counters come from the platform's interface command
        state.counters = cli_interface_counters(_records(raw, "counters"), state.interfaces)
    for command, text in outputs.items():
        if command != spec.config_command and command in produced and not produced[command]:
            first = next((line.strip() for line in text.splitlines() if line.strip()), "empty output")
            state.notes.append(f"'{command}': nothing recognised in the output (it starts: {first[:80]!r})")
    return state


def build_states(inventory: Inventory, collected: dict[str, Collected]) -> tuple[dict[str, DeviceState], dict[str, str]]:
    """Parse what was collected; a device that failed either step is listed with the reason."""
    states, failures = {}, {}
    for name, result in collected.items():
        if result.error:
            failures[name] = result.error
            continue
        try:
            states[name] = build_state(name, inventory.devices[name].platform, result.outputs, result.snmp)
            for note in states[name].notes:   # unresolved references, unreadable extra outputs: worth a look
                log.warning("%s: %s", name, note)
        except ParseError as e:
            failures[name] = str(e)
        except Exception as e:  # a parser crash on garbage output is that device's problem, not the run's
            failures[name] = f"{name}: output could not be parsed ({type(e).__name__}: {e})"
    return states, failures
