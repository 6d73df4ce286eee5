"""A fixed schedule without drift: slot k is at start + k * period on the monotonic clock, whatever
the work took; slots missed while a poll overran are skipped, not run in a burst. A failed poll or
report is logged and the schedule goes on. `stop` ends the loop between tasks; SIGINT/SIGTERM end it
at once instead (cli.main raises Interrupted wherever the loop is, and an unfinished poll commits nothing).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Callable

log = logging.getLogger(__name__)


class Slots:
    """Slot times start + k * period; `advance` moves past every slot that is already due."""

    def __init__(self, start: float, period: float, first: int = 0):
        self.start, self.period, self.k = start, period, first

    @property
    def due(self) -> float:
        return self.start + self.k * self.period

    def advance(self, now: float) -> int:
        """Move to the first slot after `now`; returns how many slots were skipped."""
        following = math.floor((now - self.start) / self.period) + 1
        skipped = max(0, following - self.k - 1)
        self.k = max(self.k + 1, following)
        return skipped


def run_schedule(poll: Callable[[], object], every_s: float, stop: threading.Event,
                 report: Callable[[], object] | None = None, report_every_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> int:
    """Poll at once and then every `every_s`; report every `report_every_s` (first after one period).

    Returns the number of polls run. Exceptions from poll/report are logged, never raised.
    """
    start = clock()
    polls = Slots(start, every_s)
    reports = Slots(start, report_every_s, first=1) if report and report_every_s else None
    done = 0
    while not stop.is_set():
        if clock() >= polls.due:
            _guarded("poll", poll)
            done += 1
            if skipped := polls.advance(clock()):
                log.warning("poll took longer than --every: %d scheduled polls skipped", skipped)
        if reports is not None and not stop.is_set() and clock() >= reports.due:
            _guarded("report", report)
            reports.advance(clock())
        wake = polls.due if reports is None else min(polls.due, reports.due)
        stop.wait(max(0.0, wake - clock()))
    return done


def _guarded(what: str, task: Callable[[], object]) -> None:
    try:
        task()
    except Exception as e:   # one failure must not end the schedule
        messages = getattr(e, "messages", None)
        log.error("%s failed: %s", what, "; ".join(messages) if messages else f"{type(e).__name__}: {e}")
