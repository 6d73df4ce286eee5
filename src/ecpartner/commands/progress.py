"""What a live run shows on stderr while it reaches devices, drawn from the collect layer's events
(collect/progress.py). stdout is never touched: a report printed there is the same with or without it.

- stderr a terminal: a rich display redrawn in place: every device in flight with its step (connect,
  enable, command ..., snmp) and its elapsed time, the slowest first, above them the counts done and
  failed. A failed device's line stays on screen; the display itself is gone when the run ends (on an
  error or Ctrl-C too), leaving one summary line when every device was heard. NO_COLOR
  (https://no-color.org) asks for no colour, not for no display: the same display, without colour.
- otherwise (a pipe, a CI log, TERM=dumb): one plain line per finished device, `[12/50] hz-acc-01 ok 1.8s`
  or `[13/50] sh-acc-02 FAILED 5.0s: <reason>`, and no escape code at all (a telemetry poll's SNMP
  round: none, see device_progress).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from ecpartner.collect.progress import DeviceEvent, ProgressCallback
from ecpartner.display import safe

_REFRESH_PER_SECOND = 4


@contextmanager
def device_progress(stream: TextIO | None = None, lines: bool = True) -> Iterator[ProgressCallback]:
    """The callback a live run reports to, drawing on `stream` (stderr); closed cleanly however the run ends.
    `lines=False`: nothing off a terminal (a telemetry poll's summary names what failed, and `telemetry run`
    would log a line per device at every poll)."""
    stream = stream or sys.stderr
    display = LiveDisplay(stream) if animated(stream) else PlainLines(stream if lines else None)
    try:
        yield display
    except BaseException:
        display.close(complete=False)
        raise
    display.close(complete=True)


def animated(stream: TextIO) -> bool:
    """A display redrawn in place only on a terminal that can move its cursor."""
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


def describe(event: DeviceEvent) -> str:
    """One finished device; its name and error are untrusted text (safe(): shown, not obeyed)."""
    head = f"[{event.done}/{event.total}] {safe(event.device)}"
    if event.error:
        return f"{head} FAILED {event.seconds:.1f}s: {safe(event.error)}"
    return f"{head} ok {event.seconds:.1f}s"


class PlainLines:
    """A log's view: a line per finished device, so it says which device was slow or failed."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream          # None: silent

    def __call__(self, event: DeviceEvent) -> None:
        if event.finished and self.stream is not None:
            self.stream.write(describe(event) + "\n")
            self.stream.flush()

    def close(self, complete: bool) -> None:
        pass


class LiveDisplay:
    """The terminal's view (rich Live), started at the first event: a run that reaches no device draws nothing.

    Events come from collection threads, redraws from rich's refresh thread; the state is swapped under
    one lock held only briefly, and nothing is printed while it is held (rich takes its own lock to print).
    A failed device's line is printed by the next redraw, with any others since (each print redraws the
    whole display: one per failure would cost milliseconds each on a bad day of thousands).
    """

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.live = None
        self.flying: dict[str, tuple[float, tuple[str, ...]]] = {}     # device -> (began, its steps now)
        self.done = self.total = self.failed = 0
        self.failures: list[str] = []                                   # lines not yet printed
        self.closed = False
        self.lock = threading.Lock()
        self._log_streams: list[tuple[logging.StreamHandler, TextIO]] = []

    def __call__(self, event: DeviceEvent) -> None:
        with self.lock:
            if self.closed:
                return          # a session abandoned by the watchdog may still end after the run
            start = self.live is None
            self.done, self.total = event.done, event.total
            if event.finished:
                self.flying.pop(event.device, None)
                if event.error:
                    self.failed += 1
                    self.failures.append(describe(event))
            else:
                began = self.flying.get(event.device, (time.monotonic() - event.seconds,))[0]
                self.flying[event.device] = (began, event.steps)
        if start:
            self._start()

    def _start(self) -> None:
        from rich.console import Console
        from rich.file_proxy import FileProxy
        from rich.live import Live
        from rich.text import Text

        console = Console(file=self.stream, force_terminal=True, no_color=bool(os.environ.get("NO_COLOR")),
                          highlight=False)
        display = self

        class FailuresFirst(Live):
            def refresh(self) -> None:      # the failures since the last redraw, above the display for good
                with display.lock:
                    lines, display.failures = display.failures, []
                if lines:
                    self.console.print(*(Text(line, style="red") for line in lines), soft_wrap=True)
                super().refresh()

        live = FailuresFirst(self, console=console, refresh_per_second=_REFRESH_PER_SECOND, transient=True,
                             redirect_stdout=False, redirect_stderr=False)
        with self.lock:
            if self.closed or self.live is not None:    # another thread's event started it first
                return
            self.live = live
        # a log line (a poll's warnings, -v) printed above the display, not through it
        proxy = FileProxy(console, self.stream)
        self._log_streams = [(h, h.setStream(proxy)) for h in logging.getLogger().handlers
                             if type(h) is logging.StreamHandler and h.stream is self.stream]
        live.start()
        with self.lock:
            closed = self.closed
        if closed:                  # Ctrl-C while the first event was starting it
            self._stop(live)

    def __rich__(self):
        """The display as it is now (rich calls it at every refresh: the elapsed times tick)."""
        from rich.table import Table
        from rich.text import Text

        with self.lock:
            flying = sorted(self.flying.items(), key=lambda item: item[1][0])
            done, total, failed = self.done, self.total, self.failed
        now = time.monotonic()
        counts = Text(f"devices: {done}/{total} done")
        counts.append(f", {failed} failed" if failed else "", style="red")
        counts.append(f", {len(flying)} in flight")
        grid = Table.grid(padding=(0, 2))
        grid.add_row(counts)
        rows = Table.grid(padding=(0, 2))
        room = max(1, self.live.console.size.height - 3) if self.live else len(flying)
        for device, (began, steps) in flying[:room]:
            rows.add_row(Text(safe(device), style="bold"), Text(safe(" + ".join(steps)), style="cyan"),
                         Text(f"{now - began:.1f}s", style="yellow"))
        if len(flying) > room:
            rows.add_row(Text(f"... and {len(flying) - room} more"), Text(""), Text(""))
        grid.add_row(rows)
        return grid

    def close(self, complete: bool) -> None:
        with self.lock:
            self.closed, live = True, self.live
        if live is None:
            return
        self._stop(live)
        if complete and self.total:
            failed = f", {self.failed} failed" if self.failed else ""
            live.console.print(f"devices: {self.done}/{self.total} done{failed}", markup=False, soft_wrap=True)

    def _stop(self, live) -> None:
        live.stop()                                  # transient: the display is erased, the cursor restored
        for handler, stream in self._log_streams:
            handler.setStream(stream)
        self._log_streams = []
