"""`ecpartner plan` from the command line against a recorded fleet: exit codes and the JSON object."""

from __future__ import annotations

import json


from ecpartner.cli import main

from helpers.render_fleet_dir import make_fleet


def test_may_be_created_exit_0_with_config_and_command(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    code = main(["plan", str(inventory), "--circuit", "pc-hz01", "--tenant", "1987654321098765",
                 "--bandwidth", "200M", "--address", "10.100.1.1/30"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Verdict: MAY BE CREATED (exit 0)" in out
    # --vlan auto: the lowest free VLAN of the default pool 2..2999 (VLAN 1 is most switches' default VLAN)
    assert "interface GigabitEthernet0/0/1.2\n vlan-type dot1q 2\n" in out
    assert "aliyun vpc CreateVirtualPhysicalConnection --RegionId cn-hangzhou --PhysicalConnectionId pc-hz01 " \
           "--VlanId 2 --Spec 200M --VpconnAliUid 1987654321098765" in out


def test_json_is_one_object_with_everything(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    code = main(["plan", str(inventory), "--circuit", "pc-hz01", "--tenant", "1100000000000002",
                 "--bandwidth", "1G", "--vlan", "100", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["exit_code"] == 1 and data["verdict"] == "blocked"
    assert {f["rule"] for f in data["blockers"]} == {"vlan-unique", "circuit-capacity", "config-drift"}
    assert data["applicable"] is False
    assert data["api"]["request"]["VlanId"] == 100
    assert all(line.startswith("# ") for line in data["api"]["command"].splitlines())    # blocked: a preview
    assert data["config"] is None and "already carries hosted connection" in data["config_note"]
    assert set(data) >= {"connection", "blockers", "warnings", "advice", "context", "passed", "config", "api"}


def test_vlan_zero_circuit_is_taken(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    code = main(["plan", str(inventory), "--circuit", "pc-sh01", "--tenant", "1987654321098765", "--bandwidth", "100M"])
    assert code == 1 and "vlan-zero-exclusive" in capsys.readouterr().out


def test_bad_input_exit_2(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    assert main(["plan", str(inventory), "--circuit", "pc-nope", "--tenant", "1987654321098765", "--bandwidth", "1G"]) == 2
    assert "--circuit 'pc-nope'" in capsys.readouterr().err
    assert main(["plan", str(inventory), "--circuit", "pc-hz01", "--tenant", "1987654321098765", "--bandwidth", "lots"]) == 2
    assert "--bandwidth" in capsys.readouterr().err
    assert main(["plan", str(inventory), "--circuit", "pc-hz01", "--tenant", "999", "--bandwidth", "1G"]) == 2


def test_output_file_is_written(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    target = tmp_path / "plan.md"
    assert main(["plan", str(inventory), "--circuit", "pc-hz01", "--tenant", "1987654321098765", "--bandwidth", "100M",
                 "--format", "markdown", "--output", str(target)]) == 0
    text = target.read_text()
    assert text.startswith("# Plan:") and "```" in text and capsys.readouterr().out == ""
