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
from typing import Iterator
from xml.sax.saxutils import quoteattr

from ecpartner.display import xml_text as _x
from ecpartner.findings import ERROR, FAIL, PASS, SEV_ERROR, Finding
from ecpartner.timefmt import iso_utc
from ecpartner.report.common import baseline_mark, group_by_rule, subject_text, value_text


def _blocking(f: Finding, status: str) -> bool:
    return f.status == status and f.severity == SEV_ERROR


def render(findings: list[Finding], inventory_path: str, generated_at: datetime, **options) -> str:
    return "".join(chunks(findings, inventory_path, generated_at, **options))


def chunks(findings: list[Finding], inventory_path: str, generated_at: datetime,
           baseline: dict | None = None) -> Iterator[str]:
    """Written testcase by testcase (an ElementTree of 160,000 testcases took hundreds of MB), laid out as
    ElementTree.indent lays out the whole document."""
    stamp = iso_utc(generated_at)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield _start_tag("testsuites", name=_x(f"ecpartner check {inventory_path}"), tests=str(len(findings)),
                     failures=str(sum(_blocking(f, FAIL) for f in findings)),
                     errors=str(sum(_blocking(f, ERROR) for f in findings)), time="0") + "\n"
    names: set[str] = set()
    for group in group_by_rule(findings):
        yield "  " + _start_tag("testsuite", name=_x(group.rule), tests=str(len(group.findings)),
                                failures=str(sum(_blocking(f, FAIL) for f in group.findings)),
                                errors=str(sum(_blocking(f, ERROR) for f in group.findings)), skipped="0",
                                timestamp=stamp, time="0") + "\n"
        properties = ET.Element("properties")
        ET.SubElement(properties, "property", name="requirement", value=_x(group.requirement))
        ET.SubElement(properties, "property", name="warnings",
                      value=str(sum(f.is_problem and f.severity != SEV_ERROR for f in group.findings)))
        if baseline is not None:
            new = sum(1 for f in group.findings if f.is_problem and baseline_mark(baseline, f) == "new")
            ET.SubElement(properties, "property", name="baseline-new-problems", value=str(new))
        pieces = [_element(properties, 2)]
        for f in group.findings:
            pieces.append(_element(_testcase(f, _unique(names, _name(f)), baseline_mark(baseline, f)), 2))
            if len(pieces) >= 1000:
                yield "".join(pieces)
                pieces = []
        yield "".join(pieces) + "  </testsuite>\n"
    yield "</testsuites>\n"


def _start_tag(tag: str, **attributes: str) -> str:
    return f"<{tag} " + " ".join(f"{k}={quoteattr(v)}" for k, v in attributes.items()) + ">"


def _element(element: ET.Element, level: int) -> str:
    """One element as it stands at `level` in the indented document, with its line break."""
    ET.indent(element, space="  ", level=level)
    return "  " * level + ET.tostring(element, encoding="unicode").rstrip(" ") + ("" if element.tail else "\n")


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


def _testcase(f: Finding, name: str, mark: str | None = None) -> ET.Element:
    case = ET.Element("testcase", classname=_x(f.rule), name=_x(name), time="0")
    if mark is not None:            # check --baseline: new or known since the baseline report
        ET.SubElement(ET.SubElement(case, "properties"), "property", name="baseline", value=mark)
    if f.status == PASS:
        return case
    detail = _x(f"{f.message}\nexpected: {value_text(f.expected)}\nactual: {value_text(f.actual)}\n"
                f"requirement: {f.requirement}" + (f"\nremediation:\n{f.remediation}" if f.remediation else ""))
    if f.severity == SEV_ERROR:
        outcome = ET.SubElement(case, "failure" if f.status == FAIL else "error",
                                message=_x(f.message), type=_x(f.severity))
        outcome.text = detail
        return case
    properties = case.find("properties")
    if properties is None:
        properties = ET.SubElement(case, "properties")       # a warning: shown, not failed
    ET.SubElement(properties, "property", name="severity", value=_x(f.severity))
    ET.SubElement(properties, "property", name="status", value=_x(f.status))
    out = ET.SubElement(case, "system-out")
    what = "not evaluated" if f.status == ERROR else "failed"
    out.text = f"{_x(f.severity).upper()} ({what}): {detail}"
    return case
