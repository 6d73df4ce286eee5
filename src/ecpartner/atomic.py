"""Atomic file writes: a reader sees the old file or the new one, never a half-written one.

The text goes to a temporary file in the target's own directory (os.replace is only atomic within one
filesystem), is flushed and fsynced, then renamed over the target. On any failure the temporary file
is removed and the target is left exactly as it was. Errors are OSError; callers phrase them for users.
"""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import suppress
from typing import Iterable

# mkstemp creates 0600 files; a report should get the permissions a plain open() would give.
# Read the umask once, at import, because reading it means setting it (not thread-safe later on).
_UMASK = os.umask(0)
os.umask(_UMASK)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace `path` with `data` atomically; raise OSError (target untouched) when that cannot be done."""
    write_chunks_atomic(path, (data,))


def write_chunks_atomic(path: str | os.PathLike[str], chunks: Iterable[bytes | str],
                        encoding: str = "utf-8") -> None:
    """Replace `path` with the concatenated chunks (text is encoded), written as they come: a large report
    never has to exist whole in memory. Atomic like write_bytes_atomic, also when a chunk's producer raises."""
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, f"directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk.encode(encoding) if isinstance(chunk, str) else chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def write_text_atomic(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Text version of write_bytes_atomic; newlines are written as given (no platform translation)."""
    write_bytes_atomic(path, text.encode(encoding))


def _mode_for(target: str) -> int:
    """Keep an existing file's permissions; a new file gets 0666 minus the umask, like open() would."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        return 0o666 & ~_UMASK


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable; best effort (not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
