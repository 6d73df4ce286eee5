"""Run-to-run diff (issue 14.3): `ecpartner diff OLD.json NEW.json` and `check --baseline OLD.json`."""

from __future__ import annotations

import json
import shutil

import pytest

from ecpartner.cli import main
from ecpartner.findings import subject
from ecpartner.report.diff import compare

RULES = "vlan-range,spec-valid,vlan-unique"


def _f(rule, status, severity="error", message="m", actual=None, **subj):
    return {"rule": rule, "status": status, "severity": severity, "subject": subject(**subj),
            "message": message, "expected": None, "actual": actual, "requirement": ""}


def test_new_resolved_changed_and_unchanged_problems_by_rule_and_subject():
    old = [_f("vlan-range", "fail", hosted_connection="a", circuit="c1"),
           _f("spec-valid", "fail", "warning", "5G", "5G", hosted_connection="b"),
           _f("qos-bandwidth-limit", "fail", hosted_connection="c", device="d1", interface="Gi0/1.7"),
           _f("vlan-unique", "pass", hosted_connection="e", circuit="c1")]
    new = [_f("vlan-range", "pass", hosted_connection="a", circuit="c1"),              # resolved: passes now
           _f("spec-valid", "fail", "warning", "8G", "8G", hosted_connection="b"),     # changed
           _f("qos-bandwidth-limit", "fail", hosted_connection="c", device="d1", interface="Gi0/1.7"),  # same
           _f("vlan-unique", "fail", hosted_connection="e", circuit="c1")]             # new: was a pass
    d = compare(old, new)
    assert [f["subject"]["hosted_connection"] for f in d.new] == ["e"]
    assert [f["subject"]["hosted_connection"] for f in d.resolved] == ["a"]
    assert [(o["message"], n["message"]) for o, n in d.changed] == [("5G", "8G")]
    assert d.unchanged == 1
    assert d.new_errors == d.new


def test_region_and_tenant_are_part_of_the_key():
    """ha-spread findings are per tenant, circuit-redundancy per region: the four keys alone are all None."""
    old = [_f("ha-spread", "fail", tenant="1100000000000002"), _f("circuit-redundancy", "fail", region="cn-hangzhou")]
    new = [_f("ha-spread", "fail", tenant="1100000000000003"), _f("circuit-redundancy", "fail", region="cn-hangzhou")]
    d = compare(old, new)
    assert [f["subject"]["tenant"] for f in d.new] == ["1100000000000003"]
    assert [f["subject"]["tenant"] for f in d.resolved] == ["1100000000000002"]
    assert d.unchanged == 1


def test_a_warning_that_becomes_an_error_is_a_new_error():
    d = compare([_f("spec-valid", "fail", "warning", hosted_connection="b")],
                [_f("spec-valid", "fail", "error", hosted_connection="b")])
    assert not d.new and len(d.changed) == 1 and len(d.new_errors) == 1


@pytest.fixture
def two_runs(tmp_path, demo_inventory):
    """The demo's report, then the demo edited: pc-hc05's VLAN fixed (resolved), pc-hc01 given VLAN 3005
    (a new error), pc-hc07 from 5G to 8G (its spec warning changed)."""
    fleet = tmp_path / "fleet"
    shutil.copytree(demo_inventory.parent, fleet)
    old = tmp_path / "old.json"
    assert main(["check", str(fleet / "inventory.yaml"), "--only", RULES, "--format", "json", "--output", str(old)]) == 1
    inv = fleet / "inventory.yaml"
    text = inv.read_text(encoding="utf-8")
    for before, after in (("vlan: 3001, bandwidth: 100M", "vlan: 2001, bandwidth: 100M"),
                          ("pc-hz01, tenant: \"1987654321098765\", vlan: 100,", "pc-hz01, tenant: \"1987654321098765\", vlan: 3005,"),
                          ("vlan: 200, bandwidth: 5G", "vlan: 200, bandwidth: 8G")):
        assert before in text
        text = text.replace(before, after)
    inv.write_text(text, encoding="utf-8")
    new = tmp_path / "new.json"
    assert main(["check", str(inv), "--only", RULES, "--format", "json", "--output", str(new)]) == 1
    return old, new, inv


def test_diff_cli_json_names_each_kind_and_exits_1_on_a_new_error(two_runs, capsys):
    old, new, _ = two_runs
    capsys.readouterr()
    assert main(["diff", str(old), str(new), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert (doc["old_report"], doc["new_report"]) == (str(old), str(new))
    assert [(f["rule"], f["subject"]["hosted_connection"]) for f in doc["new"]] == [("vlan-range", "pc-hc01")]
    assert [(f["rule"], f["subject"]["hosted_connection"]) for f in doc["resolved"]] == [("vlan-range", "pc-hc05")]
    assert [(c["new"]["rule"], c["new"]["subject"]["hosted_connection"], c["new"]["actual"]) for c in doc["changed"]] \
        == [("spec-valid", "pc-hc07", "8G")]
    assert doc["new"][0]["subject"]["region"] == "cn-hangzhou" and doc["new"][0]["subject"]["tenant"] == "1987654321098765"
    assert doc["summary"] == {"new": 1, "resolved": 1, "changed": 1, "unchanged": doc["summary"]["unchanged"],
                              "new_errors": 1}


def test_diff_table_the_other_way_round_and_a_report_against_itself_exits_0(two_runs, capsys):
    old, new, _ = two_runs
    capsys.readouterr()
    assert main(["diff", str(new), str(old)]) == 1
    out = capsys.readouterr().out
    assert "1 new, 1 resolved, 1 changed" in out
    assert "NEW      error   vlan-range  circuit pc-hz02, connection pc-hc05" in out
    assert "RESOLVED error   vlan-range  circuit pc-hz01, connection pc-hc01" in out
    assert "CHANGED  warning spec-valid  circuit pc-hz02, connection pc-hc07: " in out
    assert main(["diff", str(old), str(old)]) == 0
    assert "0 new, 0 resolved, 0 changed" in capsys.readouterr().out


def test_diff_markdown_has_the_three_sections(two_runs, capsys):
    old, new, _ = two_runs
    capsys.readouterr()
    main(["diff", str(old), str(new), "--format", "markdown"])
    out = capsys.readouterr().out
    assert "## New (1)" in out and "## Resolved (1)" in out and "## Changed (1)" in out
    assert "actual 5G -> 8G" in out


def test_check_baseline_marks_every_finding_in_json_and_lists_the_resolved(two_runs, capsys):
    old, _, inv = two_runs
    capsys.readouterr()
    assert main(["check", str(inv), "--only", RULES, "--format", "json", "--baseline", str(old)]) == 1
    doc = json.loads(capsys.readouterr().out)
    marks = {(f["rule"], f["subject"]["hosted_connection"]): f["baseline"] for f in doc["findings"]}
    assert set(marks.values()) == {"new", "known"}
    assert marks["vlan-range", "pc-hc01"] == "new"            # was a pass
    assert marks["vlan-range", "pc-hc05"] == "new"            # a pass now, a fail then
    assert marks["vlan-unique", "pc-hc07"] == "known"
    assert marks["spec-valid", "pc-hc07"] == "known"          # same key and status; the message changed
    assert [(f["rule"], f["subject"]["hosted_connection"]) for f in doc["baseline"]["resolved"]] == [("vlan-range", "pc-hc05")]
    assert {"inventory", "generated_at", "summary", "findings"} <= set(doc)      # the contract's keys stay


@pytest.mark.parametrize("fmt, probe", [("text", "FAIL  error   vlan-range [new]"),
                                        ("table", "baseline "),
                                        ("markdown", "| new | fail | error | vlan-range |"),
                                        ("junit", '<property name="baseline" value="new" />'),
                                        ("html", '<td class="mark-new">new</td>')])
def test_check_baseline_marks_findings_in_every_format(two_runs, capsys, fmt, probe):
    old, _, inv = two_runs
    capsys.readouterr()
    main(["check", str(inv), "--only", RULES, "--format", fmt, "--baseline", str(old)])
    assert probe in capsys.readouterr().out


@pytest.mark.parametrize("content, message", [("{not json", "old.json:1: not a JSON check report"),
                                              ('{"findings": 3}', "old.json: not a check report"),
                                              ('[1, 2]', "old.json: not a check report")])
def test_a_bad_report_is_exit_2_naming_the_file(tmp_path, capsys, demo_inventory, content, message):
    bad = tmp_path / "old.json"
    bad.write_text(content, encoding="utf-8")
    assert main(["diff", str(bad), str(bad)]) == 2
    assert message in capsys.readouterr().err
    assert main(["check", str(demo_inventory), "--baseline", str(bad)]) == 2
    assert message in capsys.readouterr().err
    assert main(["diff", str(tmp_path / "missing.json"), str(bad)]) == 2
    assert "missing.json: cannot read the report" in capsys.readouterr().err


def test_check_baseline_html_lists_the_resolved(two_runs, capsys):
    old, _, inv = two_runs
    capsys.readouterr()
    main(["check", str(inv), "--only", RULES, "--format", "html", "--baseline", str(old)])
    page = capsys.readouterr().out
    assert "<summary>1 resolved since the baseline</summary><ul><li>vlan-range circuit pc-hz02, connection pc-hc05:" in page
