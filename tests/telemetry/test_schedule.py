"""`telemetry run`: a fixed schedule without drift, failures survived, a clean stop on SIGTERM/SIGINT."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import pytest

from ecpartner.telemetry.schedule import Slots, run_schedule
from ecpartner.telemetry.store import Store

from helpers.demo import DEMO_SERIES


class FakeTime(threading.Event):
    """A clock that only moves when the schedule waits (or a task 'takes time'): no real sleeping."""

    def __init__(self, stop_after: float):
        super().__init__()
        self.now, self.stop_after = 1000.0, stop_after

    def clock(self) -> float:
        return self.now

    def wait(self, timeout=None) -> bool:
        self.now += timeout or 0.0
        if self.now >= self.stop_after:
            self.set()
        return self.is_set()


def test_slots_do_not_drift_and_skip_missed_ones():
    slots = Slots(100.0, 10.0)
    assert slots.due == 100.0
    assert slots.advance(103.7) == 0 and slots.due == 110.0    # a 3.7 s poll does not push the next one
    assert slots.advance(141.0) == 3 and slots.due == 150.0    # the 110 poll ran to 141: 120-140 skipped


def test_schedule_polls_on_the_grid_and_survives_failures(caplog):
    t = FakeTime(stop_after=1000.0 + 60.0)
    started, reports = [], []

    def poll():
        started.append(t.now)
        t.now += 1.3                                   # each poll takes 1.3 s
        if len(started) == 2:
            raise RuntimeError("device hz-acc-01 unreachable")

    count = run_schedule(poll, 5.0, t, report=lambda: reports.append(t.now), report_every_s=20.0, clock=t.clock)
    assert started == [1000.0 + 5.0 * k for k in range(12)]        # 1000, 1005, ... exactly, no drift
    assert count == 12
    assert "poll failed: RuntimeError: device hz-acc-01 unreachable" in caplog.text
    assert [round(r - 1000.0, 1) for r in reports] == [21.3, 41.3]  # after the poll due at the same slot


def test_a_slow_poll_skips_slots_instead_of_catching_up(caplog):
    t = FakeTime(stop_after=1000.0 + 30.0)
    started = []

    def poll():
        started.append(t.now)
        t.now += 12.0 if len(started) == 1 else 0.5

    run_schedule(poll, 5.0, t, clock=t.clock)
    assert started == [1000.0, 1015.0, 1020.0, 1025.0]
    assert "2 scheduled polls skipped" in caplog.text


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_stops_cleanly_on_a_signal_and_keeps_every_finished_sample(demo_copy, tmp_path, signum):
    db = tmp_path / "t.sqlite"
    reports = tmp_path / "reports"
    proc = subprocess.Popen([sys.executable, "-m", "ecpartner", "telemetry", "run", str(demo_copy), "--every", "1s",
                             "--report-every", "2s", "--report-dir", str(reports), "--db", str(db)],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:      # wait until a few polls and a report are done
        time.sleep(0.2)
        if db.exists() and list(reports.glob("*.html")):
            with Store(db) as store:
                if len(store.stored_times()) >= 3:
                    break
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum, err
    assert f"interrupted by {signal.Signals(signum).name}" in err and "Traceback" not in err
    polls = err.count("samples stored")
    with Store(db) as store:
        # every poll the log announced is in the store, whole: one sample time of DEMO_SERIES interfaces each (a poll
        # committed in the instant before the signal may not have been announced yet)
        stored = len(store.stored_times())
        assert polls <= stored <= polls + 1 and polls >= 3
        assert store.count() == DEMO_SERIES * stored
    report = sorted(reports.glob("telemetry-*.html"))[0].read_text()
    assert report.startswith("<!DOCTYPE html>") and report.rstrip().endswith("</html>")
    assert not list(reports.glob(".*.tmp"))
