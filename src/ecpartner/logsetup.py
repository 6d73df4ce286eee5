"""Logging for the command line: at default verbosity one line per problem, never a traceback; -v adds
progress, timings, the SSH libraries' own logs and tracebacks. Secret values in play never reach a handler."""

from __future__ import annotations

import logging
import sys

from ecpartner.display import safe_lines

REMOVED = "<removed>"
FORMAT = "%(asctime)s %(levelname)s %(message)s"
# Their own logs: paramiko prints whole tracebacks as ERROR lines ("Exception (client): ...", "Traceback ..."),
# netmiko logs channel traffic. Details for -v; at default verbosity our one line per device says it.
_LIBRARIES = ("paramiko", "netmiko")


class RedactSecrets(logging.Filter):
    """Replace every secret value in play, in the message and in the traceback text, before it is printed."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: frozenset[str] = frozenset()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if any(s in message for s in self.secrets):
            record.msg, record.args = self._redact(message), ()
        if record.exc_info and not record.exc_text:   # an exception's text may quote device output
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        return True

    def _redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REMOVED)
        return text


REDACT = RedactSecrets()


class _Shown(logging.Formatter):
    """A log line quotes device output and inventory values: nothing in it may drive the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return safe_lines(super().format(record))


class _Brief(_Shown):
    """A record as one line: an exception adds its last line (`ValueError: ...`), not its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        trace = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else "")
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        last = trace.strip().splitlines()[-1:] if trace else []
        return f"{line}: {last[0]}" if last else line


def setup_logging(verbose: bool) -> None:
    """Configure logging for one CLI run (like logging.basicConfig: a handler already there, e.g. a test
    harness's, is kept and none is added)."""
    for name in _LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.CRITICAL)
    logging.getLogger("ecpartner").setLevel(logging.DEBUG if verbose else logging.NOTSET)   # our details too
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Shown(FORMAT) if verbose else _Brief(FORMAT))
    handler.addFilter(REDACT)   # also what our own loggers print (messages, tracebacks with -v)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
