"""`plan --at` judges the permission window at another moment
(the VLAN pool of `--vlan auto`: tests/plan/test_plan.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ecpartner.cli import main

CLEAN = Path(__file__).parents[2] / "fixtures" / "clean"
TENANT = "1100000000000002"


# ---------------------------------------------------------------- --at, on the bundled clean fleet

def plan_cli(capsys, *extra):
    try:
        code = main(["plan", str(CLEAN / "inventory.yaml"), "--circuit", "pc-bj01", "--tenant", TENANT,
                     "--bandwidth", "300M", "--format", "json", *extra])
    except SystemExit as e:                  # a usage error: argparse exits with 2
        code = e.code
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out else None), captured.err


def test_at_inside_the_window_may_be_created_and_outside_is_blocked(capsys):
    code, data, _ = plan_cli(capsys, "--at", "2026-11-26T12:00:00+08:00")
    assert code == 0 and data["applicable"] and data["evaluated_at"] == "2026-11-26T04:00:00Z"
    assert "permission-valid" in {f["rule"] for f in data["passed"]}
    code, data, _ = plan_cli(capsys, "--at", "2026-11-27T00:00:00Z")     # 08:00 in +08:00: past valid_until
    assert code == 1 and [f["rule"] for f in data["blockers"]] == ["permission-valid"]
    assert data["generated_at"] != data["evaluated_at"]


def test_at_is_also_shown_in_the_table(capsys):
    code = main(["plan", str(CLEAN / "inventory.yaml"), "--circuit", "pc-bj01", "--tenant", TENANT,
                 "--bandwidth", "300M", "--at", "2026-11-26T12:00:00+08:00"])
    assert code == 0 and "Evaluated at: 2026-11-26T04:00:00Z" in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("value, why", [("2026-11-26T12:00:00", "has no UTC offset"),
                                        ("tomorrow", "is not an ISO 8601 date and time"),
                                        ("2026-13-01T00:00:00+08:00", "is not an ISO 8601 date and time")])
def test_at_without_an_offset_or_not_a_time_is_bad_input(capsys, value, why):
    code, data, err = plan_cli(capsys, "--at", value)
    assert code == 2 and data is None and why in err and "--at" in err


def test_readme_plan_example_may_be_created(capsys, tmp_path):
    """The README's example, as written there, on the bundled clean fleet."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    start = readme.index(".venv/bin/ecpartner plan fixtures/clean/inventory.yaml")
    command = readme[start:readme.index("\n", readme.index("\\\n", start) + 2)].replace("\\\n", " ").split()
    assert command[0] == ".venv/bin/ecpartner" and "--at" in command
    shutil.copytree(CLEAN, tmp_path / "clean")
    args = [str(tmp_path / "clean" / "inventory.yaml") if a == "fixtures/clean/inventory.yaml" else a for a in command[1:]]
    code = main(args + ["--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["applicable"], data["blockers"]
    assert data["connection"]["vlan"] == 102          # the partner's pool 100-2999: 100, 101, 103 are held on pc-bj01
