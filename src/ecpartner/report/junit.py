"""`--format junit`: one <testsuite> per rule, one <testcase> per finding, for CI pipelines.

fail -> <failure type=severity> (warning-severity failures too, type="warning": the pipeline decides),
error (could not evaluate) -> <error>. Expected and actual go in the element body.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from ecpartner.display import xml_text as _x
from ecpartner.findings import ERROR, FAIL, Finding, summarize
from ecpartner.timefmt import iso_utc
from ecpartner.report.common import group_by_rule, subject_text, value_text


def render(findings: list[Finding], inventory_path: str, generated_at: datetime) -> str:
    summary = summarize(findings)
    stamp = iso_utc(generated_at)
    root = ET.Element("testsuites", name=_x(f"ecpartner check {inventory_path}"), tests=str(len(findings)),
                      failures=str(summary.failed), errors=str(summary.errors), time="0")
    for group in group_by_rule(findings):
        suite = ET.SubElement(root, "testsuite", name=_x(group.rule), tests=str(len(group.findings)),
                              failures=str(group.failed), errors=str(group.errors), skipped="0",
                              timestamp=stamp, time="0")
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="requirement", value=_x(group.requirement))
        for f in group.findings:
            _testcase(suite, f)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(suite: ET.Element, f: Finding) -> None:
    name = f.rule if subject_text(f.subject) == "(inventory)" else f"{f.rule} {subject_text(f.subject)}"
    case = ET.SubElement(suite, "testcase", classname=_x(f.rule), name=_x(name), time="0")
    if f.status not in (FAIL, ERROR):
        return
    outcome = ET.SubElement(case, "failure" if f.status == FAIL else "error",
                            message=_x(f.message), type=_x(f.severity))
    outcome.text = _x(f"{f.message}\nexpected: {value_text(f.expected)}\nactual: {value_text(f.actual)}\n"
                      f"requirement: {f.requirement}")

