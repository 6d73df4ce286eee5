"""The progress display of a live run (issue 14.5): `check --live` against the lab (FakeNOS, snmpsim and a
silent port on 127.0.0.1), its stderr a pseudo-terminal or a pipe. No test asserts a duration: they assert
what is shown while the slow device is still in flight, the order of what is shown, and the bytes of stdout.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading

import pytest

from helpers.labdata import ENV, write_inventory

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
GUARD_S = 120                    # a hung run fails the test instead of the suite
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")   # an SGR colour
IN_FLIGHT = re.compile(r"hz-slow-09\s+connect\s+(\d+\.\d)s")


@pytest.fixture
def slow_fleet(lab, tmp_path):
    """A fast device and one whose SSH port accepts and never answers (in `connect` until --timeout: far behind the other)."""
    return write_inventory(tmp_path, [lab.device("hz-slow-09", port=lab.silent.port), lab.device("hz-acc-01")])


def _check(inventory, terminal: bool, interrupt_at: bytes | None = None, **env) -> tuple[int, bytes, bytes]:
    """`check --live` with stderr on a pseudo-terminal (terminal=True) or a pipe: (exit code, stdout, stderr).
    `interrupt_at`: SIGINT as soon as the terminal shows it."""
    args = [sys.executable, "-m", "ecpartner", "check", str(inventory), "--live", "--timeout", "8"]
    environ = {**{k: v for k, v in os.environ.items() if k != "NO_COLOR"}, **ENV, "TERM": "xterm-256color", **env}
    if not terminal:
        proc = subprocess.run(args, env=environ, capture_output=True, timeout=GUARD_S, stdin=subprocess.DEVNULL)
        return proc.returncode, proc.stdout, proc.stderr
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    shown = bytearray()
    seen = threading.Event()

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:          # EIO: the child closed the terminal
                return
            if not chunk:
                return
            shown.extend(chunk)
            if interrupt_at is not None and interrupt_at in shown:
                seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    with subprocess.Popen(args, env=environ, stdout=subprocess.PIPE, stderr=slave,
                          stdin=subprocess.DEVNULL) as proc:
        os.close(slave)
        if interrupt_at is not None:
            assert seen.wait(GUARD_S), bytes(shown)
            proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=GUARD_S)
    reader.join(GUARD_S)
    os.close(master)
    return proc.returncode, out, bytes(shown)


def test_a_terminal_shows_the_devices_in_flight_with_their_elapsed_time(slow_fleet):
    code, out, err = _check(slow_fleet, terminal=True)
    assert code == 3, err                           # the silent device is unreachable; the other is checked
    text = err.decode()
    frames = ANSI.sub("", text)
    # while the slow device is in flight (its step, its elapsed time ticking) the fast one is already done
    elapsed = [float(s) for s in IN_FLIGHT.findall(frames)]
    assert len(elapsed) >= 2 and elapsed == sorted(elapsed) and elapsed[-1] > elapsed[0], frames
    after_fast = frames[frames.index("devices: 1/2 done"):]
    assert IN_FLIGHT.search(after_fast), frames
    # the fast device was seen in one of its steps (SSH or its SNMP walk) before it finished
    assert re.search(r"hz-acc-01\s+(connect|enable|command|snmp)", frames[:frames.index("devices: 1/2 done")])
    # a failure stays on screen; the display ends with the counts, the cursor shown again
    assert re.search(r"\[2/2\] hz-slow-09 FAILED \d+\.\ds: ssh 127\.0\.0\.1:\d+: timed out", frames)
    assert frames.rstrip().endswith("devices: 2/2 done, 1 failed")
    assert "\x1b[?25h" in text and COLOUR.search(text)
    assert b"devices:" not in out and b"\x1b" not in out   # stdout holds the report only


def test_no_color_keeps_the_display_without_colour(slow_fleet):
    code, _out, err = _check(slow_fleet, terminal=True, NO_COLOR="1")
    assert code == 3
    text = err.decode()
    assert IN_FLIGHT.search(ANSI.sub("", text))     # still there, still ticking
    assert not COLOUR.search(text), text


def test_a_pipe_gets_plain_lines_and_the_same_report_on_stdout(slow_fleet):
    code, piped_out, piped_err = _check(slow_fleet, terminal=False)
    assert code == 3
    assert b"\x1b" not in piped_err and b"\r" not in piped_err   # no display: nothing redrawn, no colour
    lines = piped_err.decode().splitlines()
    assert lines[0].startswith("[1/2] hz-acc-01 ok ")          # the fast device first, then the slow one
    assert re.match(r"\[2/2\] hz-slow-09 FAILED \d+\.\ds: ssh 127\.0\.0\.1:\d+: timed out", lines[1])
    _, terminal_out, _ = _check(slow_fleet, terminal=True)
    # byte for byte, display or not, but for the moment of the run its header states
    assert piped_out.count(b"at 20") == 1 and at_moment(terminal_out) == at_moment(piped_out)


def at_moment(report: bytes) -> bytes:
    return re.sub(rb" at \d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)", b" at <moment>", report, count=1)


def test_ctrl_c_ends_the_display_cleanly(slow_fleet):
    code, out, err = _check(slow_fleet, terminal=True, interrupt_at=b"1/2 done")
    assert code == 130 and out == b""
    text = err.decode()
    assert IN_FLIGHT.search(ANSI.sub("", text))
    # the display is erased and the cursor shown again before the one line that says why the run ended
    tail = text[text.rindex("\x1b[?25h"):]
    assert ANSI.sub("", tail).strip() == "ecpartner: interrupted by SIGINT", tail
