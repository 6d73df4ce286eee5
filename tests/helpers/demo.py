"""Facts of the bundled demo fleet that tests count with (derived from its files, so adding a device keeps them true)."""

from __future__ import annotations

import csv
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def _series() -> set[tuple[str, str]]:
    series = set()
    for path in (DEMO / "telemetry").glob("*.csv"):
        with path.open(encoding="utf-8") as f:
            series |= {(row["device"], row["interface"]) for row in csv.DictReader(f)}
    return series


DEMO_SERIES = len(_series())   # interfaces the demo's telemetry series sample: what one replay poll stores
