"""A poll's progress display and its summary on stderr: the display first gone, then the summary."""

from __future__ import annotations

import contextlib

import ecpartner.commands.telemetry as telemetry_commands
from ecpartner.inventory_loader import load_inventory


def test_a_poll_closes_its_display_before_printing_its_summary(monkeypatch, demo_copy, capsys):
    """A terminal's display is erased by moving the cursor up over it: a summary printed while it is still up
    would be erased with it, so poll_once closes the display before it prints."""
    stderr_at_close: list[str] = []

    @contextlib.contextmanager
    def recording_progress(stream=None, lines=True):
        yield lambda event: None
        stderr_at_close.append(capsys.readouterr().err)

    monkeypatch.setattr(telemetry_commands, "device_progress", recording_progress)
    result = telemetry_commands.poll_once(load_inventory(demo_copy), demo_copy.parent / "t.sqlite", live=False)
    assert stderr_at_close == [""]                       # nothing printed while the display was up
    assert result.summary() in capsys.readouterr().err   # the summary came after it
