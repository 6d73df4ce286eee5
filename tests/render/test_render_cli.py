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
    steps = ["DescribeVirtualBorderRoutersForPhysicalConnection --RegionId", "TerminateVirtualBorderRouter --RegionId",
             "DeleteVirtualBorderRouter --RegionId", "TerminatePhysicalConnection --RegionId",
             "DeletePhysicalConnection --RegionId", "undo interface GigabitEthernet0/0/1.100"]
    positions = [out.index(s) for s in steps]
    assert positions == sorted(positions)


def test_dry_run_turns_the_cloud_calls_into_dry_run_requests_and_nothing_else(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    assert main(["render", str(inventory), "--connection", "pc-hc01", "--action", "modify-vlan", "--vlan", "300"]) == 0
    real = capsys.readouterr().out
    assert main(["render", str(inventory), "--connection", "pc-hc01", "--action", "modify-vlan", "--vlan", "300",
                 "--dry-run"]) == 0
    dry = capsys.readouterr().out
    update = [line for line in dry.splitlines() if "aliyun vpc UpdateVirtualPhysicalConnection" in line]
    assert len(update) == 1 and update[0].endswith(" --DryRun true")
    assert "--DryRun" not in real
    device = [line for line in dry.splitlines() if not line.startswith("#")]
    assert device == [line for line in real.splitlines() if not line.startswith("#")]    # device lines unchanged


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


def test_the_device_family_in_the_inventory_selects_the_template_variant(tmp_path, capsys):
    inventory = make_fleet(tmp_path)
    assert main(["render", str(inventory)]) == 0
    router = capsys.readouterr().out
    text = inventory.read_text()
    for name in ("hz-acc-01", "sh-acc-01"):
        old = f"{{name: {name},"
        assert old in text
        text = text.replace(old, f"{{name: {name}, family: switch,")
    inventory.write_text(text)
    assert main(["render", str(inventory)]) == 0
    switch = capsys.readouterr().out
    assert "vlan-type dot1q 100" in router and "dot1q termination vid 100" not in router
    assert "dot1q termination vid 100" in switch and "vlan-type dot1q" not in switch and " undo portswitch" in switch
    assert "control-plane\n service-policy input ECP-COPP" in router and "ip arp inspection limit rate" not in router
    assert "ip arp inspection limit rate" in switch and "ECP-COPP" not in switch
