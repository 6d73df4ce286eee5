"""RAW SCHEMA records (ecpartner.parse.raw) -> the state tables of one DeviceState.

Vendor-neutral: units, named CARs, MQC policy -> class -> behaviour, ACLs and the platform's defaults and
naming model (from ecpartner.platforms) are resolved here; the records say what the device printed.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import cache

from ecpartner.parse.raw import Raw
from ecpartner.platforms import Defaults, PlatformSpec
from ecpartner.state import (ARP, BPS, ICMP, IN, OUT, PPS, QOS, SCOPE_DEVICE, SCOPE_INTERFACE,
                             SCOPE_PER_SOURCE, TO_BPS, DeviceState, Interface, RateLimit)

DIRECTIONS = {"in": IN, "inbound": IN, "input": IN, "out": OUT, "outbound": OUT, "output": OUT}


@cache
def _prefix_length(mask: str) -> int:
    return ipaddress.ip_network(f"0.0.0.0/{mask}").prefixlen


def _cidr(ip: str, mask: str | None) -> str:
    """'10.0.0.1' + '255.255.255.252' (or '30') -> '10.0.0.1/30'; anything unusual goes through ipaddress."""
    if mask and ":" not in ip and "/" not in ip:
        socket.inet_pton(socket.AF_INET, ip)          # strict dotted quad, raises OSError otherwise
        return f"{ip}/{_prefix_length(mask)}"
    return str(ipaddress.ip_interface(f"{ip}/{mask}" if mask else ip))


def _vlan(value) -> int | None:
    return int(value) if value not in (None, "") else None


def _records(raw: Raw, group: str) -> list[dict]:
    return [r for r in raw.get(group, []) if isinstance(r, dict)]


def _listed(record: dict, key: str) -> list[dict]:
    value = record.get(key) or []
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]


class _Assembler:
    """Resolves raw records (units, named CARs, MQC policy -> class -> behaviour, ACLs) into the state tables."""

    def __init__(self, raw: Raw, spec: PlatformSpec, state: DeviceState):
        self.raw, self.state = raw, state
        self.defaults: Defaults = spec.defaults
        self.sources = spec.defaults.sources
        self.naming = spec.naming
        self.cars = {r["name"]: r for r in _records(raw, "cars") if r.get("name")}
        self.profiles = {r["name"]: _listed(r, "limits") for r in _records(raw, "profiles") if r.get("name")}
        self.behaviors = {r["name"]: r for r in _records(raw, "behaviors") if r.get("name")}
        self.policies = {r["name"]: _listed(r, "classes") for r in _records(raw, "policies") if r.get("name")}
        self.classifiers = {r["name"]: _listed(r, "matches") for r in _records(raw, "classifiers") if r.get("name")}
        self.acls: dict[str, list[dict]] = {}
        for r in _records(raw, "acls"):        # numbered ACLs come one rule per record: concatenate
            if r.get("name"):
                self.acls.setdefault(str(r["name"]), []).extend(_listed(r, "rules"))
        self.default_class = self.defaults.mqc_default_class

    def run(self) -> None:
        self.counted = self._counted_everywhere()
        for record in _records(self.raw, "interfaces"):
            if record.get("name"):
                self._interface(record)
        applied = set()
        for record in _records(self.raw, "control_plane"):
            if record.get("policy") not in applied:     # one policy applied per slot is still one limit
                applied.add(record.get("policy"))
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
                matches = {str(cls["protocol"]).lower()} if cls.get("protocol") else self._matches(classifier)
                source = cls.get("source") or self.sources.policy_class.format(policy=policy, classifier=classifier)
                yield matches, rate_unit, source

    def _counted_everywhere(self) -> dict[str, set[str]]:
        """Directions in which a device-wide setting (`statistics*` records) makes every interface of a kind
        (`interface`, `subinterface`) count traffic; a record without a direction is both."""
        directions: dict[str, set[str]] = {}
        for r in _records(self.raw, "statistics"):
            direction = DIRECTIONS.get(str(r.get("direction", "")).lower())
            directions.setdefault(str(r.get("applies_to", "")).lower(), set()).update(
                {direction} if direction else {IN, OUT})
        return directions

    # -- tables ---------------------------------------------------------------------------------
    def _interface(self, r: dict) -> None:
        name = str(r["name"]).strip()
        parent = self.naming.parent(name)
        statistics = self.defaults.statistics
        statistics_default = statistics.subinterface if parent else statistics.interface
        outer, inner = _vlan(r.get("outer_vlan")), _vlan(r.get("inner_vlan"))
        counted = r.get("statistics")
        only = DIRECTIONS.get(counted.lower()) if isinstance(counted, str) else None   # one direction counted
        device_wide = self.counted.get("subinterface" if parent else "interface", set())
        if device_wide == {IN, OUT}:
            statistics_default = True
        elif device_wide and counted is None:
            only = next(iter(device_wide))             # counted device-wide in one direction only
        both = bool(statistics_default) or (only is None and bool(counted))
        self.state.interfaces[name] = Interface(
            name=name, parent=parent, vlan=None if outer is not None else _vlan(r.get("vlan")),
            description=str(r["description"]).strip() if r.get("description") else None,
            addresses=self._addresses(r, name),
            shutdown=bool(r.get("shutdown")),
            statistics=both, statistics_only=None if both else only,
            outer_vlan=outer, inner_vlan=inner if outer is not None else None)
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
        elif q.get("profile"):
            profile = str(q["profile"])
            if profile not in self.profiles:
                self.state.notes.append(f"{name}: profile {profile} is not defined")
            for limit in self.profiles.get(profile, []):
                # a profile applied inbound limits with its inbound limits and those that name no direction
                if DIRECTIONS.get(str(limit.get("direction", "")).lower(), direction) == direction:
                    if rate_unit := self._rate(limit):
                        self._add(QOS, SCOPE_INTERFACE, rate_unit, limit.get("source") or q.get("source", profile),
                                  name, direction)
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
                    where = (f"{source}, applied by {r['source']}" if r.get("source")
                             else self.sources.control_plane.format(source=source))
                    self._add(kind, SCOPE_DEVICE, rate_unit, where)

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
        if any(r.get("disabled") for r in records):
            return
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
