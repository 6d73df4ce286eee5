"""RAW SCHEMA `counters*` records (an interface command such as `display interface`) -> Counters.

The CLI fallback of contract section 3 when a device has no SNMP walk. Vendor-neutral: the platform's
TTP template says where each number is; this module only sums packet kinds, converts the speed, and
names each record as the configuration names it.
"""

from __future__ import annotations

from ecpartner.parse.ifnames import match_names
from ecpartner.parse.raw import CounterRecord
from ecpartner.state import TO_BPS, Counters, optional_int, packet_total

PLAIN_FIELDS = ("in_octets", "out_octets", "in_discards", "out_discards", "in_errors", "out_errors")


def _packets(record: CounterRecord, direction: str) -> int | None:
    """Unicast + multicast + broadcast where the output splits them, else the printed total."""
    unicast = optional_int(record.get(f"{direction}_unicast"))
    if unicast is None:
        return optional_int(record.get(f"{direction}_packets"))
    return packet_total(unicast, *(optional_int(record.get(f"{direction}_{kind}")) for kind in ("multicast", "broadcast")))


def _speed_bps(record: CounterRecord) -> int | None:
    if record.get("speed_bps") is not None:
        return optional_int(record["speed_bps"])
    try:
        speed = float(record["speed"])
    except (KeyError, TypeError, ValueError):
        return None
    factor = TO_BPS.get(str(record.get("unit") or "bps").lower())
    return int(speed * factor) if factor and speed > 0 else None


def interface_counters(records: list[CounterRecord], config_names) -> dict[str, Counters]:
    """Counters for every record whose interface matches a configuration name (first record wins)."""
    named = [r for r in records if isinstance(r, dict) and r.get("name")]
    mapping = match_names(config_names, [str(r["name"]).strip() for r in named])
    result: dict[str, Counters] = {}
    for record in named:
        config_name = mapping.get(str(record["name"]).strip())
        if not config_name or config_name in result:
            continue
        values = {field: optional_int(record.get(field)) for field in PLAIN_FIELDS}
        result[config_name] = Counters(
            interface=config_name, in_packets=_packets(record, "in"), out_packets=_packets(record, "out"),
            speed_bps=_speed_bps(record), source="cli", **values,
            # printed byte counts are taken as 64-bit; with none printed the width is unknown
            counter_bits=64 if values["in_octets"] is not None or values["out_octets"] is not None else None)
    return result
