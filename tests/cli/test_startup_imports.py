"""Start-up pays only for what the run uses (issue 15): a command on a recorded fleet without telemetry
loads no SSH, SNMP, data-frame or plotting library, and `check` loads only the report writer it prints
with. Each case is a fresh interpreter running the CLI; the modules are read from sys.modules at exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
HEAVY = ("netmiko", "paramiko", "pysnmp", "pandas", "matplotlib", "numpy")
CLEAN = "fixtures/clean/inventory.yaml"

# sys.modules as the process leaves it (atexit runs after the command's SystemExit)
RUN_CLI = """
import atexit, runpy, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write("\\n".join(sorted(sys.modules))))
sys.argv[0] = "ecpartner"
runpy.run_module("ecpartner", run_name="__main__", alter_sys=True)
"""


def modules_at_exit(tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.txt"
    proc = subprocess.run([sys.executable, "-c", RUN_CLI, str(out), *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    return set(out.read_text().split())


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.mark.parametrize("args", [
    ["check", CLEAN],
    ["check", CLEAN, "--format", "json"],
    ["render", CLEAN],
    ["plan", CLEAN, "--circuit", "pc-bj01", "--tenant", "1100000000000002", "--bandwidth", "300M", "--vlan", "auto"],
], ids=["check", "check-json", "render", "plan"])
def test_a_recorded_fleet_without_telemetry_loads_no_heavy_library(tmp_path, args):
    modules = modules_at_exit(tmp_path, *args)
    assert "ecpartner.cli" in modules                       # the command really ran in this process
    assert heavy(modules) == []
    assert {"ecpartner.collect.live", "ecpartner.collect.ssh", "ecpartner.collect.snmp"}.isdisjoint(modules)


def test_check_loads_only_the_report_writer_it_prints_with(tmp_path):
    writers = {"ecpartner.report.table", "ecpartner.report.text", "ecpartner.report.json_report", "ecpartner.report.junit",
               "ecpartner.report.markdown", "ecpartner.report.html"}
    assert writers & modules_at_exit(tmp_path, "check", CLEAN, "--format", "json") == {"ecpartner.report.json_report"}
    assert writers & modules_at_exit(tmp_path, "check", CLEAN) == {"ecpartner.report.table"}


SDK = ("alibabacloud_vpc20160428", "alibabacloud_tea_openapi", "darabonba")


def sdk(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in SDK)


@pytest.mark.parametrize("args", [["check", CLEAN], ["check", CLEAN, "--format", "json"], ["render", "--help"]],
                         ids=["check", "check-json", "render-help"])
def test_the_alibaba_cloud_sdk_is_loaded_only_to_print_cloud_steps(tmp_path, args):
    assert sdk(modules_at_exit(tmp_path, *args)) == []


def test_render_loads_the_sdk_because_it_prints_the_cloud_steps(tmp_path):
    """The other side of the lazy import: the runbook really builds its requests from the SDK's models."""
    assert "alibabacloud_vpc20160428.models" in modules_at_exit(tmp_path, "render", CLEAN)


def test_replaying_a_recorded_cloud_loads_no_sdk_and_no_ssh(tmp_path):
    """The demo fleet has a cloud/ recording: check judges it from the JSON alone."""
    modules = modules_at_exit(tmp_path, "check", "fixtures/demo/inventory.yaml", "--only",
                              "cloud-inventory-match,cloud-business-status")
    assert "ecpartner.collect.cloud" in modules and "ecpartner.rules.cloud_rules" in modules   # it was replayed
    assert sdk(modules) == [] and "ecpartner.collect.ssh" not in modules and heavy(modules) == []
