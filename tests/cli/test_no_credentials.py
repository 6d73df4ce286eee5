"""A recorded fleet needs no credentials: every command that reads recordings works without them; the
commands that reach devices (`--live`, `collect`) refuse before any connection, at the device's line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

CLEAN = Path(__file__).parents[2] / "fixtures" / "clean"


def without_credentials(tmp_path: Path, keep_device_key: bool = False) -> Path:
    shutil.copytree(CLEAN, tmp_path / "clean")
    path = tmp_path / "clean" / "inventory.yaml"
    text = path.read_text()
    text = re.sub(r"^credentials:\n(  .*\n)+", "", text, flags=re.M)
    if not keep_device_key:
        text = text.replace(" credentials: default,", "")
    assert "credentials" not in text or keep_device_key
    path.write_text(text)
    return path


def device_line(path: Path, name: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if f"name: {name}," in line)


@pytest.fixture
def no_ssh(monkeypatch):
    """Any connection attempt fails the test: the refusal must come first."""
    import ecpartner.collect.live as live

    def refuse(*_a, **_k):
        raise AssertionError("a device was contacted")
    monkeypatch.setattr(live, "collect_ssh", refuse)
    monkeypatch.setattr(live, "walk_fleet", refuse)


def test_recorded_fleet_commands_work_without_credentials(run, tmp_path):
    inventory = without_credentials(tmp_path)
    code, out, err = run("check", inventory, "--format", "json")
    assert code == 0, err
    code, out, err = run("plan", inventory, "--circuit", "pc-bj01", "--tenant", "1100000000000002",
                         "--bandwidth", "300M", "--at", "2026-11-26T12:00:00+08:00")
    assert code == 0 and "Verdict: MAY BE CREATED" in out, err
    code, out, err = run("render", inventory)
    assert code == 0 and "interface XGigabitEthernet0/0/1.100" in out, err


def test_telemetry_replay_works_without_credentials(run, tmp_path):
    shutil.copytree(CLEAN.parent / "demo", tmp_path / "demo")
    inventory = tmp_path / "demo" / "inventory.yaml"
    text = re.sub(r"^credentials:\n(  .*\n)+", "", inventory.read_text(), flags=re.M)
    inventory.write_text(text.replace("    credentials: default\n", ""))
    assert "credentials" not in inventory.read_text()
    code, _, err = run("telemetry", "poll", inventory, "--db", tmp_path / "t.sqlite")
    assert code == 0, err
    code, out, err = run("check", inventory, "--format", "json")
    assert code == 3 and "credentials" not in err      # the demo's broken recording, as with credentials


@pytest.mark.parametrize("command", [["check", "--live"], ["collect", "--record", "REC"],
                                     ["plan", "--live", "--circuit", "pc-bj01", "--tenant", "1100000000000002",
                                      "--bandwidth", "300M"]])
def test_commands_that_reach_devices_need_credentials_named_at_the_device_line(run, tmp_path, no_ssh, command):
    inventory = without_credentials(tmp_path)
    argv = [a if a != "REC" else tmp_path / "rec" for a in command]
    code, out, err = run(argv[0], inventory, *argv[1:])
    assert code == 2 and out == ""
    line = device_line(inventory, "bj-acc-01")
    assert (f"{inventory}:{line}: devices[0].credentials: device bj-acc-01 has no 'credentials' key; reaching it "
            "(--live, collect) needs one") in err
    assert not (tmp_path / "rec").exists()


def test_a_named_set_without_the_section_is_refused_before_any_connection(run, tmp_path, no_ssh):
    inventory = without_credentials(tmp_path, keep_device_key=True)
    code, _, err = run("check", inventory, "--live")
    line = device_line(inventory, "bj-acc-02")
    assert code == 2
    assert (f"{inventory}:{line}: devices[1].credentials: credentials 'default' of device bj-acc-02 are not defined "
            "(the inventory has no 'credentials' section)") in err
