"""The progress display's own behaviour, driven by events (no devices): how it ends, what it draws where.
A live run drawing it on a pseudo-terminal: tests/live/test_progress_display.py."""

from __future__ import annotations

import io
import logging
import re

import pytest

from ecpartner.collect.progress import DeviceEvent, FleetProgress
from ecpartner.commands.progress import LiveDisplay, PlainLines, device_progress

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _a_terminal(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_a_terminal_gets_the_display_a_pipe_or_a_dumb_terminal_plain_lines(monkeypatch):
    with device_progress(Terminal()) as shown:
        assert isinstance(shown, LiveDisplay)
    with device_progress(io.StringIO()) as shown:
        assert isinstance(shown, PlainLines)
    monkeypatch.setenv("TERM", "dumb")
    with device_progress(Terminal()) as shown:
        assert isinstance(shown, PlainLines)


def test_a_run_that_reaches_no_device_draws_nothing():
    stream = Terminal()
    with device_progress(stream):
        pass
    assert stream.getvalue() == ""


def test_interrupted_the_display_is_erased_and_the_cursor_restored():
    stream = Terminal()
    with pytest.raises(KeyboardInterrupt), device_progress(stream) as progress:
        progress(DeviceEvent("hz-acc-01", ("connect",), 0.0, 0, 3))
        raise KeyboardInterrupt
    text = stream.getvalue()
    assert "hz-acc-01" in ANSI.sub("", text)
    assert text.endswith("\x1b[2K")                  # the last thing written erases the display's lines
    assert text.rindex("\x1b[?25h") > text.rindex("hz-acc-01")     # the cursor is shown again
    assert "devices: 0/3 done\n" not in ANSI.sub("", text)           # no summary of a run that did not end
    progress(DeviceEvent("hz-acc-01", (), 1.0, 1, 3, finished=True, error="late"))   # a late session: ignored
    assert stream.getvalue() == text


def test_a_log_line_during_the_display_is_printed_above_it_and_the_handler_given_back():
    stream = Terminal()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with device_progress(stream) as progress:
            progress(DeviceEvent("hz-acc-01", ("snmp",), 0.0, 0, 1))
            logging.getLogger("ecpartner.test").warning("device hz-acc-01: interface missing")
            assert handler.stream is not stream
        assert handler.stream is stream
    finally:
        root.removeHandler(handler)
    lines = ANSI.sub("", stream.getvalue()).replace("\r", "\n").splitlines()
    assert "device hz-acc-01: interface missing" in lines          # a line of its own, not inside a frame


def test_fleet_progress_joins_the_halves_and_ignores_an_abandoned_sessions_late_steps():
    heard: list[DeviceEvent] = []
    fleet = FleetProgress(heard.append, total=1)
    fleet.step("hz", "snmp", "snmp")
    fleet.step("hz", "ssh", "connect")
    fleet.step("hz", "ssh", "command 'display current-configuration'")
    fleet.half_done("hz", "ssh")
    fleet.step("hz", "ssh", "command 'display interface'")       # after the watchdog gave up on it
    fleet.finish("hz", "ssh: no answer")
    fleet.finish("hz")                                           # only the first end counts
    assert [(e.steps, e.done, e.finished) for e in heard] == [
        (("snmp",), 0, False), (("snmp", "connect"), 0, False),
        (("snmp", "command 'display current-configuration'"), 0, False), (("snmp",), 0, False),
        ((), 1, True)]
    assert heard[-1].error == "ssh: no answer"
    assert [e.seconds for e in heard] == sorted(e.seconds for e in heard)


def test_without_lines_a_pipe_gets_nothing_and_a_terminal_still_the_display():
    piped, terminal = io.StringIO(), Terminal()
    for stream in (piped, terminal):
        with device_progress(stream, lines=False) as progress:
            progress(DeviceEvent("hz-acc-01", ("snmp",), 0.0, 0, 1))
            progress(DeviceEvent("hz-acc-01", (), 0.5, 1, 1, finished=True, error="snmp: no response"))
    assert piped.getvalue() == ""
    assert "[1/1] hz-acc-01 FAILED 0.5s: snmp: no response" in ANSI.sub("", terminal.getvalue())
