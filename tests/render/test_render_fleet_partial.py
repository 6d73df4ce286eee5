"""`render` of a whole fleet renders what it can: each skipped connection is named with its reason on
stderr and the exit code is 1; a device file is whole or not written; an explicit --connection that
cannot be rendered is bad input (exit 2, nothing written)."""

from __future__ import annotations

from ecpartner.cli import main
from ecpartner.inventory_loader import load_inventory
from ecpartner.render import render_each

from helpers.render_fleet_dir import make_fleet

# pc-hc02 (disabled, on hz-acc-01 beside pc-hc01) gets a bandwidth no device takes: not whole kbit/s
BROKEN = ("bandwidth: 500M, status: disabled", "bandwidth: 200.0005M, status: disabled")


def broken_fleet(tmp_path):
    inventory = make_fleet(tmp_path / "fleet")
    inventory.write_text(inventory.read_text().replace(*BROKEN))
    return inventory


def render(capsys, *argv):
    code = main(["render", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_whole_fleet_renders_what_it_can_and_exits_1(tmp_path, capsys):
    inventory = broken_fleet(tmp_path)
    out_dir = tmp_path / "out"
    code, out, err = render(capsys, inventory, "--output-dir", out_dir)
    assert code == 1
    assert sorted(p.name for p in out_dir.iterdir()) == ["sh-acc-01.create.cfg"]    # hz-acc-01: not half a file
    assert out.splitlines() == [str(out_dir / "sh-acc-01.create.cfg")]
    lines = err.splitlines()
    assert "ecpartner: skipped: hosted connection pc-hc02: bandwidth '200.0005M' is not a whole number of kbit/s" in lines
    assert any(line.startswith("ecpartner: skipped: hosted connection pc-hc01: not rendered, the file of device "
                               "hz-acc-01 would lack pc-hc02") for line in lines)
    assert lines[-1] == "ecpartner: 2 hosted connection(s) skipped, not rendered: pc-hc02, pc-hc01"
    assert "interface TenGigabitEthernet0/1/0" in (out_dir / "sh-acc-01.create.cfg").read_text()


def test_whole_fleet_on_stdout_prints_only_whole_device_files(tmp_path, capsys):
    code, out, err = render(capsys, broken_fleet(tmp_path))
    assert code == 1 and "pc-hc02" in err
    assert "TenGigabitEthernet0/1/0" in out and "hz-acc-01" not in out and "pc-hc01" not in out


def test_explicit_connection_that_cannot_be_rendered_is_exit_2_and_writes_nothing(tmp_path, capsys):
    inventory = broken_fleet(tmp_path)
    out_dir = tmp_path / "out"
    code, out, err = render(capsys, inventory, "--connection", "pc-hc02", "--connection", "pc-hc03",
                            "--output-dir", out_dir)
    assert code == 2 and out == "" and not out_dir.exists()
    assert err.splitlines() == ["ecpartner: hosted connection pc-hc02: bandwidth '200.0005M' is not a whole number "
                                "of kbit/s"]


def test_explicit_connections_that_render_exit_0(tmp_path, capsys):
    code, out, err = render(capsys, broken_fleet(tmp_path), "--connection", "pc-hc01")
    assert code == 0 and err == "" and "pc-hc01" in out


def test_a_clean_fleet_exits_0_with_nothing_skipped(tmp_path, capsys):
    inventory = make_fleet(tmp_path / "fleet")
    code, out, err = render(capsys, inventory, "--output-dir", tmp_path / "out")
    assert code == 0 and err == "" and len(out.splitlines()) == 2
    files, skipped = render_each(load_inventory(inventory))
    assert sorted(files) == ["hz-acc-01", "sh-acc-01"] and skipped == []
