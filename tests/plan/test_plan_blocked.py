"""A blocked plan is never paste-ready, and no plan configures an interface another connection uses.

Through the CLI on a copy of fixtures/clean (pc-bj01 on a Huawei, pc-bj02 on a Cisco IOS-XE device), with
the permission window moved into the future so that only the proposal itself decides the verdict.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from ecpartner.cli import main

CLEAN = Path(__file__).parents[2] / "fixtures" / "clean"
TENANT = "1100000000000002"
FORMATS = ["table", "markdown", "json"]
# circuit -> (device's comment marker, port, the connection already on VLAN 100)
CIRCUITS = {"pc-bj01": ("#", "XGigabitEthernet0/0/1", "pc-bjhc01"),
            "pc-bj02": ("!", "TenGigabitEthernet0/1/0", "pc-bjhc03")}


@pytest.fixture
def fleet(tmp_path) -> Path:
    shutil.copytree(CLEAN, tmp_path / "clean")
    inventory = tmp_path / "clean" / "inventory.yaml"
    text = inventory.read_text()
    inventory.write_text(text.replace("valid_until: 2026-11-27T00:00:00+08:00", "valid_until: 2099-01-01T00:00:00+08:00"))
    return inventory


def plan(capsys, inventory: Path, circuit: str, vlan: str, bandwidth: str = "300M", fmt: str = "table"):
    code = main(["plan", str(inventory), "--circuit", circuit, "--tenant", TENANT, "--bandwidth", bandwidth,
                 "--vlan", vlan, "--format", fmt])
    out = capsys.readouterr().out
    return code, json.loads(out) if fmt == "json" else out


def uncommented(preview: str, marker: str) -> list[str]:
    lines = preview.rstrip("\n").split("\n")
    assert lines[0] == f"{marker} BLOCKED - DO NOT APPLY"
    assert all(line == marker or line.startswith(f"{marker} ") for line in lines)
    return [line[len(marker) + 1:] for line in lines[1:]]


@pytest.mark.parametrize("circuit", CIRCUITS)
def test_may_be_created_is_applicable_in_every_format(fleet, capsys, circuit):
    marker, port, _ = CIRCUITS[circuit]
    code, data = plan(capsys, fleet, circuit, "300", fmt="json")
    assert code == 0 and data["applicable"] is True and data["blockers"] == []
    assert f"interface {port}.300" in data["config"].splitlines()
    assert data["api"]["command"].startswith("aliyun vpc CreateVirtualPhysicalConnection ")
    for fmt in ("table", "markdown"):
        code, out = plan(capsys, fleet, circuit, "300", fmt=fmt)
        lines = out.splitlines()
        assert code == 0 and "Applicable: yes" in lines and "BLOCKED" not in out
        assert f"interface {port}.300" in lines and data["api"]["command"] in lines


@pytest.mark.parametrize("circuit", CIRCUITS)
def test_blocked_plan_shows_config_and_api_call_only_commented_out(fleet, capsys, circuit):
    marker, port, _ = CIRCUITS[circuit]
    code, data = plan(capsys, fleet, circuit, "300", bandwidth="10G", fmt="json")    # over the circuit's capacity
    assert code == 1 and data["applicable"] is False and data["config_note"] is None
    assert "circuit-capacity" in {f["rule"] for f in data["blockers"]}
    config = uncommented(data["config"], marker)
    assert f"interface {port}.300" in config
    command = uncommented(data["api"]["command"], "#")
    assert command[0].startswith("aliyun vpc CreateVirtualPhysicalConnection ")

    for fmt in ("table", "markdown"):
        code, out = plan(capsys, fleet, circuit, "300", bandwidth="10G", fmt=fmt)
        lines = out.splitlines()
        assert code == 1 and "Applicable: no, BLOCKED - DO NOT APPLY" in lines
        for line in filter(str.strip, config + command):     # every applicable line is there, commented only
            assert line not in lines and f"{marker if line in config else '#'} {line}".rstrip() in lines
        assert not any(line.startswith(("interface", "aliyun", "{", '"')) for line in lines)
        assert f"Configuration for {data['connection']['device']}: BLOCKED - DO NOT APPLY" in out
        assert "CreateVirtualPhysicalConnection: BLOCKED - DO NOT APPLY" in out


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("circuit", CIRCUITS)
def test_vlan_of_another_connection_gives_no_configuration_but_who_holds_it(fleet, capsys, circuit, fmt):
    marker, port, holder = CIRCUITS[circuit]
    code, out = plan(capsys, fleet, circuit, "100", fmt=fmt)
    assert code == 1
    if fmt == "json":
        assert out["applicable"] is False and out["config"] is None
        out = out["config_note"]
    assert f"{port}.100 on" in out and f"already carries hosted connection {holder} (VLAN 100, enabled)" in out
    assert not re.search(r"^\W*(interface|vlan-type|encapsulation|qos|service-policy) ", out, re.M)   # not even commented


@pytest.mark.parametrize("circuit", CIRCUITS)
def test_vlan_zero_on_a_used_circuit_gives_no_configuration(fleet, capsys, circuit):
    _, port, holder = CIRCUITS[circuit]
    code, data = plan(capsys, fleet, circuit, "0", fmt="json")
    assert code == 1 and data["config"] is None
    assert data["config_note"].startswith(f"No configuration: {port} on ")
    assert f"{holder} (VLAN 100, enabled)" in data["config_note"]


@pytest.mark.parametrize("circuit, config, rename, holder", [
    ("pc-bj01", "bj-acc-01/display_current_configuration.txt", "XGigabitEthernet0/0/1.101", "pc-bjhc02"),
    ("pc-bj02", "bj-acc-02/show_running_config.txt", "TenGigabitEthernet0/1/0.102", "pc-bjhc04"),
])
def test_subinterface_named_for_the_vlan_but_carrying_another_connection_is_not_reconfigured(
        fleet, capsys, circuit, config, rename, holder):
    """The device's <port>.300 carries another connection's VLAN: `interface <port>.300` would re-tag it."""
    path = fleet.parent / "devices" / config
    path.write_text(path.read_text().replace(f"interface {rename}\n", f"interface {rename.split('.')[0]}.300\n"))
    code, data = plan(capsys, fleet, circuit, "300", fmt="json")
    assert code == 1 and data["applicable"] is False and data["config"] is None
    assert f"already carries hosted connection {holder}" in data["config_note"]
    drift = [f for f in data["blockers"] if f["rule"] == "config-drift"]
    assert drift and f"{rename.split('.')[0]}.300 with dot1q VLAN {rename.split('.')[1]}" in drift[0]["message"]
