"""Fleet progress: a bar redrawn in place on a terminal, one plain line per device otherwise.

Each finished device is reported as `[12/50] hz-acc-01 ok 1.8s` (or `FAILED 5.0s: <reason>`), so a
log says which device was slow or failed, not just that something was.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from ecpartner.display import safe
from ecpartner.state import Collected

_BAR_WIDTH = 24


class Progress:
    """Callable given to collect_live: progress(done, total, collected, seconds)."""

    def __init__(self, stream: TextIO | None = None, tty: bool | None = None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.failed = 0
        self._lock = threading.Lock()

    def __call__(self, done: int, total: int, collected: Collected, seconds: float) -> None:
        with self._lock:
            if collected.error:
                self.failed += 1
            line = describe(done, total, collected, seconds)
            if not self.tty:
                self.stream.write(line + "\n")
            else:
                filled = int(_BAR_WIDTH * done / max(total, 1))
                bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
                if collected.error:  # a failure stays on screen above the bar
                    self.stream.write("\r\x1b[K" + line + "\n")
                failed = f", {self.failed} failed" if self.failed else ""
                self.stream.write(f"\r\x1b[K[{bar}] {done}/{total}{failed}  {safe(collected.device)} {seconds:.1f}s")
                if done == total:
                    self.stream.write("\n")
            self.stream.flush()


def describe(done: int, total: int, collected: Collected, seconds: float) -> str:
    """One line; the device name and its error are untrusted text (safe(): shown, not obeyed)."""
    if collected.error:
        return f"[{done}/{total}] {safe(collected.device)} FAILED {seconds:.1f}s: {safe(collected.error)}"
    return f"[{done}/{total}] {safe(collected.device)} ok {seconds:.1f}s"
