"""Timestamps as the contract writes them (section 6: `generated_at`)."""

from __future__ import annotations

from datetime import datetime, timezone


def iso_utc(moment: datetime) -> str:
    """Contract timestamp: UTC with a Z; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
