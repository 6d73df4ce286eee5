"""`--format junit`: one <testsuite> per rule, one <testcase> per finding, for CI pipelines.

A CI system fails the build on <failure> and <error>, so only what fails the run (exit code 1) is one:
a finding of severity error that failed -> <failure type="error">, that could not be evaluated ->
<error>. A warning (a problem of severity warning: exit code 0) passes as a testcase and says so in
<system-out> and in its properties (severity, status), so a clean fleet with warnings reads
failures="0" errors="0". Every testcase name is unique: the rule and the subject (region and tenant
where no circuit or connection names it), numbered in the rare case two subjects still read alike.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from ecpartner.display import xml_text as _x
from ecpartner.findings import ERROR, FAIL, PASS, SEV_ERROR, Finding
from ecpartner.timefmt import iso_utc
from ecpartner.report.common import group_by_rule, subject_text, value_text


def _blocking(f: Finding, status: str) -> bool:
    return f.status == status and f.severity == SEV_ERROR


def render(findings: list[Finding], inventory_path: str, generated_at: datetime) -> str:
    stamp = iso_utc(generated_at)
    root = ET.Element("testsuites", name=_x(f"ecpartner check {inventory_path}"), tests=str(len(findings)),
                      failures=str(sum(_blocking(f, FAIL) for f in findings)),
                      errors=str(sum(_blocking(f, ERROR) for f in findings)), time="0")
    names: set[str] = set()
    for group in group_by_rule(findings):
        suite = ET.SubElement(root, "testsuite", name=_x(group.rule), tests=str(len(group.findings)),
                              failures=str(sum(_blocking(f, FAIL) for f in group.findings)),
                              errors=str(sum(_blocking(f, ERROR) for f in group.findings)), skipped="0",
                              timestamp=stamp, time="0")
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="requirement", value=_x(group.requirement))
        ET.SubElement(properties, "property", name="warnings",
                      value=str(sum(f.is_problem and f.severity != SEV_ERROR for f in group.findings)))
        for f in group.findings:
            _testcase(suite, f, _unique(names, _name(f)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _name(f: Finding) -> str:
    where = subject_text(f.subject)
    return f.rule if where == "(inventory)" else f"{f.rule} {where}"


def _unique(seen: set[str], name: str) -> str:
    """The name, or 'name (2)', 'name (3)' for the next ones that read alike."""
    candidate, n = name, 1
    while candidate in seen:
        n += 1
        candidate = f"{name} ({n})"
    seen.add(candidate)
    return candidate


def _testcase(suite: ET.Element, f: Finding, name: str) -> None:
    case = ET.SubElement(suite, "testcase", classname=_x(f.rule), name=_x(name), time="0")
    if f.status == PASS:
        return
    detail = _x(f"{f.message}\nexpected: {value_text(f.expected)}\nactual: {value_text(f.actual)}\n"
                f"requirement: {f.requirement}" + (f"\nremediation:\n{f.remediation}" if f.remediation else ""))
    if f.severity == SEV_ERROR:
        outcome = ET.SubElement(case, "failure" if f.status == FAIL else "error",
                                message=_x(f.message), type=_x(f.severity))
        outcome.text = detail
        return
    properties = ET.SubElement(case, "properties")       # a warning: shown, not failed
    ET.SubElement(properties, "property", name="severity", value=_x(f.severity))
    ET.SubElement(properties, "property", name="status", value=_x(f.status))
    out = ET.SubElement(case, "system-out")
    what = "not evaluated" if f.status == ERROR else "failed"
    out.text = f"{_x(f.severity).upper()} ({what}): {detail}"
