"""The formats CI systems and terminals read, on the bundled fleets: JUnit fails only what fails the
run, every testcase has its own name, colour obeys NO_COLOR, and every option explains itself."""

from __future__ import annotations

import argparse
import io
import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from ecpartner.cli import build_parser, main
from ecpartner.inventory_loader import load_inventory

FIXTURES = Path(__file__).parents[2] / "fixtures"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_fleet_junit_has_no_failures_and_shows_its_warning(capsys):
    code, out, _ = run(capsys, "check", FIXTURES / "clean" / "inventory.yaml", "--format", "junit")
    root = ET.fromstring(out.encode("utf-8"))
    assert code == 0 and (root.get("failures"), root.get("errors")) == ("0", "0")
    assert all((s.get("failures"), s.get("errors")) == ("0", "0") for s in root.iter("testsuite"))
    assert not list(root.iter("failure")) and not list(root.iter("error"))
    # the clean fleet has one warning-severity finding: there, readable, but not a failure
    _, report, _ = run(capsys, "check", FIXTURES / "clean" / "inventory.yaml", "--format", "json")
    warnings = [f for f in json.loads(report)["findings"] if f["status"] != "pass"]
    assert len(warnings) == 1 and warnings[0]["severity"] == "warning"
    shown = [c for c in root.iter("testcase") if c.find("system-out") is not None]
    assert len(shown) == 1 and shown[0].get("classname") == warnings[0]["rule"]
    assert shown[0].find("system-out").text.startswith("WARNING (failed): " + warnings[0]["message"])


def test_demo_fleet_junit_names_are_unique_and_failures_match_the_exit_code(capsys):
    inventory = FIXTURES / "demo" / "inventory.yaml"
    _, out, _ = run(capsys, "check", inventory, "--format", "junit")
    root = ET.fromstring(out.encode("utf-8"))
    names = Counter(c.get("name") for c in root.iter("testcase"))
    assert [n for n, k in names.items() if k > 1] == []
    assert "circuit-redundancy region cn-hangzhou" in names and "circuit-redundancy region cn-shanghai" in names
    assert sum(n.startswith("ha-spread tenant ") for n in names) >= 3
    _, report, _ = run(capsys, "check", inventory, "--format", "json")
    findings = json.loads(report)["findings"]
    failing = Counter(f["status"] for f in findings if f["status"] != "pass" and f["severity"] == "error")
    assert (int(root.get("failures")), int(root.get("errors"))) == (failing["fail"], failing["error"])
    assert len(list(root.iter("failure"))) == failing["fail"]


def test_demo_subjects_carry_region_and_tenant(capsys):
    _, report, _ = run(capsys, "check", FIXTURES / "demo" / "inventory.yaml", "--format", "json")
    findings = json.loads(report)["findings"]
    assert all(list(f["subject"]) == ["circuit", "hosted_connection", "device", "interface", "region", "tenant"]
               for f in findings)
    regions = {f["subject"]["region"] for f in findings if f["rule"] == "circuit-redundancy"}
    assert regions == {c.region for c in load_inventory(FIXTURES / "demo" / "inventory.yaml").circuits.values()}
    assert {"cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-zhangjiakou"} <= regions
    assert all(f["subject"]["tenant"] for f in findings if f["rule"] == "ha-spread")
    assert all(f["subject"]["tenant"] and f["subject"]["region"] for f in findings
               if f["subject"]["hosted_connection"] is not None)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("no_color, coloured", [(None, True), ("", True), ("1", False), ("0", False),
                                                ("false", False)])
def test_table_colour_on_a_terminal_unless_no_color(monkeypatch, capsys, no_color, coloured):
    """https://no-color.org: NO_COLOR present with any non-empty value disables colour."""
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["check", str(FIXTURES / "demo" / "inventory.yaml"), "--only", "vlan-unique"]) == 1
    assert ("\033[31m" in terminal.getvalue()) is coloured
    assert "vlan-unique" in terminal.getvalue()


def _parsers(parser: argparse.ArgumentParser, prog: str = "ecpartner"):
    yield prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helped = {a.dest for a in action._choices_actions if a.help}
            for name, sub in action.choices.items():
                assert name in helped, f"{prog} {name}: the command has no help text"
                yield from _parsers(sub, f"{prog} {name}")


def test_every_option_of_every_command_has_help_text():
    missing = [f"{prog} {'/'.join(a.option_strings) or a.dest}"
               for prog, parser in _parsers(build_parser()) for a in parser._actions
               if not isinstance(a, argparse._SubParsersAction) and not (a.help and a.help.strip())]
    assert missing == []
    commands = [prog for prog, _ in _parsers(build_parser())]
    assert {"ecpartner check", "ecpartner plan", "ecpartner render", "ecpartner collect",
            "ecpartner telemetry poll", "ecpartner telemetry report", "ecpartner telemetry run"} <= set(commands)


def test_the_help_walk_sees_an_option_without_help():
    parser = argparse.ArgumentParser(prog="x")
    sub = parser.add_subparsers().add_parser("y", help="y")
    sub.add_argument("--bare")
    missing = [a.dest for _, p in _parsers(parser, "x") for a in p._actions
               if not isinstance(a, argparse._SubParsersAction) and not a.help]
    assert missing == ["bare"]
