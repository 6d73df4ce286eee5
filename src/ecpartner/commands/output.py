"""Where a command's text goes: stdout, or a file replaced atomically (never half-written)."""

from __future__ import annotations

import os
import sys

from typing import Iterable

from ecpartner.atomic import write_chunks_atomic
from ecpartner.errors import InputError


def cannot_write(path: str | os.PathLike[str], what: str, error: OSError) -> InputError:
    """The bad-input error (exit 2) for an output that could not be written: names the path and why."""
    return InputError(f"{path}: cannot write {what}: {error.strerror or error}")


def write_output(text: str | Iterable[str], path: str | os.PathLike[str] | None, what: str) -> None:
    """Print `text` to stdout (path None or '-'), or replace the file at `path` atomically; `what` names
    the output in the error ("the plan"). `text` may be an iterable of pieces, written as they come."""
    pieces = (text,) if isinstance(text, str) else text
    if path is None or path == "-":
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()
        return
    try:
        write_chunks_atomic(path, pieces)
    except OSError as e:
        raise cannot_write(path, what, e) from None
