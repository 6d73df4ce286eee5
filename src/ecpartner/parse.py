"""Platform + command + text -> normalized DeviceState, driven by templates/<platform>/commands.yaml.

Vendor knowledge stays in templates/<platform>/ (read through ecpartner.platforms): which command to run,
which TTP templates read it, a few platform defaults, the naming model. This module is vendor-neutral: it
runs TTP, merges the raw records and resolves them (units, MQC policy -> class -> behaviour, ACLs, named
CARs) into state.DeviceState.

RAW SCHEMA: what every platform's TTP templates produce (all keys optional; TTP group names shown).
Each template's results are merged: list-valued groups are concatenated across templates.

  interfaces*:   {name, description, vlan (int, from the dot1q encapsulation only),
                  ip + mask (dotted mask or prefix length) | ip_cidr ("10.0.0.1/30"),
                  secondary*: [{ip, mask}] (secondary addresses),
                  shutdown (true when shut), statistics (true when explicitly enabled),
                  qos*:      [{direction, rate, unit} | {direction, car: NAME} | {direction, policy: NAME}],
                  arp_limit*: [{rate, unit: pps, interval (s, default 1)} | {enabled: true} (platform default
                              `defaults.arp_default_pps`)]}
                 `parent` (the port of a subinterface) comes from the name, by the platform's `naming`.
                 qos, ARP and ICMP records may carry `source`: the configuration line, quoted in messages.
  cars*:         {name, rate, unit}                               named CAR profiles
  classifiers*:  {name, matches*: [{protocol: arp|icmp|any} | {acl: NAME}]}
  behaviors*:    {name, rate, unit}                               MQC behaviour with a CAR/police
  policies*:     {name, classes*: [{classifier, behavior: NAME} | {classifier, rate, unit}]}
  acls*:         {name, rules*: [{action: permit|deny, protocol, icmp_type}]}
  control_plane*: {policy, direction}                             CoPP: the policy limits traffic to the CPU
  arp_limits*:   {scope: per-source|device, rate, unit: pps, interval, source_ip}   device-wide ARP limits
  icmp_limits*:  {scope: device|interface, interface, rate, unit: pps, enabled: true}
                  (enabled without a rate: the platform's `defaults.icmp_threshold_pps` applies)
  counters*:     {name, in_octets, out_octets, in_packets, out_packets, in_discards, out_discards,
                  in_errors, out_errors, speed_bps | speed + unit}                 from the interface
                  command (`display interface`, `show interfaces`): read only when there is no SNMP walk.
                  Where the output splits packets, give in_/out_unicast, _multicast, _broadcast instead
                  of (or besides) in_/out_packets: packets are then their sum. A counter the output does
                  not print is left out (None: unreadable). Names are matched to configuration names.

direction: in|inbound|input or out|outbound|output.
unit: bps | kbps | mbps | gbps | pps (case-insensitive); a platform's default unit comes from
commands.yaml (`defaults.rate_unit`) when a template leaves it out.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys
import threading
from functools import cache

from ttp import ttp
from ttp.ttp import CachedModule

from ecpartner.inventory import Inventory
from ecpartner.platforms import Defaults, PlatformSpec, platform_spec
from ecpartner.state import (ARP, BPS, ICMP, IN, OUT, PPS, QOS, SCOPE_DEVICE, SCOPE_INTERFACE,
                             SCOPE_PER_SOURCE, TO_BPS, Collected, DeviceState, Interface, RateLimit)

log = logging.getLogger("ecpartner")

DIRECTIONS = {"in": IN, "inbound": IN, "input": IN, "out": OUT, "outbound": OUT, "output": OUT}


class ParseError(Exception):
    """A device's output could not be read: the message names the device and the command."""


def raw_records(platform: str, command: str, text: str) -> dict[str, list]:
    """Run every TTP template of a command on its output; merge the groups (RAW SCHEMA above)."""
    merged: dict[str, list] = {}
    for _name, template in platform_spec(platform).command(command).templates:
        _merge(run_template(template, text), merged)
    return merged


# Compiling a template (ttp.__init__: XML, macros, regexes) costs about as much as running it on a device's
# configuration, and is the same for every device of a platform: compile once per thread, reuse per output.
# Two TTP details make naive reuse wrong:
#  - result() returns the template's own `results` list and clear_result() empties it in place, so results
#    read before clear_result() vanish: take a copy.
#  - TTP plugin functions (the group `macro` runner among them) read a module-global `_ttp_` that points
#    at the dictionary of whichever ttp object last loaded them, so after another ttp object has run, a
#    reused one silently skips its macros. Point them back at this object's dictionary before each run.
#    Those globals are process-wide, hence the lock: TTP runs one at a time (pure Python, so the GIL
#    serialises them anyway).
_compiled = threading.local()
_TTP_LOCK = threading.Lock()


def run_template(template: str, text: str) -> list:
    """TTP's result() for one template on one text, as from a fresh ttp(data=text, template=template)."""
    cache = _compiled.__dict__.setdefault("parsers", {})
    with _TTP_LOCK:
        parser = cache.pop(template, None) or ttp(template=template)
        _bind_plugins(parser)
        parser.clear_input()
        parser.clear_result()
        parser._ttp_["global_vars"].clear()     # `record`/`count` state: empty in a fresh object
        parser.add_input(text, template_name="_all_")
        parser.parse(one=True)
        result = [list(per_template) for per_template in parser.result()]
        parser.clear_input()
        cache[template] = parser                # only after a clean run: a run that raised is not reused
    return result


def _bind_plugins(parser: ttp) -> None:
    """Do what TTP's CachedModule.load does for every plugin function this parser has loaded already."""
    for scope in parser._ttp_.values():
        if not isinstance(scope, dict):
            continue
        for function in scope.values():
            if isinstance(function, CachedModule):
                continue                            # not loaded yet: it binds itself when first called
            module = sys.modules.get(getattr(function, "__module__", None) or "")
            if module is not None and module.__name__.startswith("ttp.") and hasattr(module, "_ttp_"):
                module._ttp_ = parser._ttp_


def _merge(result, merged: dict[str, list]) -> None:
    """TTP returns a list per template of a list per input of dicts; flatten into group -> list."""
    if isinstance(result, list):
        for item in result:
            _merge(item, merged)
    elif isinstance(result, dict):
        for group, value in result.items():
            merged.setdefault(group, []).extend(value if isinstance(value, list) else [value])


def build_state(device: str, platform: str, outputs: dict[str, str], snmp=None) -> DeviceState:
    """Parse every collected output of one device into the normalized DeviceState."""
    spec = platform_spec(platform)
    config = outputs.get(spec.config_command)
    if config is None:
        raise ParseError(f"{device}: no output for '{spec.config_command}'")
    raw: dict[str, list] = {}
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
        from ecpartner.snmp_counters import interface_counters, sys_uptime

        state.counters = interface_counters(snmp, state.interfaces)
        state.sys_uptime = sys_uptime(snmp)
    else:   # contract section 3: without SNMP, counters come from the platform's interface command
        from ecpartner.cli_counters import interface_counters as cli_interface_counters

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


@cache
def _prefix_length(mask: str) -> int:
    return ipaddress.ip_network(f"0.0.0.0/{mask}").prefixlen


def _cidr(ip: str, mask: str | None) -> str:
    """'10.0.0.1' + '255.255.255.252' (or '30') -> '10.0.0.1/30'; anything unusual goes through ipaddress."""
    if mask and ":" not in ip and "/" not in ip:
        socket.inet_pton(socket.AF_INET, ip)          # strict dotted quad, raises OSError otherwise
        return f"{ip}/{_prefix_length(mask)}"
    return str(ipaddress.ip_interface(f"{ip}/{mask}" if mask else ip))


def _records(raw: dict, group: str) -> list[dict]:
    return [r for r in raw.get(group, []) if isinstance(r, dict)]


def _listed(record: dict, key: str) -> list[dict]:
    value = record.get(key) or []
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]


class _Assembler:
    """Resolves raw records (units, named CARs, MQC policy -> class -> behaviour, ACLs) into the state tables."""

    def __init__(self, raw: dict, spec: PlatformSpec, state: DeviceState):
        self.raw, self.state = raw, state
        self.defaults: Defaults = spec.defaults
        self.sources = spec.defaults.sources
        self.naming = spec.naming
        self.cars = {r["name"]: r for r in _records(raw, "cars") if r.get("name")}
        self.behaviors = {r["name"]: r for r in _records(raw, "behaviors") if r.get("name")}
        self.policies = {r["name"]: _listed(r, "classes") for r in _records(raw, "policies") if r.get("name")}
        self.classifiers = {r["name"]: _listed(r, "matches") for r in _records(raw, "classifiers") if r.get("name")}
        self.acls: dict[str, list[dict]] = {}
        for r in _records(raw, "acls"):        # numbered ACLs come one rule per record: concatenate
            if r.get("name"):
                self.acls.setdefault(str(r["name"]), []).extend(_listed(r, "rules"))
        self.default_class = self.defaults.mqc_default_class

    def run(self) -> None:
        for record in _records(self.raw, "interfaces"):
            if record.get("name"):
                self._interface(record)
        for record in _records(self.raw, "control_plane"):
            self._control_plane(record)
        for record in _records(self.raw, "arp_limits"):
            self._device_arp(record)
        self._icmp(_records(self.raw, "icmp_limits"))

    # -- helpers -------------------------------------------------------------------------------
    def _rate(self, record: dict) -> tuple[float, str] | None:
        """(value, bps|pps) from a raw {rate, unit}; None when there is no usable rate."""
        try:
            value = float(record["rate"])
        except (KeyError, TypeError, ValueError):
            return None
        unit = str(record.get("unit") or self.defaults.rate_unit).lower()
        if unit == PPS:
            return value, PPS
        if unit not in TO_BPS:
            self.state.notes.append(f"unknown rate unit {unit!r} in {record}")
            return None
        return value * TO_BPS[unit], BPS

    def _add(self, kind, scope, rate_unit, source, interface=None, direction=None, default_threshold=False) -> None:
        rate, unit = rate_unit
        self.state.rate_limits.append(RateLimit(kind=kind, scope=scope, rate=rate, unit=unit, source=source,
                                                interface=interface, direction=direction,
                                                default_threshold=default_threshold))

    def _matches(self, classifier: str) -> set[str]:
        """What a class matches: {'any'}, {'arp'}, {'icmp'} ... (ACLs resolved to the protocols they permit)."""
        if classifier == self.default_class:
            return {"any"}
        found = set()
        for match in self.classifiers.get(classifier, []):
            if match.get("protocol"):
                found.add(str(match["protocol"]).lower())
            if match.get("acl") is not None:
                for rule in self.acls.get(str(match["acl"]), []):
                    if str(rule.get("action", "permit")).lower() == "permit" and rule.get("protocol"):
                        protocol = str(rule["protocol"]).lower()
                        # an ICMP class limits echo requests only if its ACL lets them in
                        if protocol != "icmp" or str(rule.get("icmp_type") or "echo").lower() in ("echo", "8"):
                            found.add(protocol)
        return found

    def _policy_limits(self, policy: str):
        """(matches, (rate, unit), source) for each policed class of an MQC policy."""
        for cls in self.policies.get(policy, []):
            classifier = str(cls.get("classifier", ""))
            rate_record = self.behaviors.get(cls.get("behavior")) if cls.get("behavior") else cls
            rate_unit = self._rate(rate_record) if rate_record else None
            if cls.get("behavior") and rate_record is None:
                self.state.notes.append(f"policy {policy}: behavior {cls['behavior']} is not defined")
            if rate_unit:
                yield self._matches(classifier), rate_unit, self.sources.policy_class.format(policy=policy,
                                                                                            classifier=classifier)

    # -- tables ---------------------------------------------------------------------------------
    def _interface(self, r: dict) -> None:
        name = str(r["name"]).strip()
        parent = self.naming.parent(name)
        statistics = self.defaults.statistics
        statistics_default = statistics.subinterface if parent else statistics.interface
        vlan = r.get("vlan")
        self.state.interfaces[name] = Interface(
            name=name, parent=parent, vlan=int(vlan) if vlan not in (None, "") else None,
            description=str(r["description"]).strip() if r.get("description") else None,
            addresses=self._addresses(r, name),
            shutdown=bool(r.get("shutdown")),
            statistics=bool(r.get("statistics")) or bool(statistics_default))
        for q in _listed(r, "qos"):
            self._interface_qos(name, q)
        for a in _listed(r, "arp_limit"):
            rate_unit = self._rate({**a, "unit": a.get("unit", PPS)})
            default = a.get("enabled") and rate_unit is None and self.defaults.arp_default_pps
            if default:
                rate_unit = (float(default), PPS)     # enabled without a rate: the platform default applies
            if rate_unit:
                interval = float(a.get("interval") or 1)
                self._add(ARP, SCOPE_INTERFACE, (rate_unit[0] / interval, rate_unit[1]),
                          a.get("source", self.sources.arp), name, default_threshold=bool(default))

    def _addresses(self, r: dict, name: str) -> list[str]:
        """CIDR strings; ipaddress is the slow part of assembling a large config, so IPv4 takes a short cut."""
        out = []
        pairs = [(r.get("ip"), r.get("mask")), (r.get("ip_cidr"), None)]
        pairs += [(s.get("ip"), s.get("mask")) for s in _listed(r, "secondary")]
        for ip, mask in pairs:
            if not ip:
                continue
            try:
                out.append(_cidr(str(ip), str(mask) if mask else None))
            except (ValueError, OSError):
                self.state.notes.append(f"{name}: unreadable address {ip} {mask or ''}".strip())
        return out

    def _interface_qos(self, name: str, q: dict) -> None:
        direction = DIRECTIONS.get(str(q.get("direction", "")).lower())
        if direction is None:
            self.state.notes.append(f"{name}: QoS without a direction: {q}")
            return
        if q.get("car"):
            car, source = self.cars.get(q["car"]), self.sources.car.format(name=q["car"])
            if car is None:
                self.state.notes.append(f"{name}: {source} is not defined")
            elif rate_unit := self._rate(car):
                self._add(QOS, SCOPE_INTERFACE, rate_unit, source, name, direction)
        elif q.get("policy"):
            if q["policy"] not in self.policies:
                self.state.notes.append(f"{name}: policy {q['policy']} is not defined")
            for matches, rate_unit, source in self._policy_limits(q["policy"]):
                if "any" in matches and rate_unit[1] == BPS:
                    self._add(QOS, SCOPE_INTERFACE, rate_unit, source, name, direction)
        elif rate_unit := self._rate(q):
            self._add(QOS, SCOPE_INTERFACE, rate_unit, q.get("source", self.sources.rate), name, direction)

    def _control_plane(self, r: dict) -> None:
        """CoPP: policed classes matching ARP or ICMP limit those packets device-wide."""
        for matches, rate_unit, source in self._policy_limits(str(r.get("policy", ""))):
            for kind in (ARP, ICMP):
                if kind in matches:
                    self._add(kind, SCOPE_DEVICE, rate_unit, self.sources.control_plane.format(source=source))

    def _device_arp(self, r: dict) -> None:
        if r.get("source_ip"):
            self.state.notes.append(f"ARP limit for source {r['source_ip']} only: does not cover every user")
            return
        rate_unit = self._rate({**r, "unit": r.get("unit", PPS)})
        if rate_unit:
            scope = SCOPE_PER_SOURCE if r.get("scope") == SCOPE_PER_SOURCE else SCOPE_DEVICE
            interval = float(r.get("interval") or 1)
            source = r.get("source", self.sources.arp_device.format(scope=scope))
            self._add(ARP, scope, (rate_unit[0] / interval, rate_unit[1]), source)

    def _icmp(self, records: list[dict]) -> None:
        enabled = any(r.get("enabled") for r in records)
        device_limits = 0
        for r in records:
            rate_unit = self._rate({**r, "unit": r.get("unit", PPS)})
            if not rate_unit:
                continue
            if r.get("scope") == SCOPE_INTERFACE and r.get("interface"):
                self._add(ICMP, SCOPE_INTERFACE, rate_unit, r.get("source", self.sources.icmp_interface),
                          str(r["interface"]))
            else:
                device_limits += 1
                self._add(ICMP, SCOPE_DEVICE, rate_unit, r.get("source", self.sources.icmp_device))
        if enabled and not device_limits:
            default = self.defaults.icmp_threshold_pps
            self.state.rate_limits.append(RateLimit(
                kind=ICMP, scope=SCOPE_DEVICE, rate=float(default) if default else None, unit=PPS,
                source=self.sources.icmp_default, default_threshold=True))
