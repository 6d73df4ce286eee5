"""Counter samples in memory, and the fixture series files that carry them (contract section 7).

A `Samples` holds one row per (series, time): `sid` numbers a (device, interface) pair, `time_ms` is
epoch milliseconds (UTC), the eight counters are exact uint64 (a Counter64 reaches 2^64 - 1: subtract
them only as rates.py does, modulo 2^64), `sys_uptime` is float (NaN when the device did not say) and
`counter_bits` is 32 or 64. Both the SQLite store and the CSV reader produce it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ecpartner.errors import InputError
from ecpartner.telemetry.sources import fixture_files  # noqa: F401  (its old home)

COUNTERS = ("in_octets", "out_octets", "in_packets", "out_packets",
            "in_discards", "out_discards", "in_errors", "out_errors")
CSV_COLUMNS = ("time", "device", "interface", *COUNTERS, "sys_uptime", "counter_bits")
FRAME_COLUMNS = ("sid", "time_ms", *COUNTERS, "sys_uptime", "counter_bits")
INT64_MAX = "9223372036854775807"
UINT64_MAX = "18446744073709551615"
MAX_MESSAGES = 20   # a broken file gets this many precise messages, not thousands


@dataclass
class Samples:
    frame: pd.DataFrame                 # FRAME_COLUMNS
    series: list[tuple[str, str]]       # sid -> (device, interface)
    source: str                         # where they came from, for messages

    def __len__(self) -> int:
        return len(self.frame)

    def sids_by_key(self) -> dict[tuple[str, str], int]:
        return {key: sid for sid, key in enumerate(self.series)}

    def since(self, start_ms: int) -> Samples:
        return Samples(self.frame[self.frame["time_ms"] >= start_ms].reset_index(drop=True), self.series, self.source)


def empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="int64") for c in FRAME_COLUMNS})
    return frame.astype({"sys_uptime": "float64", **{c: "uint64" for c in COUNTERS}})


def read_csv_files(paths: list[Path]) -> Samples:
    """Read and validate series files; every bad value is reported as 'file:line: column: problem'."""
    frames, problems = [], []
    for path in paths:
        frame = _read_one(path, problems)
        if frame is not None:
            frames.append(frame)
    if problems:
        extra = len(problems) - MAX_MESSAGES
        raise InputError(problems[:MAX_MESSAGES] + ([f"... and {extra} more problems"] if extra > 0 else []))
    source = ", ".join(str(p) for p in paths)
    if not frames:
        return Samples(empty_frame(), [], source)
    raw = pd.concat(frames, ignore_index=True)
    keys = pd.MultiIndex.from_frame(raw[["device", "interface"]])
    codes, uniques = pd.factorize(keys)
    frame = raw.drop(columns=["device", "interface"])
    frame.insert(0, "sid", codes.astype("int64"))
    return Samples(frame[list(FRAME_COLUMNS)], [tuple(u) for u in uniques], source)


def _read_one(path: Path, problems: list[str]) -> pd.DataFrame | None:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        problems.append(f"{path}: cannot read telemetry series: {str(e).strip()}")
        return None
    columns = [c.strip() for c in raw.columns]
    if columns != list(CSV_COLUMNS):
        missing = [c for c in CSV_COLUMNS if c not in columns]
        unknown = [c for c in columns if c not in CSV_COLUMNS]
        detail = "; ".join(filter(None, [missing and f"missing {', '.join(missing)}",
                                         unknown and f"unknown {', '.join(unknown)}"])) or "columns out of order"
        problems.append(f"{path}:1: header must be {','.join(CSV_COLUMNS)} ({detail})")
        return None
    raw.columns = columns
    line = raw.index.to_numpy() + 2   # header is line 1

    def bad(mask, column: str, why: str) -> None:
        for i in np.flatnonzero(np.asarray(mask))[:MAX_MESSAGES]:
            problems.append(f"{path}:{line[i]}: {column}: {raw[column].iat[i]!r} {why}")

    out = pd.DataFrame(index=raw.index)
    text = raw["time"].str.strip()
    has_offset = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    times = pd.to_datetime(text.where(has_offset), format="ISO8601", utc=True, errors="coerce")
    bad(times.isna(), "time", "is not an ISO 8601 time with an offset")
    out["time_ms"] = times.dt.as_unit("ms").astype("int64").where(times.notna(), 0)
    for column in ("device", "interface"):
        out[column] = raw[column].str.strip()
        bad(out[column] == "", column, "is empty")
    for column in (*COUNTERS, "sys_uptime", "counter_bits"):
        out[column] = _exact_int(raw[column], lambda mask, c=column: bad(mask, c, "is not a non-negative integer"),
                                 unsigned=column in COUNTERS)
    bad(~out["counter_bits"].isin([32, 64]), "counter_bits", "is not 32 or 64")
    for column in COUNTERS:
        bad((out["counter_bits"] == 32) & (out[column] >= 2**32), column, "does not fit a 32-bit counter")
    out["sys_uptime"] = out["sys_uptime"].astype("float64")
    return out


def _exact_int(text: pd.Series, report, unsigned: bool = False) -> pd.Series:
    """Digits -> int64, or uint64 for counters (up to 2^64 - 1), without passing through float (every digit counts)."""
    text = text.str.strip()
    digits, largest = (20, UINT64_MAX) if unsigned else (19, INT64_MAX)
    longest = text.str.fullmatch(rf"[0-9]{{{digits}}}") & (text <= largest)   # same length: text order is number order
    ok = text.str.fullmatch(rf"[0-9]{{1,{digits - 1}}}") | longest
    report(~ok)
    return text.where(ok, "0").astype("uint64" if unsigned else "int64")
