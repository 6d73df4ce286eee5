"""What both store backends share below the store's logic: the column lists and the SQL that decodes a
compacted block (little-endian int64, column after column) for the `sample_rows` view."""

from __future__ import annotations

from ecpartner.telemetry.series import COUNTERS

SCHEMA_VERSION = 3   # 2: samples keyed (time, series); 3: sample_rows shows compacted days too
DAY_MS = 86_400_000
# A compacted row: time, the counters, sysUpTime (-1: unknown), counter bits.
BLOCK_COLUMNS = ("time_ms", *COUNTERS, "sys_uptime", "counter_bits")
COMPACTED = ("series", *BLOCK_COLUMNS[:-2], "coalesce(sys_uptime, -1)", "counter_bits")   # read by compact()
SAMPLE_COLUMNS = ("time_ms", "series", *COUNTERS, "sys_uptime", "counter_bits")   # as insert() writes them: key first


class Corrupt(Exception):
    """A stored row or block this code cannot read back (not written by it, or damaged)."""


def decoded_block_columns(int64_at) -> list[str]:
    """SQL expressions of BLOCK_COLUMNS for row `k` of a block of `n` rows: `int64_at(offset)` is the
    backend's SQL reading the int64 at a byte offset (an SQL expression) of the block's data."""
    return [int64_at(f"(({j} * n + k) * 8)") for j in range(len(BLOCK_COLUMNS))]
