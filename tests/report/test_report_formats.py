"""Each findings format says what matters, escapes what it must and stays machine-readable."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone

import pytest

from ecpartner.errors import InputError
from ecpartner.findings import Finding, subject
from ecpartner.report import render_report

NASTY = 'description <script>alert("x")</script> | pipe & amp\nsecond line'
GENERATED = datetime(2026, 11, 26, 16, 0, tzinfo=timezone(timedelta(hours=8)))   # 08:00Z


def _findings() -> list[Finding]:
    return [
        Finding("vlan-unique", "pass", "error", subject(circuit="pc-c1", hosted_connection="pc-h1"),
                "VLAN 100 is unique on pc-c1", "a VLAN unused on pc-c1", 100, "VLAN planning"),
        Finding("vlan-unique", "fail", "error", subject(circuit="pc-c1", hosted_connection="pc-h2"),
                "VLAN 100 is already used by pc-h1 on circuit pc-c1 " + "and so on " * 12,
                "a VLAN unused on pc-c1", {100, 7}, "VLAN planning"),
        Finding("spec-valid", "fail", "warning", subject(hosted_connection="pc-h3"),
                "2G and above needs allowlisting", ("50M", "1G"), "2G", "API reference"),
        Finding("device-reachable", "error", "error", subject(device="hz-acc-01"),
                "hz-acc-01: SSH timed out after 30 s", "reachable", None, ""),
        Finding("config-drift", "fail", "error",
                subject(device="hz-acc-01", interface="GigabitEthernet0/0/1.100", circuit="pc-c1"),
                NASTY, "dot1q 100", datetime(2026, 11, 26, 8, 0), "Modify the VLAN ID"),
        Finding("carrier-eligible", "pass", "error", subject(), "China Telecom is eligible",
                "an eligible carrier", "China Telecom", "Apply for permissions"),
    ]


def render(fmt: str, findings: list[Finding] | None = None) -> str:
    return render_report(fmt, _findings() if findings is None else findings, "fleet/inventory.yaml", GENERATED)


# --- json -------------------------------------------------------------------------------------------------

def test_json_is_the_contract_object_with_every_finding():
    doc = json.loads(render("json"))
    assert list(doc) == ["inventory", "generated_at", "summary", "findings"]
    assert doc["inventory"] == "fleet/inventory.yaml"
    assert doc["generated_at"] == "2026-11-26T08:00:00Z"
    assert doc["summary"] == {"pass": 2, "fail": 3, "error": 1, "warnings": 1, "exit_code": 3}
    assert len(doc["findings"]) == 6                   # passes included
    for item in doc["findings"]:
        assert set(item) == {"rule", "status", "severity", "subject", "message", "expected", "actual",
                             "requirement"}
        # the contract's four keys, and the extension's region and tenant: always there, null if they do not apply
        assert set(item["subject"]) == {"circuit", "hosted_connection", "device", "interface", "region", "tenant"}
    assert doc["findings"][3]["subject"] == {"circuit": None, "hosted_connection": None,
                                             "device": "hz-acc-01", "interface": None,
                                             "region": None, "tenant": None}


def test_json_serializes_sets_tuples_and_datetimes():
    found = json.loads(render("json"))["findings"]
    assert found[1]["actual"] == [7, 100]                      # a set, sorted for stable output
    assert found[2]["expected"] == ["50M", "1G"]
    assert found[4]["actual"] == "2026-11-26T08:00:00"
    assert found[4]["message"] == NASTY                        # JSON keeps text exactly, escaping is its own


def test_json_naive_generated_at_is_taken_as_utc_and_nan_is_not_emitted():
    odd = [Finding("telemetry-drops", "fail", "error", subject(hosted_connection="h"), "m",
                   0.001, float("nan"), "Traffic monitoring"),
           Finding("x", "pass", "info", subject(), "m", date(2026, 1, 2), frozenset({"b", "a"}))]
    text = render_report("json", odd, "inv.yaml", datetime(2026, 11, 26, 8, 0))
    doc = json.loads(text)
    assert doc["generated_at"] == "2026-11-26T08:00:00Z"
    assert "NaN" not in text.replace('"nan"', "")
    assert doc["findings"][0]["actual"] == "nan"
    assert doc["findings"][1]["expected"] == "2026-01-02" and doc["findings"][1]["actual"] == ["a", "b"]


def test_json_of_no_findings_is_compliant():
    doc = json.loads(render("json", []))
    assert doc["summary"] == {"pass": 0, "fail": 0, "error": 0, "warnings": 0, "exit_code": 0}
    assert doc["findings"] == []


# --- junit ------------------------------------------------------------------------------------------------

def test_junit_has_a_suite_per_rule_and_a_case_per_finding():
    root = ET.fromstring(render("junit").encode("utf-8"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["vlan-unique", "spec-valid", "device-reachable", "config-drift",
                                               "carrier-eligible"]
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 6
    assert all(c.get("classname") == c.get("name").split(" ")[0] for c in cases)
    assert root.find("testsuite[@name='vlan-unique']").get("tests") == "2"
    assert root.find("testsuite[@name='vlan-unique']").get("failures") == "1"


def test_junit_failures_errors_and_warnings():
    root = ET.fromstring(render("junit").encode("utf-8"))
    by_name = {c.get("name"): c for c in root.iter("testcase")}
    assert list(by_name["vlan-unique circuit pc-c1, connection pc-h1"]) == []          # a pass: empty case
    failure = by_name["vlan-unique circuit pc-c1, connection pc-h2"].find("failure")
    assert failure.get("type") == "error"
    assert "expected: a VLAN unused on pc-c1" in failure.text and "actual: [7, 100]" in failure.text
    # a warning does not fail the run (exit 0), so it does not fail the CI job: shown, not a <failure>
    warning = by_name["spec-valid connection pc-h3"]
    assert warning.find("failure") is None and warning.find("error") is None
    assert warning.find("system-out").text.startswith("WARNING (failed): 2G and above needs allowlisting")
    assert {p.get("name"): p.get("value") for p in warning.iter("property")} == {"severity": "warning",
                                                                                 "status": "fail"}
    spec = root.find("testsuite[@name='spec-valid']")
    assert spec.get("failures") == "0" and spec.find("properties/property[@name='warnings']").get("value") == "1"
    assert (root.get("failures"), root.get("errors")) == ("2", "1")       # vlan-unique, config-drift; ssh
    error = by_name["device-reachable hz-acc-01"].find("error")
    assert error is not None and error.get("message") == "hz-acc-01: SSH timed out after 30 s"
    assert by_name["device-reachable hz-acc-01"].find("failure") is None
    assert "carrier-eligible" in by_name                           # all-null subject: the rule alone


def test_junit_testcase_names_are_unique_with_region_tenant_and_numbering():
    findings = [Finding("circuit-redundancy", "fail", "error", subject(region=r), "one circuit") for r in
                ("cn-hangzhou", "cn-shanghai")]
    findings += [Finding("ha-spread", "fail", "error", subject(tenant=t), "one circuit") for t in ("111", "222")]
    findings += [Finding("icmp-rate-limit", "pass", "error", subject(device="d1"), "ok")] * 3   # alike
    root = ET.fromstring(render("junit", findings).encode("utf-8"))
    names = [c.get("name") for c in root.iter("testcase")]
    assert names == ["circuit-redundancy region cn-hangzhou", "circuit-redundancy region cn-shanghai",
                     "ha-spread tenant 111", "ha-spread tenant 222",
                     "icmp-rate-limit d1", "icmp-rate-limit d1 (2)", "icmp-rate-limit d1 (3)"]


def test_subject_text_names_region_and_tenant_only_where_nothing_else_implies_them():
    from ecpartner.report.common import subject_text

    assert subject_text(subject(region="cn-hangzhou")) == "region cn-hangzhou"
    assert subject_text(subject(tenant="111")) == "tenant 111"
    full = subject(circuit="pc-c1", hosted_connection="pc-h1", device="d", interface="i",
                   region="cn-hangzhou", tenant="111")
    assert subject_text(full) == "d i, circuit pc-c1, connection pc-h1"


def test_junit_escapes_markup_and_control_characters():
    findings = _findings()
    findings.append(Finding("config-drift", "fail", "error", subject(device="d\x1b[31m"), "bad\x00byte"))
    text = render("junit", findings)
    root = ET.fromstring(text.encode("utf-8"))                   # would raise on raw <script> or \x00
    drift = [c for c in root.iter("testcase") if c.find("failure") is not None
             and c.get("classname") == "config-drift"]
    assert drift[0].find("failure").get("message") == NASTY      # round-trips exactly, newline included
    assert "<script>" not in text
    assert drift[1].find("failure").get("message") == "bad\\x00byte"


# --- html -------------------------------------------------------------------------------------------------

def test_html_is_self_contained_and_runs_only_its_own_script():
    page = render("html")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", page, re.I)
    assert "@import" not in page and "url(" not in page
    assert "<link" not in page
    # one inline script, admitted by its hash: nothing else that got into the page could run
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1 and page.lower().count("<script") == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert f"script-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp and "unsafe-inline'; script" in csp


def test_html_escapes_every_text_value():
    page = render("html")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; | pipe &amp; amp" in page
    hostile = [Finding("<b>rule</b>", "fail", "error", subject(device='"><img src=x>'), "m",
                       requirement="<i>req</i>")]
    page = render("html", hostile)
    assert "<b>" not in page and "<img" not in page and "<i>" not in page
    assert "&lt;b&gt;rule&lt;/b&gt;" in page and "&quot;&gt;&lt;img src=x&gt;" in page


def test_html_lists_problems_first_and_counts_passes_per_rule_without_listing_them():
    page = render("html")
    problems = page[page.index('<section id="problems">'):page.index('<section id="rules">')]
    severities = re.findall(r'<tr class="sev-(\w+)">', problems)
    assert severities == ["error", "error", "error", "warning"]      # errors before warnings
    assert "VLAN 100 is unique on pc-c1" not in page                 # a pass is counted, not listed
    rules = page[page.index('<section id="rules">'):]
    assert re.search(r'<td>vlan-unique</td><td>VLAN planning</td><td data-v="1">1</td>'
                     r'<td data-v="1">1</td><td data-v="0">0</td>', rules)
    assert "2G and above needs allowlisting" in problems and "50M, 1G" in problems   # expected, for people


# --- markdown ---------------------------------------------------------------------------------------------

def _table_rows(text: str, header: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def _cells(row: str) -> list[str]:
    return re.split(r"(?<!\\)\|", row)[1:-1]          # split on unescaped pipes only


def test_markdown_rule_table_and_summary():
    text = render("markdown")
    assert text.startswith("# ")
    assert "**Summary:** 2 pass, 3 fail, 1 error, 1 warnings; exit code 3" in text
    rows = _table_rows(text, "| Rule | Requirement | Pass | Fail | Error |")
    assert [c.strip() for c in _cells(rows[0])] == ["vlan-unique", "VLAN planning", "1", "1", "0"]
    assert len(rows) == 5


def test_markdown_problem_cells_escape_pipes_newlines_and_markup():
    text = render("markdown")
    rows = _table_rows(text, "| Status | Severity | Rule | Subject | Message | Expected | Actual |")
    assert len(rows) == 4
    assert all(len(_cells(r)) == 7 for r in rows)              # an unescaped pipe would add a column
    drift = next(r for r in rows if "config-drift" in r)
    assert r'\<script>alert("x")\</script> \| pipe & amp<br>second line' in drift
    assert "&lt;" not in text and "&amp;" not in text          # readable source, not HTML entities
    assert [c.strip() for c in _cells(rows[0])][:3] == ["fail", "error", "vlan-unique"]   # errors first
    assert [c.strip() for c in _cells(rows[-1])][:2] == ["fail", "warning"]


def test_markdown_reads_as_written_and_renders_safely():
    """`>= 2` stays `>= 2` (no HTML entities in the source); rendered by a CommonMark + GFM-table
    parser that passes raw HTML through, the hostile text is still only text and the table keeps its cells."""
    from markdown_it import MarkdownIt

    findings = _findings() + [Finding("circuit-redundancy", "fail", "error", subject(region="cn-hangzhou"),
                                      "Region has <img src=x onerror=alert(1)> &lt;b&gt; &#60;i&#62; *bold*",
                                      {"enabled_circuits": ">= 2"}, {"enabled_circuits": ["c1"]})]
    text = render("markdown", findings)
    assert r'{"enabled\_circuits": ">= 2"}' in text and "&gt;= 2" not in text
    page = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert "<script" not in page and "<img" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; | pipe &amp; amp<br>second line" in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp;lt;b&amp;gt; &amp;#60;i&amp;#62; *bold*" in page
    assert "<strong>bold" not in page and "<em>" not in page
    assert "&gt;= 2" in page                             # the HTML page escapes it; the markdown did not
    rows = page.split("<h2>Problems")[1].split("</tbody>")[0].split("<tr>")[2:]
    assert len(rows) == 5 and all(row.count("<td>") == 7 for row in rows)


def test_markdown_lists_passes_collapsed_per_rule():
    text = render("markdown")
    assert "<details><summary>vlan-unique: 1 passed</summary>" in text
    details = text[text.index("<details><summary>vlan-unique"):]
    assert "- circuit pc-c1, connection pc-h1: VLAN 100 is unique on pc-c1" in details.split("</details>")[0]


# --- text (the detailed terminal report) ------------------------------------------------------------------------------------------------

def test_text_fits_80_columns_and_lists_problems_before_the_summary():
    text = render("text")
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "\033[" not in text                                   # no colour unless asked for
    assert text.index("vlan-unique") < text.index("spec-valid") < text.index("RULE ")
    assert text.index("config-drift") < text.index("spec-valid")    # errors before warnings
    assert " ".join(text.split()).endswith(
        "2 passed, 3 failed, 1 not evaluated, 1 warnings: exit 3, some devices could not be reached or parsed")


def test_text_counts_passes_instead_of_listing_them():
    text = render("text")
    assert "VLAN 100 is unique" not in text and "China Telecom is eligible" not in text
    assert re.search(r"^vlan-unique\s+1\s+1\s+0$", text, re.M)
    assert re.search(r"^carrier-eligible\s+1\s+0\s+0$", text, re.M)


def test_text_shows_subject_message_and_expected_vs_actual():
    text = render("text")
    assert "hz-acc-01 GigabitEthernet0/0/1.100, circuit pc-c1" in text
    assert "None" not in text                                    # null subject keys are left out
    assert "second line" in text
    assert "expected: dot1q 100" in text and "actual:   2026-11-26T08:00:00" in text


def test_text_wraps_long_words_and_neutralizes_escape_sequences():
    long = [Finding("config-drift", "fail", "error", subject(device="x" * 150), "y" * 200 + "\x1b[2J",
                    "e" * 95, "a")]
    text = render("text", long)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "\x1b" not in text and "\\x1b[2J" in text
    assert "".join(text.split()).count("x" * 150) == 1           # broken across lines, nothing lost


def test_text_colour_only_on_request():
    assert "\033[31m" in render_report("text", _findings(), "inv.yaml", GENERATED, color=True)


# --- table (the compact terminal default) ------------------------------------------------------------

def test_table_is_one_line_per_problem_errors_first_then_the_verdict():
    lines = render("table").splitlines()
    assert lines[1].split() == ["SEV", "STATUS", "RULE", "SUBJECT", "MESSAGE"]
    rows = lines[2:-1]
    assert [r.split()[2] for r in rows] == ["vlan-unique", "device-reachable", "config-drift", "spec-valid"]
    assert [r.split()[0] for r in rows] == ["error", "error", "error", "warning"]
    assert "second line" in rows[2] or rows[2].endswith("…")        # the message's lines joined on one
    assert lines[-1] == ("2 passed, 3 failed, 1 not evaluated, 1 warnings: exit 3, "
                         "some devices could not be reached or parsed")
    assert "\033[" not in "\n".join(lines) and all(len(line) <= 120 for line in lines)


def test_table_cuts_long_values_to_the_width_and_neutralizes_escape_sequences():
    long = [Finding("config-drift", "fail", "error", subject(device="x" * 150), "[bold]y[/bold]" * 20 + "\x1b[2J",
                    "e", "a")]
    text = render_report("table", long, "inv.yaml", GENERATED)
    assert "\x1b" not in text and all(len(line) <= 120 for line in text.splitlines())
    assert "[bold]y[/bold]" in text                              # shown as written, not taken as markup
    assert len(text.splitlines()) == 4                           # head, columns, the one problem, verdict


def test_table_shows_control_and_invisible_characters_as_escapes():
    f = [Finding("config-drift", "fail", "error", subject(device="d\u202e1"), "a\x1b[2Jb\x9b31m", "e", "a")]
    text = render_report("table", f, "inv.yaml", GENERATED)
    assert "a\\x1b[2Jb\\x9b31m" in text and "d\\u202e1" in text
    assert not any(ch in text for ch in "\x1b\x9b\u202e")


def test_table_colour_only_on_request():
    assert "\033[31m" in render_report("table", _findings(), "inv.yaml", GENERATED, color=True)
    assert "\033[" not in render_report("table", _findings(), "inv.yaml", GENERATED, color=False)


def test_unknown_format_is_an_input_error():
    with pytest.raises(InputError, match="unknown report format 'xml'"):
        render("xml")
