"""The Grafana dashboard in grafana/: its PromQL queries, and those queries with the dashboard's variables set."""

from __future__ import annotations

import json
import re
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parents[2] / "grafana" / "ecpartner-telemetry.json"
METRIC = re.compile(r"\becpartner_[a-z0-9_]+")


def queries(path: Path = DASHBOARD) -> list[tuple[str, str]]:
    """(where, PromQL) for every panel target and every query variable."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for panel in doc["panels"]:
        for target in panel.get("targets", []):
            out.append((f"panel {panel['title']!r} {target['refId']}", target["expr"]))
    for variable in doc["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]["query"]
            inner = re.fullmatch(r"label_values\((.*), *\w+\)", query)   # Grafana's function, not PromQL
            out.append((f"variable {variable['name']}", inner.group(1) if inner else query))
    return out


def substitute(expr: str, values: dict[str, str]) -> str:
    """$name -> its value (Grafana's simple variable syntax)."""
    return re.sub(r"\$(\w+)", lambda m: values[m.group(1)], expr)
