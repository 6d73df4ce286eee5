"""Where a command's text goes: stdout, or a file replaced atomically (never half-written)."""

from __future__ import annotations

import os
import sys

from pathlib import Path
from typing import Iterable

from ecpartner.atomic import write_chunks_atomic
from ecpartner.display import safe
from ecpartner.errors import InputError
from ecpartner.safetext import check_pattern


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


def write_device_files(files: dict[str, str], output_dir: str | None, file_name, what: str) -> None:
    """Device name -> text: to stdout one after the other, or one file each in `output_dir` (`file_name(device)`),
    every name checked before the first file is written; prints each file's path."""
    if output_dir is None:
        write_output("\n".join(files.values()), None, what)
        return
    out = Path(output_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise cannot_write(out, what, e) from None
    for name in files:
        check_pattern(name, f"device {name}", "name", "identifier")
    for name, text in files.items():      # everything is rendered before the first file is written
        write_output(text, out / file_name(name), what)
    for name in files:
        print(safe(out / file_name(name)))
