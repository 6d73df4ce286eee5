"""The registry knows no rule, and the rules cost no heavy imports: a run loads pandas only when it reads
telemetry samples. Each case runs in a fresh interpreter, where sys.modules shows what was imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
HEAVY = ("pandas", "numpy", "matplotlib")


def python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def loaded_after(code: str) -> list[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    proc = python("-c", code + "\nimport sys; print('\\n'.join(sorted(sys.modules)))")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_registry_imports_no_rule_module():
    loaded = loaded_after("import ecpartner.rules.registry, ecpartner.rules")
    assert [m for m in loaded if m.startswith("ecpartner.rules.")] == ["ecpartner.rules.registry"]


def test_every_rule_loads_without_pandas():
    loaded = loaded_after("from ecpartner.rules import all_rules\nassert len(all_rules()) == 20")
    assert "ecpartner.rules.telemetry_rules" in loaded
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_recorded_states_do_not_import_the_check_command():
    # telemetry/window.py once imported app.py (now check.py) for build_states, closing a circle through the rules
    loaded = loaded_after("from ecpartner.inventory_loader import load_inventory\n"
                          "from ecpartner.telemetry.window import recorded_states\n"
                          "assert recorded_states(load_inventory('fixtures/demo/inventory.yaml'))")
    assert {"ecpartner.check", "ecpartner.commands.check"}.isdisjoint(loaded)


@pytest.mark.parametrize("args, heavy", [
    (["fixtures/clean/inventory.yaml"], False),                          # no telemetry: every rule, no pandas
    (["fixtures/demo/inventory.yaml", "--only", "telemetry-drops"], True),   # samples: pandas reads them
])
def test_check_loads_pandas_only_for_samples(args, heavy):
    proc = python("-X", "importtime", "-m", "ecpartner", "check", *args, "--format", "json")
    assert proc.returncode in (0, 1, 3), proc.stderr
    # -X importtime writes 'import time: self | cumulative | <indent>module' for every module imported
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}
    assert "ecpartner.rules.telemetry_rules" in imported        # every rule was loaded
    assert bool(imported & set(HEAVY)) is heavy
