"""Match interface names across sources: the configuration writes `GigabitEthernet0/0/1.100`,
Cisco's ifName says `Gi0/0/1.100`. Vendor-neutral: an abbreviation is a case-insensitive prefix of the
full type name with the same numbering, and a match only counts when it is unambiguous.
"""

from __future__ import annotations

import re

_SPLIT = re.compile(r"^([A-Za-z][A-Za-z-]*?)(\d.*)$")


def _split(name: str) -> tuple[str, str]:
    m = _SPLIT.match(name.strip())
    return (m.group(1).lower(), m.group(2)) if m else (name.strip().lower(), "")


def match_names(config_names, device_names) -> dict[str, str]:
    """Map each device-reported name (ifName/ifDescr) to the one configuration name it denotes."""
    config_names = list(config_names)
    exact = set(config_names)
    by_number: dict[str, list[tuple[str, str]]] = {}
    for name in config_names:
        kind, number = _split(name)
        by_number.setdefault(number, []).append((kind, name))
    result = {}
    for reported in device_names:
        if reported in exact:
            result[reported] = reported
            continue
        kind, number = _split(reported)
        if not kind or not number:
            continue
        candidates = [name for full, name in by_number.get(number, ()) if full.startswith(kind) or kind.startswith(full)]
        if len(candidates) == 1:
            result[reported] = candidates[0]
    return result
