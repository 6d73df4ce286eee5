"""Errors that end a run with exit code 2 (bad input or usage), each with a precise message."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: one or more messages, each already naming file:line or device and command."""

    def __init__(self, messages: str | list[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM: the run stops where it is; every writer cleans up on the way out. Exit 128 + signal.
    A KeyboardInterrupt, because asyncio passes only that (and SystemExit) out of a callback: any other
    exception raised by a signal handler inside an event loop is logged there and the walk goes on."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signum)
