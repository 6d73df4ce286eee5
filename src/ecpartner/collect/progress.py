"""Fleet progress as events: what each device of a live run is doing, for a display to show.

The collect layer prints nothing: a run calls `progress(event)` whenever a device starts a step or ends,
and the command layer decides what to draw (commands/progress.py). A device is collected in halves
running side by side (SSH, SNMP); `steps` are what its unfinished halves are doing right now.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceEvent:
    device: str
    steps: tuple[str, ...]       # "connect", "enable", "command 'show running-config'", "snmp"; () once finished
    seconds: float               # since the device's first step began
    done: int                    # devices finished so far (this one included, when finished)
    total: int                   # devices in the run
    finished: bool = False
    error: str | None = None     # why a finished device failed (already free of secrets)


ProgressCallback = Callable[[DeviceEvent], None]


class FleetProgress:
    """The one keeper of what every device is doing; tells `callback` (None: nobody) of each change.
    Called from many threads (SSH sessions, the SNMP event loop): every change is made under one lock, so
    a display hears them one at a time and in order."""

    def __init__(self, callback: ProgressCallback | None, total: int):
        self.callback, self.total = callback, total
        self.done = 0
        self._doing: dict[str, dict[str, str]] = {}     # device -> {half: its step}
        self._began: dict[str, float] = {}
        self._ended: set[tuple[str, str]] = set()       # (device, half): a late step of an abandoned session is ignored
        self._finished: set[str] = set()
        self._lock = threading.Lock()

    def step(self, device: str, half: str, step: str) -> None:
        with self._lock:
            if device in self._finished or (device, half) in self._ended:
                return
            self._began.setdefault(device, time.monotonic())
            self._doing.setdefault(device, {})[half] = step
            self._tell(device)

    def half_done(self, device: str, half: str) -> None:
        with self._lock:
            self._ended.add((device, half))
            self._doing.get(device, {}).pop(half, None)
            if device not in self._finished:
                self._tell(device)

    def finish(self, device: str, error: str | None = None) -> float:
        """The device is done; the seconds since its first step (0 when it never started one)."""
        with self._lock:
            seconds = self._seconds(device)
            if device not in self._finished:
                self._finished.add(device)
                self._doing.pop(device, None)
                self.done += 1
                self._tell(device, error, finished=True)
            return seconds

    def _seconds(self, device: str) -> float:
        began = self._began.get(device)
        return 0.0 if began is None else time.monotonic() - began

    def _tell(self, device: str, error: str | None = None, finished: bool = False) -> None:
        if self.callback is not None:
            steps = tuple(self._doing.get(device, {}).values())
            self.callback(DeviceEvent(device, steps, self._seconds(device), self.done, self.total, finished, error))
