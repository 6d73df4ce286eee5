"""Findings: the evidence every rule produces, and the exit code they add up to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASS, FAIL, ERROR = "pass", "fail", "error"          # status: held / did not hold / could not evaluate
SEV_ERROR, SEV_WARNING, SEV_INFO = "error", "warning", "info"

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_UNREACHABLE = 0, 1, 2, 3

SUBJECT_KEYS = ("circuit", "hosted_connection", "device", "interface")
# Extension (contract section 8): beside the four keys, so that a finding of a region (circuit-redundancy)
# or of a tenant (ha-spread) has an identity of its own.
SUBJECT_EXTRA_KEYS = ("region", "tenant")


@dataclass(slots=True)
class Finding:
    rule: str
    status: str                 # pass | fail | error
    severity: str               # error | warning | info  (a pass carries the severity a failure would have)
    subject: dict[str, Any]     # always SUBJECT_KEYS and SUBJECT_EXTRA_KEYS, None where they do not apply
    message: str
    expected: Any = None
    actual: Any = None
    requirement: str = ""       # guide section, filled from the rule registry
    # What configuration would fix it, as the rule judged it: (kind, values), or a list of them applied in
    # order, for ecpartner.remediate, which
    # renders templates/<platform>/remediate/<kind>.j2 into `remediation` (the device's own lines). Never
    # serialised: `remediation` is the extension the reports show.
    fix: tuple[str, dict] | list[tuple[str, dict]] | None = None
    remediation: str | None = None

    @property
    def is_problem(self) -> bool:
        return self.status != PASS

    @property
    def is_warning(self) -> bool:
        return self.status != PASS and self.severity == SEV_WARNING

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "status": self.status, "severity": self.severity,
            "subject": dict(self.subject), "message": self.message,
            "expected": self.expected, "actual": self.actual, "requirement": self.requirement,
            **({"remediation": self.remediation} if self.remediation is not None else {}),
        }


def subject(circuit=None, hosted_connection=None, device=None, interface=None, *, region=None,
            tenant=None) -> dict[str, Any]:
    """The subject of a finding; region and tenant left None are filled from the inventory by the rule
    registry wherever the circuit or the hosted connection says them."""
    return {"circuit": circuit, "hosted_connection": hosted_connection, "device": device, "interface": interface,
            "region": region, "tenant": tenant}


def exit_code(findings: list[Finding]) -> int:
    """Contract section 4: 3 when a device could not be reached or parsed, else 1 on any error-severity problem."""
    if any(f.rule == "device-reachable" and f.is_problem for f in findings):
        return EXIT_UNREACHABLE
    if any(f.is_problem and f.severity == SEV_ERROR for f in findings):
        return EXIT_FINDINGS
    return EXIT_OK


@dataclass
class Summary:
    passed: int = 0
    failed: int = 0
    errors: int = 0
    warnings: int = 0
    exit_code: int = 0
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, int]:
        return {"pass": self.passed, "fail": self.failed, "error": self.errors,
                "warnings": self.warnings, "exit_code": self.exit_code}


def summarize(findings: list[Finding]) -> Summary:
    """pass/fail/error count findings by status; warnings counts the problems of severity warning."""
    s = Summary(exit_code=exit_code(findings))
    for f in findings:
        if f.status == PASS:
            s.passed += 1
        elif f.status == FAIL:
            s.failed += 1
        else:
            s.errors += 1
        if f.is_warning:
            s.warnings += 1
    return s
