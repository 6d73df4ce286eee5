"""Errors that end a run with exit code 2 (bad input or usage), each with a precise message."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: one or more messages, each already naming file:line or device and command."""

    def __init__(self, messages: str | list[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))
