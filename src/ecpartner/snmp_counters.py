"""IF-MIB walk -> per-interface Counters named as the configuration names them."""

from __future__ import annotations

from ecpartner.collect.snmprec import Walk, text_value
from ecpartner.ifnames import match_names
from ecpartner.state import Counters, optional_int, packet_total

SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HIGH_SPEED = "1.3.6.1.2.1.31.1.1.1.15"   # Mbit/s
IF_SPEED = "1.3.6.1.2.1.2.2.1.5"            # bit/s, saturates at 4.29 G
# Counters: field -> (64-bit ifHC* column, 32-bit ifTable fallback)
COLUMNS = {
    "in_octets": ("1.3.6.1.2.1.31.1.1.1.6", "1.3.6.1.2.1.2.2.1.10"),
    "out_octets": ("1.3.6.1.2.1.31.1.1.1.10", "1.3.6.1.2.1.2.2.1.16"),
    "in_ucast": ("1.3.6.1.2.1.31.1.1.1.7", "1.3.6.1.2.1.2.2.1.11"),
    "in_mcast": ("1.3.6.1.2.1.31.1.1.1.8", None),
    "in_bcast": ("1.3.6.1.2.1.31.1.1.1.9", None),
    "out_ucast": ("1.3.6.1.2.1.31.1.1.1.11", "1.3.6.1.2.1.2.2.1.17"),
    "out_mcast": ("1.3.6.1.2.1.31.1.1.1.12", None),
    "out_bcast": ("1.3.6.1.2.1.31.1.1.1.13", None),
    "in_discards": (None, "1.3.6.1.2.1.2.2.1.13"),
    "out_discards": (None, "1.3.6.1.2.1.2.2.1.19"),
    "in_errors": (None, "1.3.6.1.2.1.2.2.1.14"),
    "out_errors": (None, "1.3.6.1.2.1.2.2.1.20"),
}
# Every OID subtree a collector must walk to fill Counters.
WALK_OIDS = [SYS_UPTIME.rsplit(".", 1)[0], IF_DESCR, IF_NAME, IF_HIGH_SPEED, IF_SPEED] + sorted(
    {oid for pair in COLUMNS.values() for oid in pair if oid})


def _columns(walk: Walk) -> dict[str, dict[str, tuple[str, str]]]:
    """One pass over the walk: table column OID -> {ifIndex: (tag, value)} (ifIndex is the last arc)."""
    columns: dict[str, dict[str, tuple[str, str]]] = {}
    for oid, entry in walk.items():
        column, _, index = oid.rpartition(".")
        columns.setdefault(column, {})[index] = entry
    return columns


def sys_uptime(walk: Walk) -> int | None:
    entry = walk.get(SYS_UPTIME)
    return optional_int(entry[1]) if entry else None


def interface_counters(walk: Walk, config_names) -> dict[str, Counters]:
    """Counters for every interface of the walk that matches a configuration name (ifName, then ifDescr)."""
    table = _columns(walk)
    names = {i: text_value(*entry) for i, entry in table.get(IF_NAME, {}).items()}
    descrs = {i: text_value(*entry) for i, entry in table.get(IF_DESCR, {}).items()}
    mapping = match_names(config_names, list(names.values()) + list(descrs.values()))

    def column(oid: str | None) -> dict[str, str]:
        return {i: value for i, (_, value) in table.get(oid, {}).items()} if oid else {}

    columns = {field: (column(hc), column(legacy)) for field, (hc, legacy) in COLUMNS.items()}
    high_speed, speed = column(IF_HIGH_SPEED), column(IF_SPEED)
    result: dict[str, Counters] = {}
    for index in sorted(set(names) | set(descrs), key=lambda i: int(i) if i.isdigit() else 0):
        config_name = mapping.get(names.get(index, "")) or mapping.get(descrs.get(index, ""))
        if not config_name or config_name in result:
            continue
        values, bits = {}, 64
        for field, (hc, legacy) in columns.items():
            if index in hc:
                values[field] = optional_int(hc[index])
            else:
                values[field] = optional_int(legacy.get(index))
                if field == "in_octets" and values[field] is not None:
                    bits = 32
        in_packets = packet_total(values["in_ucast"], values["in_mcast"], values["in_bcast"])
        out_packets = packet_total(values["out_ucast"], values["out_mcast"], values["out_bcast"])
        mbps = optional_int(high_speed.get(index))
        result[config_name] = Counters(
            interface=config_name, in_octets=values["in_octets"], out_octets=values["out_octets"],
            in_packets=in_packets, out_packets=out_packets,
            in_discards=values["in_discards"], out_discards=values["out_discards"],
            in_errors=values["in_errors"], out_errors=values["out_errors"],
            speed_bps=mbps * 10**6 if mbps else optional_int(speed.get(index)), counter_bits=bits, source="snmp")
    return result
