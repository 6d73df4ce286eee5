"""Reading a recorded fleet never follows a link out of it: such a recording is that device's error."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ecpartner.cli import main

CLEAN = Path(__file__).resolve().parents[2] / "fixtures" / "clean"


def _reachable(capsys) -> dict[str, dict]:
    report = json.loads(capsys.readouterr().out)
    return {f["subject"]["device"]: f for f in report["findings"] if f["rule"] == "device-reachable"}


@pytest.mark.parametrize("linked", ["devices/bj-acc-01/display_current_configuration.txt",
                                    "snmp/bj-acc-01.snmprec", "devices/bj-acc-01"])
def test_a_link_out_of_the_fleet_is_not_followed(tmp_path, capsys, linked):
    fleet = tmp_path / "fleet"
    shutil.copytree(CLEAN, fleet)
    outside = tmp_path / "elsewhere"
    shutil.move(fleet / linked, outside)                 # the same bytes, now outside the fleet
    os.symlink(outside, fleet / linked)
    assert main(["check", str(fleet / "inventory.yaml"), "--format", "json"]) == 3
    found = _reachable(capsys)
    assert found["bj-acc-01"]["status"] == "error"
    assert "leads out of the recorded fleet" in found["bj-acc-01"]["message"] + str(found["bj-acc-01"]["actual"])
    assert found["bj-acc-02"]["status"] == "pass"


def test_a_link_inside_the_fleet_is_read(tmp_path, capsys):
    fleet = tmp_path / "fleet"
    shutil.copytree(CLEAN, fleet)
    recording = fleet / "devices" / "bj-acc-01" / "display_current_configuration.txt"
    shutil.move(recording, fleet / "kept.txt")
    os.symlink("../../kept.txt", recording)
    assert main(["check", str(fleet / "inventory.yaml"), "--format", "json"]) == 0
    assert _reachable(capsys)["bj-acc-01"]["status"] == "pass"


def test_a_telemetry_series_linked_from_outside_is_refused(tmp_path, capsys):
    demo = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
    fleet = tmp_path / "fleet"
    shutil.copytree(demo, fleet)
    series = sorted((fleet / "telemetry").glob("*.csv"))[0]
    outside = tmp_path / "elsewhere.csv"
    shutil.move(series, outside)
    os.symlink(outside, series)
    assert main(["telemetry", "report", str(fleet / "inventory.yaml"), "--format", "json"]) == 2
    assert f"{series}: leads out of the recorded fleet" in capsys.readouterr().err
