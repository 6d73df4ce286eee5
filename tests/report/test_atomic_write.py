"""Reports are written whole or not at all: never a half-written file, never a stray temp file."""

from __future__ import annotations

import os
import stat

import pytest

from ecpartner import atomic
from ecpartner.atomic import write_bytes_atomic, write_text_atomic
from ecpartner.errors import InputError
from ecpartner.commands.output import write_output


def test_write_over_an_existing_file_replaces_it_whole(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old content that is much longer than the new one\n" * 100)
    write_output('{"new": true}\n', str(target), "report")
    assert target.read_text() == '{"new": true}\n'
    assert os.listdir(tmp_path) == ["report.json"]


def test_text_is_written_exactly_utf8_without_newline_translation(tmp_path):
    target = tmp_path / "r.md"
    write_text_atomic(target, "a\r\nb\n华为\n")
    assert target.read_bytes() == "a\r\nb\n华为\n".encode("utf-8")


def test_new_file_gets_normal_permissions_and_existing_keeps_its_own(tmp_path):
    fresh = tmp_path / "fresh.txt"
    write_text_atomic(fresh, "x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~atomic._UMASK     # not mkstemp's 0600
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    write_text_atomic(kept, "new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() == "new"


def test_failing_replace_leaves_the_original_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("original")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(InputError) as caught:
        write_output("<html>new</html>", str(target), "report")
    assert str(caught.value) == f"{target}: cannot write report: Permission denied"
    assert target.read_text() == "original"
    assert os.listdir(tmp_path) == ["report.html"]


def test_disk_full_during_write_leaves_the_original_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "report.xml"
    target.write_text("original")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(InputError, match="No space left on device"):
        write_output("<testsuites/>", str(target), "report")
    assert target.read_text() == "original"
    assert os.listdir(tmp_path) == ["report.xml"]


def test_interrupted_write_cleans_up_and_propagates(tmp_path, monkeypatch):
    target = tmp_path / "out.json"

    def interrupt(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_bytes_atomic(target, b"{}")
    assert os.listdir(tmp_path) == []


def test_missing_directory_is_an_input_error_naming_the_path(tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "report.json"
    with pytest.raises(InputError) as caught:
        write_output("{}", str(target), "report")
    message = str(caught.value)
    assert message.startswith(f"{target}: cannot write report: ")
    assert "does not exist" in message
    assert not (tmp_path / "no").exists()


def test_parent_that_is_a_file_is_an_input_error(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("keep me")
    with pytest.raises(InputError, match="file.txt/report.json: cannot write report"):
        write_output("{}", str(blocker / "report.json"), "report")
    assert blocker.read_text() == "keep me"


def test_target_that_is_a_directory_is_an_input_error_and_leaves_no_temp(tmp_path):
    (tmp_path / "reports").mkdir()
    with pytest.raises(InputError, match="reports: cannot write report"):
        write_output("{}", str(tmp_path / "reports"), "report")
    assert os.listdir(tmp_path) == ["reports"]


def test_no_path_or_dash_writes_to_stdout(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_output("hello\n", None, "report")
    write_output("again\n", "-", "report")
    assert capsys.readouterr().out == "hello\nagain\n"
    assert os.listdir(tmp_path) == []
