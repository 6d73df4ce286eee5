"""`ecpartner check` exit codes, formats and output files, end to end through the CLI."""

from __future__ import annotations

import re
import json
import shutil
import xml.etree.ElementTree as ET

import pytest


@pytest.mark.parametrize("fmt, probe", [
    ("json", lambda text: json.loads(text)["summary"]["exit_code"] == 3),
    ("junit", lambda text: ET.fromstring(text).tag in ("testsuites", "testsuite")),
    ("markdown", lambda text: "| vlan-unique |" in text or "vlan-unique" in text),
    ("html", lambda text: text.lstrip().lower().startswith("<!doctype html") and "config-drift" in text),
    ("table", lambda text: "device-reachable" in text),
])
def test_every_format_writes_a_file(run, demo_inventory, tmp_path, fmt, probe):
    out = tmp_path / f"report.{fmt}"
    code, stdout, _ = run("check", demo_inventory, "--format", fmt, "--output", out)
    assert code == 3 and stdout == ""
    assert probe(out.read_text(encoding="utf-8"))


def test_bad_inventory_is_exit_2_with_file_line_and_leaves_output_untouched(run, demo_inventory, tmp_path):
    fleet = tmp_path / "fleet"
    shutil.copytree(demo_inventory.parent, fleet)
    inventory = fleet / "inventory.yaml"
    text = inventory.read_text().replace("vlan: 101,", "vlan: abc,").replace("  - name: sh-agg-01", "  - nmae: sh-agg-01")
    inventory.write_text(text)
    report = tmp_path / "report.json"
    report.write_text("previous report")
    code, stdout, stderr = run("check", inventory, "--format", "json", "--output", report)
    assert code == 2 and stdout == ""
    line_vlan = next(i for i, line in enumerate(text.splitlines(), 1) if "vlan: abc" in line)
    assert f"inventory.yaml:{line_vlan}: hosted_connections[1].vlan: 'abc' is not an integer" in stderr
    assert "unknown key 'nmae' (did you mean 'name'?)" in stderr
    assert "Traceback" not in stderr
    assert report.read_text() == "previous report"


def test_unknown_rule_in_only_is_exit_2(run, demo_inventory):
    code, _, stderr = run("check", demo_inventory, "--only", "vlan-unique,vlan-uniq")
    assert code == 2 and "unknown rule id vlan-uniq; did you mean vlan-unique?" in stderr
    code, _, stderr = run("check", demo_inventory, "--only", "telemetry-utilisation,zzzz")
    assert code == 2 and "unknown rule id telemetry-utilisation; did you mean telemetry-utilization?" in stderr
    assert "unknown rule id zzzz\n" in stderr                 # nothing close: no guess
    assert "known rule ids: carrier-eligible," in stderr


def test_only_selects_rules_and_inventory_rules_need_no_devices(run, demo_inventory, tmp_path):
    # without device recordings, inventory-only rules still run (no collection happens)
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    shutil.copy(demo_inventory, fleet / "inventory.yaml")
    code, out, _ = run("check", fleet / "inventory.yaml", "--only", "vlan-unique,circuit-capacity", "--format", "json")
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert rules == {"vlan-unique", "circuit-capacity"} and code == 1


def test_missing_fixture_directory_is_exit_2(run, demo_inventory, tmp_path):
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    shutil.copy(demo_inventory, fleet / "inventory.yaml")
    code, _, stderr = run("check", fleet / "inventory.yaml")
    assert code == 2 and "no recorded fleet here" in stderr


def test_output_in_missing_directory_is_exit_2(run, clean_inventory, tmp_path):
    code, _, stderr = run("check", clean_inventory, "--output", tmp_path / "nope" / "r.json")
    assert code == 2 and "cannot write report" in stderr
    assert not (tmp_path / "nope").exists()


def test_unknown_format_is_usage_error(run, clean_inventory):
    with pytest.raises(SystemExit) as e:
        run("check", clean_inventory, "--format", "pdf")
    assert e.value.code == 2


def test_missing_inventory_is_exit_2(run, tmp_path):
    code, _, stderr = run("check", tmp_path / "absent.yaml")
    assert code == 2 and "absent.yaml" in stderr


def test_garbage_device_output_is_exit_3_and_others_still_checked(run, clean_inventory, tmp_path):
    fleet = tmp_path / "fleet"
    shutil.copytree(clean_inventory.parent, fleet)
    (fleet / "devices" / "bj-acc-02" / "show_running_config.txt").write_bytes(b"\x00\x01garbage\xff\n% Invalid input\n")
    code, out, _ = run("check", fleet / "inventory.yaml", "--format", "json")
    findings = json.loads(out)["findings"]
    reach = {f["subject"]["device"]: f for f in findings if f["rule"] == "device-reachable"}
    assert code == 3
    assert reach["bj-acc-02"]["status"] == "error" and "bj-acc-02" in reach["bj-acc-02"]["message"]
    assert reach["bj-acc-01"]["status"] == "pass"
    assert [f["status"] for f in findings if f["rule"] == "qos-bandwidth-limit"
            and f["subject"]["device"] == "bj-acc-01"] == ["pass", "pass"]


def test_missing_recording_names_the_expected_file(run, clean_inventory, tmp_path):
    fleet = tmp_path / "fleet"
    shutil.copytree(clean_inventory.parent, fleet)
    (fleet / "devices" / "bj-acc-01" / "display_current_configuration.txt").unlink()
    code, out, _ = run("check", fleet / "inventory.yaml", "--format", "json", "--only", "device-reachable")
    (finding,) = [f for f in json.loads(out)["findings"] if f["subject"]["device"] == "bj-acc-01"]
    assert code == 3 and "display_current_configuration.txt" in finding["message"]


def test_platform_without_templates_is_one_unreachable_device_not_a_failed_run(run, clean_inventory, tmp_path,
                                                                               unsupported_platform):
    fleet = tmp_path / "fleet"
    shutil.copytree(clean_inventory.parent, fleet)
    inventory = fleet / "inventory.yaml"
    inventory.write_text(inventory.read_text().replace(
        "devices:\n", f"devices:\n  - {{name: edge-01, host: 192.0.2.9, platform: {unsupported_platform}, role: edge, "
                      "credentials: default}\n", 1))
    code, out, _ = run("check", inventory, "--format", "json")
    findings = json.loads(out)["findings"]
    (edge,) = [f for f in findings if f["rule"] == "device-reachable" and f["subject"]["device"] == "edge-01"]
    assert code == 3 and edge["status"] == "error"
    assert f"platform {unsupported_platform} is not supported yet" in edge["message"]
    assert all(f["status"] == "pass" for f in findings
               if f["rule"] == "qos-bandwidth-limit")      # the supported devices are still checked


def test_verbose_turns_the_compact_table_into_the_detailed_text(run, demo_inventory, monkeypatch):
    code, compact, _ = run("check", demo_inventory)
    assert code == 3 and compact.splitlines()[1].split() == ["SEV", "STATUS", "RULE", "SUBJECT", "MESSAGE"]
    code, detailed, _ = run("-v", "check", demo_inventory)
    assert code == 3 and re.search(r"^PROBLEMS \(\d+\)$", detailed, re.M) and "expected: " in detailed
    code, text, _ = run("check", demo_inventory, "--format", "text")
    assert text.splitlines()[2:] == detailed.splitlines()[2:]          # the same report, bar the time stamp


def test_table_colour_only_on_a_terminal_without_no_color(run, demo_inventory, monkeypatch):
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, coloured, _ = run("check", demo_inventory)
    monkeypatch.setenv("NO_COLOR", "1")
    _, plain, _ = run("check", demo_inventory)
    assert "\033[31m" in coloured and "\033[" not in plain
