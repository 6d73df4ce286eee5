"""The telemetry store: counter samples in SQLite (the default) or PostgreSQL (contract section 7).

This module is the store's logic, the same on both: one transaction per poll, so an interrupted poll leaves
nothing or everything; a primary key on (time, series) with insert-or-ignore, so a re-run poll never counts
a sample twice; several pollers may write at once. Time first in the key, so one poll's rows are
neighbours and min/max of time are key look-ups. The backends (store_sqlite.py, store_pg.py) own the
connection, the schema and its versions, how writers are serialised, and a few statements that differ.
The view `sample_rows` shows every sample, compacted ones included, with the CSV columns of a fixture
series.

Reading two million rows back costs seconds (a Python object per value), so finished UTC days are
compacted: once the newest sample is on a later day, each series' rows of the earlier days move into one
`blocks` row holding them as a packed int64 array, which loads at memory speed. Rows arriving late for a
compacted day are kept (never twice) and merged into its block next time. Compaction is not part of
insert(): it reads a day back and writes it again, about what ingesting the day cost, so the commands run
it as a step of its own once a poll is stored (compact_after_poll(); it does nothing until a day closes).

Both databases hold signed 64-bit integers, a Counter64 is not: a counter is stored as its two's
complement (v - 2^64 when v >= 2^63) and read back as uint64. Read with SQL directly (the tables, the
view), a counter of 2^63 or more shows as negative.

Every database fault (read-only file, full disk, corruption, a refused connection) and every row or block
this code cannot read back becomes one InputError naming the store and the cause; a failed write changes
nothing.
"""

from __future__ import annotations

import functools
import itertools
import logging
import operator
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ecpartner.errors import InputError
from ecpartner.telemetry.series import COUNTERS, FRAME_COLUMNS, Samples, empty_frame
from ecpartner.telemetry.sources import default_path, is_url  # noqa: F401  (default_path: its old home)
from ecpartner.telemetry.store_schema import (BLOCK_COLUMNS, COMPACTED, DAY_MS, SAMPLE_COLUMNS, SCHEMA_VERSION,  # noqa: F401
                                              Corrupt)

log = logging.getLogger(__name__)

UINT64 = 2**64
_COUNTERS_OF = operator.itemgetter(slice(3, 3 + len(COUNTERS)))   # of an insert() row
_SERIES_KEY = operator.itemgetter(1, 2)                           # (device, interface) of an insert() row


def _faults(action: str):
    """Store methods: a database error or unreadable data becomes '<store>: cannot <action>: <cause>'."""
    def wrap(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except (*self.backend.errors, Corrupt) as e:
                raise InputError(f"{self.path}: cannot {action}: {self.backend.describe(e)}") from None
        return guarded
    return wrap


def open_backend(location: str | Path, create: bool):
    if is_url(location):
        from ecpartner.telemetry.store_pg import PostgresBackend
        return PostgresBackend(str(location), create)
    from ecpartner.telemetry.store_sqlite import SqliteBackend
    return SqliteBackend(Path(location), create)


class Store:
    """One open store: a file path (SQLite) or a postgresql:// URL. Use as a context manager; every method
    is one transaction or one read."""

    def __init__(self, path: str | Path, create: bool = True):
        """create=False: the store must exist; it is opened read-only (a report never writes, and can read
        a store it may not write)."""
        self.backend = open_backend(path, create)
        self.path = self.backend.name      # what messages name (a URL without its password)
        self.db = self.backend.db          # the raw connection, for tests and tools
        self._ids: dict[tuple[str, str], int] = {}   # series ids, see _series_ids

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.backend.close()

    def _one(self, sql: str, params=()):
        return self.backend.execute(sql, params).fetchone()

    # ------------------------------------------------------------------ writing

    @_faults("write")
    def insert(self, rows: Iterable[tuple], source: str, started_ms: int, problems: str = "") -> int:
        """Append samples in one transaction; rows are CSV-order tuples with time as epoch ms.

        (time_ms, device, interface, *COUNTERS, sys_uptime, counter_bits), counters 0..2^64-1.
        Returns how many were new. This is the whole ingest: finished days are compacted by compact(), a
        step of its own the commands run once the poll is stored.
        """
        rows = self._stored_rows(list(rows))
        with self.backend.transaction(exclusive=False):
            ids = self._series_ids(set(map(_SERIES_KEY, rows)))
            rows = self._not_in_blocks(rows, ids)
            stored = [(r[0], ids[r[1], r[2]], *r[3:]) for r in rows]
            stored.sort()   # key order: two writers of the same rows lock them in the same order (no deadlock)
            inserted = self.backend.insert_ignore("samples", SAMPLE_COLUMNS, stored)
            self.backend.execute("INSERT INTO polls (started_ms, source, inserted, problems) VALUES (?, ?, ?, ?)",
                                 (started_ms, source, inserted, problems))
        self._ids = ids   # only once committed: a rolled-back poll's new series ids were never stored
        return inserted

    def compact_after_poll(self) -> int:
        """compact(), a failure logged, not raised: the poll's samples are stored already, compaction only
        speeds up reading them and is retried after the next poll."""
        try:
            return self.compact()
        except InputError as e:
            log.warning("%s (the new samples are stored; compaction is retried after the next poll)", e)
            return 0

    def _stored_rows(self, rows: list[tuple]) -> list[tuple]:
        """The rows with their counters as the database holds them. A poll whose counters are all below 2^63
        (the common one) is returned as it is, checked by one min and one max that run in C, not per row."""
        values = list(itertools.chain.from_iterable(map(_COUNTERS_OF, rows)))
        if not values or (0 <= min(values) and max(values) < UINT64 // 2):
            return rows
        return [(*r[:3], *(self._stored_counter(r, c, v) for c, v in zip(COUNTERS, _COUNTERS_OF(r))),
                 *r[3 + len(COUNTERS):]) for r in rows]

    def _stored_counter(self, row: tuple, name: str, value: int) -> int:
        """uint64 -> the int64 the database holds (two's complement)."""
        if not 0 <= value < UINT64:
            raise InputError(f"{self.path}: cannot write: {row[1]} {row[2]}: {name} {value!r} is not a counter "
                             "value (0 to 2^64-1)")
        return value - UINT64 if value >= UINT64 // 2 else value

    def _not_in_blocks(self, rows: list[tuple], ids: dict) -> list[tuple]:
        """Drop rows a compacted block already holds (a re-run poll of a finished day)."""
        compacted = self._one("SELECT max(day) FROM blocks")[0]
        if compacted is None or all(r[0] // DAY_MS > compacted for r in rows):
            return rows
        known: dict[tuple[int, int], set[int]] = {}
        kept = []
        for r in rows:
            key = (ids[(r[1], r[2])], r[0] // DAY_MS)
            if key not in known:
                blob = self._one("SELECT data FROM blocks WHERE series = ? AND day = ?", key)
                known[key] = set(_unpack(blob[0], *key)[:, 0].tolist()) if blob else set()
            if r[0] not in known[key]:
                kept.append(r)
        return kept

    @_faults("write")
    def compact(self) -> int:
        """Move the rows of every UTC day before the newest sample's day into blocks; returns rows moved."""
        oldest, newest = self._one(self.backend.MIN_MAX_TIME)
        if oldest is None or oldest // DAY_MS >= newest // DAY_MS:
            return 0
        with self.backend.transaction(exclusive=True):   # no poll writes while its day moves
            boundary = (self._one("SELECT max(time_ms) FROM samples")[0] // DAY_MS) * DAY_MS
            data = self._sample_rows("time_ms < ?", boundary)
            if not len(data):   # another writer compacted it first
                return 0
            keys = np.stack([data[:, 0], data[:, 1] // DAY_MS], axis=1)
            starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)])
            compacted = set(map(tuple, self.backend.execute("SELECT series, day FROM blocks WHERE day >= ?",
                                                            (int(keys[:, 1].min()),)).fetchall()))
            for begin, end in zip(starts, np.r_[starts[1:], len(data)]):
                series, day = int(keys[begin, 0]), int(keys[begin, 1])
                block = data[begin:end, 1:]
                old = (series, day) in compacted and self._one(
                    "SELECT data FROM blocks WHERE series = ? AND day = ?", (series, day))
                if old:   # late rows for a compacted day: merge, the block's copy of a time wins
                    block = np.concatenate([_unpack(old[0], series, day), block])
                    _, first = np.unique(block[:, 0], return_index=True)
                    block = block[first]
                self.backend.put_block((series, day, len(block), int(block[:, 0].max()), _pack(block)))
            self.backend.execute("DELETE FROM samples WHERE time_ms < ?", (boundary,))
        return len(data)

    def _sample_rows(self, where: str, bound: int) -> np.ndarray:
        """The sample rows matching `where` as an int64 array of COMPACTED columns, by series then time
        (numpy sorts faster than either database)."""
        data = self.backend.int_rows(COMPACTED, where, bound)
        return data[np.lexsort((data[:, 1], data[:, 0]))]

    def _series_ids(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Ids of every series, keys included. A series id never changes, so the ids known from the last poll
        are reused (another writer's new series are found when this one first meets them)."""
        if keys <= self._ids.keys():
            return self._ids
        self.backend.insert_ignore("series", ("device", "interface"), sorted(keys - self._ids.keys()))
        return {(d, i): sid for sid, d, i in self.backend.execute("SELECT id, device, interface FROM series").fetchall()}

    # ------------------------------------------------------------------ reading

    @_faults("read")
    def newest_ms(self) -> int | None:
        values = self._one("SELECT (SELECT max(time_ms) FROM samples), (SELECT max(last_ms) FROM blocks)")
        present = [v for v in values if v is not None]
        return max(present) if present else None

    @_faults("read")
    def stored_times(self, devices: Iterable[str] | None = None) -> set[int]:
        """Every sample time stored; of the series of `devices` only, when given (a shard's replay)."""
        ids = None if devices is None else {sid for (d, _), sid in self._all_series().items() if d in set(devices)}
        if ids is None:
            times = {t for (t,) in self.backend.execute("SELECT DISTINCT time_ms FROM samples").fetchall()}
        else:
            times = {t for s, t in self.backend.execute("SELECT DISTINCT series, time_ms FROM samples").fetchall()
                     if s in ids}
        for series, day, blob in self.backend.execute("SELECT series, day, data FROM blocks").fetchall():
            if ids is None or series in ids:
                times.update(_unpack(blob, series, day)[:, 0].tolist())
        return times

    def _all_series(self) -> dict[tuple[str, str], int]:
        return {(d, i): sid for sid, d, i in self.backend.execute("SELECT id, device, interface FROM series").fetchall()}

    @_faults("read")
    def count(self) -> int:
        return int(self._one("SELECT (SELECT count(*) FROM samples) + (SELECT coalesce(sum(n), 0) FROM blocks)")[0])

    @_faults("read")
    def load(self, start_ms: int | None = None) -> Samples:
        """Samples at or after start_ms (all when None), ordered by series then time.

        Whole-array work only (a week of 1,000 series is 2 M rows in 7,000 blocks): see _gather."""
        series = self.backend.execute("SELECT id, device, interface FROM series ORDER BY id").fetchall()
        names = [(d, i) for _, d, i in series]
        start = -2**62 if start_ms is None else start_ms
        blocks = self.backend.execute("SELECT series, day, data FROM blocks WHERE day >= ? ORDER BY series, day",
                                      (start // DAY_MS,)).fetchall()
        columns = _gather(blocks, self._sample_rows("time_ms >= ?", start), start)
        if not len(columns[0]):
            return Samples(empty_frame(), names, str(self.path))
        ids = np.array([sid for sid, _, _ in series], dtype=np.int64)
        renumber = np.full(int(max(ids.max(initial=0), columns[0].max())) + 1, -1, dtype=np.int64)
        renumber[ids] = np.arange(len(ids))               # store ids -> 0..n-1: a sid indexes Samples.series
        frame = {"sid": renumber[columns[0]]}
        if frame["sid"].min() < 0:
            raise Corrupt(f"a sample of series id {int(columns[0][frame['sid'] < 0][0])}, which the series table lacks")
        for name, values in zip(BLOCK_COLUMNS, columns[1:]):
            # counters: the two's complement read back as stored; sysUpTime: -1 is unknown
            frame[name] = (values.view(np.uint64) if name in COUNTERS
                           else np.where(values >= 0, values, np.nan) if name == "sys_uptime" else values)
        # the arrays are new: a copy into pandas' 2-D blocks would only cost time and memory
        return Samples(pd.DataFrame({c: frame[c] for c in FRAME_COLUMNS}, copy=False), names, str(self.path))


def _gather(blocks: list[tuple], recent: np.ndarray, start: int) -> list[np.ndarray]:
    """The columns (series, *BLOCK_COLUMNS) of every row at or after `start`: those of the (series, day, data)
    blocks, in their order, and the (series, *BLOCK_COLUMNS) rows not compacted yet; by series, each series'
    blocks before its recent rows. (A late row for a compacted day may break time order: rates re-sort.)

    Every block's bytes and the recent rows, column after column as a block is, are joined into one buffer;
    each column is then gathered from it with one index. Blocks are checked as _unpack checks one, and the
    first damaged block is named as it names it."""
    row_bytes = 8 * len(BLOCK_COLUMNS)
    blobs = [bytes(b) if isinstance(b, memoryview) else b for _, _, b in blocks]
    if not all(isinstance(b, bytes) and b and not len(b) % row_bytes for b in blobs):
        _name_damaged(blocks, blobs)
    n = np.array([len(b) // row_bytes for b in blobs] + [len(recent)], dtype=np.int64)   # the recent rows last
    data = np.frombuffer(b"".join(blobs + [np.ascontiguousarray(recent[:, 1:].T, dtype="<i8").tobytes()]), dtype="<i8")
    first = np.repeat(np.cumsum(n) - n, n)                   # each row's block's first row, counted in rows
    offset = first * len(BLOCK_COLUMNS) + (np.arange(int(n.sum()), dtype=np.int64) - first)   # of its time
    stride = np.repeat(n, n)                                 # from one column of a block to the next
    series = np.concatenate([np.repeat(np.array([b[0] for b in blocks], dtype=np.int64), n[:-1]), recent[:, 0]])
    time, bits = data[offset], data[offset + (len(BLOCK_COLUMNS) - 1) * stride]
    compacted = slice(0, len(series) - len(recent))          # the blocks' rows come first
    day = np.repeat(np.array([b[1] for b in blocks], dtype=np.int64), n[:-1])
    if ((time[compacted] // DAY_MS != day) | ((bits[compacted] != 32) & (bits[compacted] != 64))).any():
        _name_damaged(blocks, blobs)
    keep = time >= start                                     # the first day's blocks may begin earlier
    # two sorted runs by series (the blocks', the recent rows'): a stable sort merges them in one pass
    order = np.argsort(series, kind="stable")
    if not keep.all():
        order = order[keep[order]]
    if len(order) != len(series) or (np.diff(order) != 1).any():
        offset, stride, series, time, bits = (a[order] for a in (offset, stride, series, time, bits))
    return [series, time] + [data[offset + j * stride] for j in range(1, len(BLOCK_COLUMNS) - 1)] + [bits]


def _name_damaged(blocks: list[tuple], blobs: list) -> None:
    """Raise Corrupt naming the first damaged block, as _unpack names it (the caller found one)."""
    for (series, day, _), blob in zip(blocks, blobs):
        _unpack(blob, series, day)


def _pack(block: np.ndarray) -> bytes:
    """(n, columns) int64 -> column-major bytes: a column reads back as one contiguous run."""
    return np.ascontiguousarray(block.T, dtype="<i8").tobytes()


def _unpack(blob: bytes, series: int, day: int) -> np.ndarray:
    """bytes -> (n, columns) int64 view (column-major underneath, read-only); a damaged block is Corrupt."""
    where = f"compacted block of series {series} for day {day} (UTC days since 1970)"
    row_bytes = 8 * len(BLOCK_COLUMNS)
    blob = bytes(blob) if isinstance(blob, memoryview) else blob
    if not isinstance(blob, bytes) or not blob or len(blob) % row_bytes:
        size = f"{len(blob)} bytes" if isinstance(blob, bytes) else f"a {type(blob).__name__}"
        raise Corrupt(f"{where} is damaged: {size}, not whole rows of {row_bytes} bytes")
    block = np.frombuffer(blob, dtype="<i8").reshape(len(BLOCK_COLUMNS), -1).T
    if (block[:, 0] // DAY_MS != day).any() or not np.isin(block[:, -1], (32, 64)).all():
        raise Corrupt(f"{where} is damaged: times outside its day or counter bits other than 32 and 64")
    return block
