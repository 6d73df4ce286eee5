"""IF-MIB walk -> per-interface Counters named as the configuration names them.

Which row is a configuration interface's: IOS-XE walks carry `<port>-mpls layer` rows (ifType mpls(166))
whose ifName is the port's; such layer rows never give counters. Of several other rows that name the same
interface, the one whose ifDescr is exactly the configuration name wins, then one whose ifName is; rows no
better than another one are ambiguous and give nothing (never guessed).

A value of the wrong SNMP type (an OctetString in a counter column), negative, too large for its type or
not a number is unknown, never guessed: that interface's counter (and a packet total it is part of) is
None, and `read_counters` says why.
"""

from __future__ import annotations

from ecpartner.collect.snmprec import Walk, text_value
from ecpartner.ifmib import COLUMNS, IF_DESCR, IF_HIGH_SPEED, IF_NAME, IF_SPEED, IF_TYPE, IF_TYPE_LAYERS, SYS_UPTIME
from ecpartner.parse.ifnames import match_names
from ecpartner.state import Counters, optional_int, packet_total

# snmprec tags of the numeric SNMP types and the largest value each carries; any other type is not a number.
NUMERIC_TAGS = {"2": 2**31 - 1, "65": 2**32 - 1, "66": 2**32 - 1, "67": 2**32 - 1, "70": 2**64 - 1}
TYPE_NAMES = {"2": "Integer", "4": "OctetString", "4x": "OctetString", "5": "Null", "6": "OBJECT IDENTIFIER",
              "64": "IpAddress", "65": "Counter32", "66": "Gauge32", "67": "TimeTicks", "68": "Opaque",
              "70": "Counter64"}
# Counters fields made of several SNMP columns.
PACKETS = {"in_packets": ("in_ucast", "in_mcast", "in_bcast"), "out_packets": ("out_ucast", "out_mcast", "out_bcast")}


def _columns(walk: Walk) -> dict[str, dict[str, tuple[str, str]]]:
    """One pass over the walk: table column OID -> {ifIndex: (tag, value)} (ifIndex is the last arc)."""
    columns: dict[str, dict[str, tuple[str, str]]] = {}
    for oid, entry in walk.items():
        column, _, index = oid.rpartition(".")
        columns.setdefault(column, {})[index] = entry
    return columns


def _number(entry: tuple[str, str] | None) -> int | None:
    """A numeric SNMP value in its type's range; None when absent or unreadable."""
    if entry is None or entry[0] not in NUMERIC_TAGS:
        return None
    return optional_int(entry[1], NUMERIC_TAGS[entry[0]])


def _why(entry: tuple[str, str], oid: str) -> str:
    tag, value = entry
    return f"{TYPE_NAMES.get(tag, 'type ' + tag)} {value[:40]!r} at {oid} is not a counter value"


def sys_uptime(walk: Walk) -> int | None:
    return _number(walk.get(SYS_UPTIME))


def _rows(table, config_names) -> dict[str, str]:
    """configuration name -> the ifIndex whose row is that interface's (see the module's docstring)."""
    names = {i: text_value(*entry) for i, entry in table.get(IF_NAME, {}).items()}
    descrs = {i: text_value(*entry) for i, entry in table.get(IF_DESCR, {}).items()}
    types = table.get(IF_TYPE, {})
    mapping = match_names(config_names, list(names.values()) + list(descrs.values()))
    candidates: dict[str, list[tuple[int, str]]] = {}
    for index in set(names) | set(descrs):
        if str(_number(types.get(index))) in IF_TYPE_LAYERS:
            continue                            # a layer row (mpls) above the port, not the port
        name, descr = names.get(index, ""), descrs.get(index, "")
        config_name = mapping.get(name) or mapping.get(descr)
        if config_name:
            rank = 2 if descr == config_name else 1 if name == config_name else 0
            candidates.setdefault(config_name, []).append((rank, index))
    rows = {}
    for config_name, found in candidates.items():
        best = max(rank for rank, _ in found)
        top = [index for rank, index in found if rank == best]
        if len(top) == 1:
            rows[config_name] = top[0]
    return rows


def interface_rows(walk: Walk, config_names) -> dict[str, str]:
    """configuration name -> the ifIndex of its row, from a walk of the naming columns (ifmib.NAMING_OIDS)."""
    return _rows(_columns(walk), config_names)


def interface_counters(walk: Walk, config_names) -> dict[str, Counters]:
    """Counters for every interface of the walk that matches a configuration name (ifName, then ifDescr)."""
    return read_counters(walk, config_names)[0]


def read_counters(walk: Walk, config_names) -> tuple[dict[str, Counters], dict[str, dict[str, str]]]:
    """interface_counters(), and for each interface the Counters fields whose SNMP value was present but
    unreadable: {configuration name: {field: why}}."""
    table = _columns(walk)
    high_speed, speed = table.get(IF_HIGH_SPEED, {}), table.get(IF_SPEED, {})
    result: dict[str, Counters] = {}
    unreadable: dict[str, dict[str, str]] = {}
    rows = _rows(table, config_names)
    for config_name, index in sorted(rows.items(), key=lambda item: int(item[1]) if item[1].isdigit() else 0):
        values, why, bits = {}, {}, None
        for field, (hc, legacy) in COLUMNS.items():
            oid = hc if hc and index in table.get(hc, {}) else legacy
            entry = table.get(oid, {}).get(index) if oid else None
            values[field] = _number(entry)
            if entry is not None and values[field] is None:
                why[field] = _why(entry, f"{oid}.{index}")
            if field in ("in_octets", "out_octets") and entry is not None and bits is None:
                bits = 64 if oid == hc else 32      # no octet column at all: the width is unknown
        for total, parts in PACKETS.items():
            bad = [why.pop(part) for part in parts if part in why]
            # an unreadable multicast or broadcast count makes the total unknown, not smaller
            values[total] = None if bad else packet_total(*(values[part] for part in parts))
            if bad:
                why[total] = "; ".join(bad)
        if why:
            unreadable[config_name] = why
        mbps = _number(high_speed.get(index))
        result[config_name] = Counters(
            interface=config_name, in_octets=values["in_octets"], out_octets=values["out_octets"],
            in_packets=values["in_packets"], out_packets=values["out_packets"],
            in_discards=values["in_discards"], out_discards=values["out_discards"],
            in_errors=values["in_errors"], out_errors=values["out_errors"],
            speed_bps=mbps * 10**6 if mbps else _number(speed.get(index)), counter_bits=bits, source="snmp")
    return result, unreadable
