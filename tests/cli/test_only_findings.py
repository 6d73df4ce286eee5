"""`check --only` gives, for every rule and subject it reports, exactly the full run's finding: a rule
selected alone still gets everything it reads (a telemetry rule needs the device states to name the
interface a connection is on)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from ecpartner.cli import main
from ecpartner.rules import all_rules

CHECK_RULES = [r.id for r in all_rules().values() if r.in_check]   # permission-valid is plan's: not in the full run
DEMO = Path(__file__).parents[2] / "fixtures" / "demo" / "inventory.yaml"
COMBINATIONS = [
    "telemetry-utilization,telemetry-drops,telemetry-counters-advance",
    "device-reachable,telemetry-drops",
    "vlan-unique,monitoring-enabled,config-drift",
]


def findings(tmp_path, *only: str) -> dict[tuple[str, str], list[dict]]:
    """The findings of `check --format json` on the demo fleet, by (rule, subject)."""
    out = tmp_path / "report.json"
    main(["check", str(DEMO), "--format", "json", "--output", str(out), *only])
    by_subject = defaultdict(list)
    for f in json.loads(out.read_text(encoding="utf-8"))["findings"]:
        by_subject[f["rule"], json.dumps(f["subject"], sort_keys=True)].append(f)
    return dict(by_subject)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    return findings(tmp_path_factory.mktemp("full"))


@pytest.mark.parametrize("only", CHECK_RULES + COMBINATIONS)
def test_only_gives_the_full_runs_findings(full_run, tmp_path, only):
    selected = findings(tmp_path, "--only", only)
    wanted = set(only.split(","))
    assert {rule for rule, _ in selected} == wanted
    assert selected == {key: found for key, found in full_run.items() if key[0] in wanted}
