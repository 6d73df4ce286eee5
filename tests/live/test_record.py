"""`ecpartner collect --record`: the fixture layout from live devices, no secrets anywhere."""

from __future__ import annotations

import logging

import pytest

from helpers.labdata import ENV, HZ_INTERFACES, SECRETS, write_inventory
from ecpartner.cli import main
from ecpartner.collect.fixtures import collect_recorded
from ecpartner.collect.live import collect_live
from ecpartner.collect.snmprec import read_snmprec
from ecpartner.inventory_loader import load_inventory

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")


@pytest.fixture
def env(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def test_record_writes_the_fixture_layout_and_replays_the_same_text(lab, tmp_path, env, capsys):
    inventory = write_inventory(tmp_path, [lab.device("hz-acc-01"), lab.device("sh-acc-02"), lab.device("hz-rej-03")])
    record = tmp_path / "recorded"

    code = main(["collect", str(inventory), "--record", str(record), "--timeout", "10"])

    assert code == 3                                             # hz-rej-03 failed, the others recorded
    err = capsys.readouterr().err
    assert "hz-rej-03: not recorded: ssh 127.0.0.1:" in err and "rejected: Error: Unrecognized command" in err
    assert "recorded 2 of 3 devices" in err
    assert (record / "inventory.yaml").read_bytes() == inventory.read_bytes()
    files = sorted(str(p.relative_to(record)) for p in record.rglob("*") if p.is_file())
    assert files == [".ecpartner-recording", "devices/hz-acc-01/display_current_configuration.txt", "devices/sh-acc-02/show_running_config.txt",
                     "inventory.yaml", "snmp/hz-acc-01.snmprec", "snmp/sh-acc-02.snmprec"]
    walk = read_snmprec(record / "snmp" / "hz-acc-01.snmprec")
    assert [walk[f"1.3.6.1.2.1.31.1.1.1.1.{i}"] for i in range(1, 7)] == [("4", n) for n in HZ_INTERFACES]
    assert walk["1.3.6.1.2.1.31.1.1.1.6.3"][0] == "70"

    # replay reads exactly what a live run collects
    inv = load_inventory(record / "inventory.yaml")
    live = collect_live(load_inventory(inventory), ["hz-acc-01", "sh-acc-02"], timeout=10)
    for name in ("hz-acc-01", "sh-acc-02"):
        replayed = collect_recorded(record, inv.devices[name])
        assert replayed.error is None
        assert replayed.outputs == live[name].outputs
        assert set(replayed.snmp) == set(live[name].snmp)


def test_record_replaces_a_previous_recording_whole(lab, tmp_path, env):
    inventory = write_inventory(tmp_path, [lab.device("hz-acc-01")])
    record = tmp_path / "rec"
    (record / "devices" / "gone-01").mkdir(parents=True)
    (record / "devices" / "gone-01" / "display_current_configuration.txt").write_text("old\n")
    (record / "inventory.yaml").write_text("old\n")
    assert main(["collect", str(inventory), "--record", str(record)]) == 0
    assert not (record / "devices" / "gone-01").exists()
    assert sorted(p.name for p in record.parent.iterdir() if p.name.startswith(".rec")) == []


def test_record_beside_other_files_keeps_them(lab, tmp_path, env, capsys):
    inventory = write_inventory(tmp_path, [lab.device("hz-acc-01")])
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me\n")
    assert main(["collect", str(inventory), "--record", str(precious)]) == 0
    assert (precious / "notes.txt").read_text() == "keep me\n"
    assert (precious / "devices" / "hz-acc-01" / "display_current_configuration.txt").is_file()


def test_secrets_never_appear_in_output_logs_or_recorded_files(lab, tmp_path, env, capsys, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    inventory = write_inventory(tmp_path, [lab.device("hz-acc-01"), lab.device("sh-acc-02"), lab.device("hz-rej-03")])
    record = tmp_path / "recorded"
    assert main(["-v", "collect", str(inventory), "--record", str(record)]) == 3
    # a failing run too: a wrong community and a wrong password must not echo what was tried
    monkeypatch.setenv("ECPT_COMMUNITY_HZ", "wrong-" + SECRETS[2])
    monkeypatch.setenv("ECPT_PASSWORD", SECRETS[0] + "-wrong")
    assert main(["-v", "collect", str(inventory), "--record", str(tmp_path / "failed"), "--timeout", "5"]) == 3

    out, err = capsys.readouterr()
    # our side's logs: ecpartner, netmiko, paramiko (the fake devices' own server logs are the device's business)
    logs = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("fakenos"))
    recorded = b"\n".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.name != "inventory.yaml")
    assert b"sysname hz-acc-01" in recorded and b"hostname sh-acc-02" in recorded
    assert b"snmp-server community <removed> RO" in recorded
    for secret in SECRETS:
        assert secret not in out and secret not in err, secret
        assert secret not in logs, secret
        assert secret.encode() not in recorded, secret


def test_recording_twice_leaves_nothing_behind_and_is_not_owner_only(lab, tmp_path, env):
    inventory = write_inventory(tmp_path, [lab.device("hz-acc-01")])
    record = tmp_path / "rec"
    for _ in range(2):
        assert main(["collect", str(inventory), "--record", str(record)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert record.stat().st_mode & 0o055 == 0o055 & ~_umask()


def _umask() -> int:
    import os
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_platform_without_templates_is_not_recorded_and_the_rest_is(lab, tmp_path, env, capsys, unsupported_platform):
    # never contacted: there is nothing to run on a platform without templates/<platform>/commands.yaml
    edge = {"name": "edge-01", "host": "127.0.0.1", "platform": unsupported_platform, "role": "edge",
            "credentials": "default"}
    inventory = write_inventory(tmp_path, [lab.device("hz-acc-01"), edge])
    record = tmp_path / "rec"
    assert main(["collect", str(inventory), "--record", str(record)]) == 3
    assert f"edge-01: not recorded: platform {unsupported_platform} is not supported yet" in capsys.readouterr().err
    assert (record / "devices" / "hz-acc-01" / "display_current_configuration.txt").is_file()
    assert not (record / "devices" / "edge-01").exists()
