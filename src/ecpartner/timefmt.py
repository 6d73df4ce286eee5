"""Timestamps as the contract writes them (section 6: `generated_at`), and the time zones reports show."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def iso_utc(moment: datetime) -> str:
    """Contract timestamp: UTC with a Z; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def time_zone(name: str) -> ZoneInfo:
    """An IANA time zone by name ('Asia/Shanghai', 'UTC'); ValueError saying so for any other text."""
    try:
        if isinstance(name, str) and name.strip() == name and name:
            return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise ValueError(f"{name!r} is not an IANA time zone name (e.g. UTC, Asia/Shanghai, Europe/Berlin)")
