"""`ecpartner render` from the command line: files per device, stdout, refusals with exit 2."""

from __future__ import annotations



from ecpartner.cli import main

from helpers.render_fleet_dir import make_fleet


def test_output_dir_gets_one_file_per_device(tmp_path, capsys):
    inventory = make_fleet(tmp_path / "fleet")
    out = tmp_path / "out"
    assert main(["render", str(inventory), "--output-dir", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["hz-acc-01.create.cfg", "sh-acc-01.create.cfg"]
    huawei = (out / "hz-acc-01.create.cfg").read_text()
    assert huawei.index("GigabitEthernet0/0/1.100") < huawei.index("GigabitEthernet0/0/1.101")   # stable order
    assert "policy-map ECP-1G" in (out / "sh-acc-01.create.cfg").read_text()
    assert str(out / "hz-acc-01.create.cfg") in capsys.readouterr().out


def test_stdout_and_selected_connection(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    assert main(["render", str(inventory), "--connection", "pc-hc02", "--action", "disable"]) == 0
    out = capsys.readouterr().out
    assert "interface GigabitEthernet0/0/1.101\n shutdown\n" in out and "sh-acc-01" not in out


def test_delete_prints_the_guide_order(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    assert main(["render", str(inventory), "--connection", "pc-hc01", "--action", "delete"]) == 0
    out = capsys.readouterr().out
    steps = ["TerminateVirtualBorderRouter", "DeleteVirtualBorderRouter", "DeletePhysicalConnection --RegionId",
             "undo interface GigabitEthernet0/0/1.100"]
    positions = [out.index(s) for s in steps]
    assert positions == sorted(positions)


def test_modify_vlan_refuses_a_vlan_used_on_the_circuit(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    code = main(["render", str(inventory), "--connection", "pc-hc01", "--action", "modify-vlan", "--vlan", "101"])
    assert code == 2
    err = capsys.readouterr().err
    assert "VLAN 101 is already used on circuit pc-hz01 by pc-hc02" in err


def test_modify_vlan_to_a_free_vlan(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    assert main(["render", str(inventory), "--connection", "pc-hc01", "--action", "modify-vlan", "--vlan", "300"]) == 0
    out = capsys.readouterr().out
    assert "undo interface GigabitEthernet0/0/1.100" in out and " vlan-type dot1q 300" in out
    assert "UpdateVirtualPhysicalConnection --RegionId cn-hangzhou --InstanceId pc-hc01 --VlanId 300" in out


def test_usage_errors_exit_2_and_write_nothing(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    out = tmp_path / "out"
    cases = [
        (["--action", "delete"], "needs --connection"),
        (["--action", "modify-vlan", "--connection", "pc-hc01"], "needs the new VLAN"),
        (["--vlan", "5"], "only for --action modify-vlan"),
        (["--connection", "pc-nope"], "no hosted connection 'pc-nope'"),
        (["--action", "modify-vlan", "--connection", "pc-hc01", "--vlan", "3000"], "not a VLAN in 0..2999"),
    ]
    for extra, message in cases:
        assert main(["render", str(inventory), "--output-dir", str(out), *extra]) == 2, extra
        assert message in capsys.readouterr().err
    assert not out.exists()
