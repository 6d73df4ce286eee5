"""`collect --record DIR` touches nothing in DIR but the recording (inventory.yaml, devices/, snmp/), writes
nothing outside DIR, and replaces an earlier recording whole. These runs need no device to answer: the one
device is on a closed port, so collection fails fast and the recording still happens (exit 3)."""

from __future__ import annotations

import os

import pytest

from helpers.labdata import ENV, write_inventory
from ecpartner.cli import main


@pytest.fixture
def env(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def _inventory(lab, directory):
    entry = lab.device("hz-acc-01", port=lab.closed_tcp)
    del entry["snmp"]
    return write_inventory(directory, [entry])


def _tree(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_recording_into_the_inventorys_own_folder_keeps_everything_else(lab, tmp_path, env, monkeypatch, capsys):
    work = tmp_path / "repo"
    work.mkdir()
    _inventory(lab, work)
    (work / ".git").mkdir()
    (work / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (work / "notes.md").write_text("keep me\n")
    (work / "telemetry").mkdir()
    (work / "telemetry" / "series.csv").write_text("time\n")
    (work / "telemetry.sqlite").write_bytes(b"SQLite format 3\x00")
    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    outside = _tree(tmp_path)
    monkeypatch.chdir(work)

    assert main(["collect", "inventory.yaml", "--record", "."]) == 3      # the one device is unreachable
    assert "recorded 0 of 1 devices" in capsys.readouterr().err
    for path, data in before.items():
        assert path.read_bytes() == data, path                            # .git, notes, telemetry untouched
    assert (work / "devices").is_dir() and (work / ".ecpartner-recording").is_file()
    assert sorted(set(_tree(tmp_path)) - set(outside)) == ["repo/.ecpartner-recording", "repo/devices"]

    assert main(["collect", "inventory.yaml", "--record", "."]) == 3      # and again, over its own recording
    for path, data in before.items():
        assert path.read_bytes() == data, path


def test_a_new_recording_replaces_the_old_one_and_nothing_beside_it(lab, tmp_path, env):
    inventory = _inventory(lab, tmp_path)
    record = tmp_path / "rec"
    assert main(["collect", str(inventory), "--record", str(record)]) == 3
    (record / "devices" / "gone-01").mkdir()
    (record / "devices" / "gone-01" / "display_current_configuration.txt").write_text("old\n")
    (record / "snmp").mkdir()
    (record / "snmp" / "gone-01.snmprec").write_text("1.3.6.1.2.1.1.3.0|67|1\n")
    (record / "notes.md").write_text("mine\n")
    assert main(["collect", str(inventory), "--record", str(record)]) == 3
    assert _tree(record) == [".ecpartner-recording", "devices", "inventory.yaml", "notes.md"]
    assert (record / "notes.md").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.yaml", "rec"]   # no staging left anywhere


@pytest.mark.parametrize("setup, entry", [
    (lambda d: (d / "devices").mkdir() or (d / "devices" / "README").write_text("mine\n"), "devices"),
    (lambda d: (d / "inventory.yaml").write_text("partner: {}\n"), "inventory.yaml"),
    (lambda d: (d / "snmp").mkdir() or (d / "snmp" / "x.txt").write_text("mine\n"), "snmp"),
    (lambda d: os.symlink(d.parent, d / "devices"), "devices"),
])
def test_entries_that_are_not_a_recording_make_it_refuse_before_any_connection(lab, tmp_path, env, capsys,
                                                                               setup, entry):
    inventory = _inventory(lab, tmp_path)
    target = tmp_path / "precious"
    target.mkdir()
    setup(target)
    before = {p: (p.read_bytes() if p.is_file() else None) for p in target.rglob("*")}
    seen = len(lab.fake.seen)
    assert main(["collect", str(inventory), "--record", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"--record {target}: {entry} there is" in err and "refusing to replace it" in err
    assert {p: (p.read_bytes() if p.is_file() else None) for p in target.rglob("*")} == before
    assert len(lab.fake.seen) == seen


def test_a_file_in_place_of_the_directory_is_refused(lab, tmp_path, env, capsys):
    inventory = _inventory(lab, tmp_path)
    (tmp_path / "rec").write_text("a file\n")
    assert main(["collect", str(inventory), "--record", str(tmp_path / "rec")]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    assert (tmp_path / "rec").read_text() == "a file\n"
