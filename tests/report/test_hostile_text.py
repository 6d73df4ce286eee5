"""Hostile text from an inventory or a device reaches no terminal or report raw, in any command or format.

A copy of fixtures/clean (or fixtures/demo, for telemetry) whose tenant and partner names carry terminal
escapes, bidi overrides, markup and a spreadsheet formula, run through the CLI.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from ecpartner.cli import main
from ecpartner.collect.progress import DeviceEvent
from ecpartner.commands import collect as collect_command
from ecpartner.commands.progress import device_progress
from ecpartner.display import csv_cell, markdown_text, safe
from ecpartner.state import Collected
from ecpartner.telemetry.report import CSV_FIELDS, render_csv

FIXTURES = Path(__file__).parents[2] / "fixtures"
# As YAML writes it (double-quoted escapes) and as Python reads it.
TENANT_YAML = (r'''"=cmd|' /C calc'!A0 <script>alert(1)</script> | x | y | \e[2J \u202eevil\u2066 `tick` '''
               r'''\x9b31m \x7f \e]0;pwn\a"''')
TENANT = ("=cmd|' /C calc'!A0 <script>alert(1)</script> | x | y | \x1b[2J \u202eevil\u2066 `tick` "
          "\x9b31m \x7f \x1b]0;pwn\x07")
PARTNER_YAML = r'"# Evil <b>Telecom</b> | x | \e[2J \u202e"'
RAW = ["\x1b", "\u202e", "\u2066", "\x9b", "\x7f", "\x07"]
SHOWN = ["\\x1b[2J", "\\u202eevil\\u2066", "\\x9b31m", "\\x7f", "\\x1b]0;pwn\\x07"]
SHOWN_MD = [markdown_text(s) for s in SHOWN]          # markdown source: \\x1b\[2J renders as \x1b[2J


def hostile_copy(tmp_path: Path, fleet: str = "clean") -> Path:
    """The fleet with the HA tenant Acme renamed to TENANT (and moved to the international site, so
    same-site fails and its message, naming the tenant, is a problem every format shows)."""
    shutil.copytree(FIXTURES / fleet, tmp_path / fleet)
    inventory = tmp_path / fleet / "inventory.yaml"
    text = inventory.read_text()
    for old, new in ((r"name: Acme, site: china", f"name: {TENANT_YAML}, site: international"),
                     ("name: Example Telecom", f"name: {PARTNER_YAML}"),
                     ("valid_until: 2026-11-27T00:00:00+08:00", "valid_until: 2099-01-01T00:00:00+08:00")):
        assert old in text
        text = text.replace(old, new)
    inventory.write_text(text)
    return inventory


def assert_neutral(text: str, shown=SHOWN) -> None:
    for ch in RAW:
        assert ch not in text, f"raw {ch!r} in output"
    for escaped in shown:
        assert escaped in text


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ------------------------------------------------------------------ check, every format

def test_check_text(tmp_path, capsys):
    code, out, _ = run(capsys, "check", hostile_copy(tmp_path), "--format", "text")
    assert code == 1 and "same-site" in out
    assert_neutral(out)


def test_check_table_compact(tmp_path, capsys):
    """One line per problem cuts long messages: no raw control gets through, whatever is shown is escaped."""
    code, out, _ = run(capsys, "check", hostile_copy(tmp_path))
    assert code == 1 and "same-site" in out
    assert_neutral(out, shown=[])
    assert "Tenant =cmd|' /C calc'!A0 <script>alert(1)" in out     # the tenant's name, as written


def test_check_json_round_trips_but_escapes_invisibles(tmp_path, capsys):
    code, out, _ = run(capsys, "check", hostile_copy(tmp_path), "--format", "json")
    assert_neutral(out, shown=["\\u001b[2J", "\\u202eevil\\u2066", "\\u009b31m", "\\u007f"])
    messages = [f["message"] for f in json.loads(out)["findings"] if f["rule"] == "same-site"]
    assert any(TENANT in m for m in messages)                      # the value itself is kept exactly


def test_check_junit_is_valid_xml_with_visible_escapes(tmp_path, capsys):
    code, out, _ = run(capsys, "check", hostile_copy(tmp_path), "--format", "junit")
    ET.fromstring(out.encode("utf-8"))
    assert_neutral(out)
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_check_markdown(tmp_path, capsys):
    code, out, _ = run(capsys, "check", hostile_copy(tmp_path), "--format", "markdown")
    assert_neutral(out, SHOWN_MD)
    assert r"\<script>alert(1)\</script>" in out and "&lt;" not in out     # escaped for markdown, not HTML
    page = MarkdownIt("commonmark", {"html": True}).enable("table").render(out)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert r"\`tick\`" in out and r"\| x \| y \|" in out
    header = "| Status | Severity | Rule | Subject | Message | Expected | Actual |"
    rows = [line for line in out.split(header)[1].split("\n\n")[0].splitlines()[2:]]
    assert rows and all(len(re.split(r"(?<!\\)\|", row)) == 9 for row in rows)   # 7 cells: no pipe got through


def test_check_html(tmp_path, capsys):
    code, out, _ = run(capsys, "check", hostile_copy(tmp_path), "--format", "html")
    assert_neutral(out)
    # the page's own script is the only one; the hostile text's is shown, not run
    assert out.lower().count("<script") == 1 and "alert(1)" not in out.split("<script>")[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


# ------------------------------------------------------------------ plan

def test_plan_context_naming_the_hostile_tenant_in_every_format(tmp_path, capsys):
    inventory = hostile_copy(tmp_path)
    for fmt in ("table", "markdown", "json"):
        code, out, _ = run(capsys, "plan", inventory, "--circuit", "pc-bj01", "--tenant", "1100000000000002",
                           "--bandwidth", "300M", "--vlan", "300", "--format", fmt)
        assert code == 0
        if fmt == "json":
            assert any(TENANT in f["message"] for f in json.loads(out)["context"])
            assert_neutral(out, shown=["\\u001b[2J", "\\u202eevil"])
        else:
            assert_neutral(out, SHOWN_MD if fmt == "markdown" else SHOWN)
        if fmt == "markdown":
            assert not re.search(r"(?<!\\)<script>", out) and r"\`tick\`" in out


# ------------------------------------------------------------------ telemetry report

def test_telemetry_report_in_every_format(tmp_path, capsys):
    """The partner name heads the markdown and html reports; no format lets a raw control through."""
    inventory = hostile_copy(tmp_path, "demo")
    for fmt in ("markdown", "html", "json", "csv", "prometheus"):
        code, out, err = run(capsys, "telemetry", "report", inventory, "--format", fmt)
        assert out, err
        for ch in RAW:
            assert ch not in out, (fmt, ch)
        if fmt == "markdown":
            assert out.startswith(r"# Telemetry report: \# Evil \<b>Telecom\</b> \| x \| \\x1b\[2J \\u202e")
        if fmt == "html":
            assert "<b>" not in out and r"&lt;b&gt;Telecom&lt;/b&gt; | x | \x1b[2J \u202e</h1>" in out


def test_telemetry_csv_neutralises_formulas_but_keeps_numbers():
    row = {k: None for k in CSV_FIELDS} | {
        "hosted_connection": "=cmd|' /C calc'!A0", "circuit": "+SUM(A1)", "tenant": "-2+3", "status": "@x",
        "device": "\tTAB", "interface": "-5", "bandwidth_bps": -5, "samples": 3, "dropped_intervals": {},
        "findings": ["telemetry-drops: \x1b[2J\u202e"]}
    cells = next(r for r in csv.DictReader(io.StringIO(render_csv([row]))))
    assert cells["hosted_connection"] == "'=cmd|' /C calc'!A0"
    assert cells["circuit"] == "'+SUM(A1)" and cells["tenant"] == "'-2+3" and cells["status"] == "'@x"
    assert cells["device"] == "\\x09TAB"                            # tab escaped: no leading tab left
    assert cells["interface"] == "-5" and cells["bandwidth_bps"] == "-5" and cells["samples"] == "3"
    assert cells["findings"] == "telemetry-drops: \\x1b[2J\\u202e"


# ------------------------------------------------------------------ progress, collect, error lines

DEVICE = "hz\x1b]0;pwn\x07"
ERROR = "ssh: authentication failed \u202eevil\x9b31m\r\x1b[2K"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("tty", [True, False])
def test_progress_shows_device_names_and_errors_escaped(tty, monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    stream = _Terminal() if tty else io.StringIO()
    with device_progress(stream) as progress:
        progress(DeviceEvent(DEVICE, ("connect",), 0.0, 0, 2))
        progress(DeviceEvent(DEVICE, (), 1.0, 1, 2, finished=True, error=ERROR))
        progress(DeviceEvent("hz-ok", (), 1.0, 2, 2, finished=True))
    text = stream.getvalue()
    # the display's own cursor moves are escape codes too: what must not be there is the device's
    for raw in ("\x1b]0;pwn", "\x07", "\u202e", "\x9b", *(() if tty else ("\r\x1b[2K",))):
        assert raw not in text
    assert "hz\\x1b]0;pwn\\x07 FAILED" in text and "failed \\u202eevil\\x9b31m\\x0d\\x1b[2K" in text


def test_collect_lines_show_device_errors_escaped(tmp_path, capsys, monkeypatch):
    for name in ("ECP_USERNAME", "ECP_PASSWORD", "ECP_SECRET", "ECP_SNMP_COMMUNITY"):
        monkeypatch.setenv(name, "not-a-real-secret")
    monkeypatch.setattr(collect_command, "collect_fleet", lambda inventory, **kw: {
        name: Collected(device=name, error=ERROR, source="live") for name in inventory.devices})
    code, out, err = run(capsys, "collect", hostile_copy(tmp_path), "--record", tmp_path / "rec\x1b[2J")
    assert code == 3
    assert "ecpartner: bj-acc-01: not recorded: ssh: authentication failed \\u202eevil\\x9b31m\\x0d\\x1b[2K" in err
    assert "in " + str(tmp_path / "rec") + "\\x1b[2J" in err
    for raw in ("\x1b", "\u202e", "\x9b", "\r"):
        assert raw not in err


def test_render_lines_name_files_escaped(tmp_path, capsys):
    out_dir = tmp_path / "cfg\x1b]0;pwn\x07"
    code, out, _ = run(capsys, "render", hostile_copy(tmp_path), "--action", "disable", "--connection", "pc-bjhc02",
                       "--output-dir", out_dir)
    assert code == 0 and (out_dir / "bj-acc-01.disable.cfg").is_file()
    assert out == f"{tmp_path}/cfg\\x1b]0;pwn\\x07/bj-acc-01.disable.cfg\n"


def test_error_lines_of_main_are_escaped(tmp_path, capsys):
    target = tmp_path / "no\x1b]0;pwn\x07such" / "report.json"
    code, out, err = run(capsys, "check", hostile_copy(tmp_path), "--format", "json", "--output", target)
    assert code == 2 and err.startswith("ecpartner: ")
    assert "no\\x1b]0;pwn\\x07such" in err and "\x1b" not in err and "\x07" not in err


# ------------------------------------------------------------------ the one function

def test_safe_escapes_every_control_and_bidi_character_and_nothing_else():
    hostile = ([chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
               + [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
               + ["\u200e", "\u200f", "\u061c", "\u2028", "\u2029"])
    for ch in hostile:
        shown = safe(ch)
        assert shown.isascii() and shown.isprintable() and shown.startswith("\\")
    assert safe("\x1b[31m") == "\\x1b[31m" and safe("\u202e") == "\\u202e"
    assert safe("北京 Acme-01 (a|b) <x>") == "北京 Acme-01 (a|b) <x>"


def test_markdown_text_and_csv_cell_rules():
    assert markdown_text("# head `x` *y* [l](u) <i> a|b\nnext") == \
        r"\# head \`x\` \*y\* \[l\](u) \<i> a\|b<br>next"
    assert markdown_text(">= 2 & R&D, &amp; &#60;") == r">= 2 & R&D, \&amp; \&\#60;"      # entities only
    assert [csv_cell(v) for v in ("=1+2", "-5", "-1e3", "- x", -5, 2.5, None)] == \
        ["'=1+2", "-5", "-1e3", "'- x", -5, 2.5, None]


@pytest.mark.parametrize("verbose", [False, True])
def test_log_lines_are_neutralised_too(verbose):
    # a parse note or an SSH library's message quotes device text: it must not drive the terminal either
    code = ("import logging; from ecpartner.logsetup import setup_logging; "
            f"setup_logging({verbose}); logging.getLogger('ecpartner').warning('hz-01: note \\x1b]0;pwn\\x07 \\u202e')")
    err = subprocess.run([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, timeout=60).stderr
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "hz-01: note \\x1b]0;pwn\\x07 \\u202e" in err
