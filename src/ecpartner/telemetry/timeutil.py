"""Durations ('5m', '24h', '1d') and timestamps as the telemetry commands read and print them."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ecpartner.errors import InputError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str, option: str = "duration") -> float:
    """'30s', '5m', '24h', '1d', '1w' -> seconds. Bad text is an InputError naming the option."""
    m = _DURATION.match(str(text))
    seconds = float(m.group(1)) * _SECONDS[m.group(2).lower()] if m else 0.0
    if seconds <= 0:
        raise InputError(f"{option}: {text!r} is not a duration (expected e.g. 30s, 5m, 24h, 1d, 1w)")
    return seconds


def iso_from_ms(time_ms: int) -> str:
    """Epoch milliseconds -> '2026-11-26T00:00:00Z' (UTC; milliseconds shown only when present)."""
    moment = datetime.fromtimestamp(time_ms / 1000, tz=timezone.utc)
    if time_ms % 1000:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def now_ms() -> int:
    return int(datetime.now(timezone.utc).timestamp() * 1000)
