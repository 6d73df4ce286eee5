"""Read and write SNMP walks in snmpsim's .snmprec format: `OID|TAG|VALUE`, one record a line, sorted by OID.

A walk is `{oid: (tag, value)}` with the dotted OID (no leading dot), snmprec's type tag ('2' Integer,
'4' OctetString, '4x' hex OctetString, '65' Counter32, '66' Gauge32, '67' TimeTicks, '70' Counter64, ...)
and the value as text. Live collectors produce the same shape, so recorded and live runs read alike.
"""

from __future__ import annotations

import operator
import re
from pathlib import Path

from ecpartner.errors import InputError

Walk = dict[str, tuple[str, str]]
_OID = re.compile(r"^\d+(\.\d+)+$")
_DIGITS_AND_DOTS = str.maketrans("", "", "0123456789.")
_FIRST, _SECOND, _THIRD = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2)


def oid_key(oid: str) -> tuple[int, ...]:
    return tuple(int(part) for part in oid.split("."))


def read_snmprec(path: Path) -> Walk:
    """Parse a .snmprec file. Variation records (`70:numeric|rate=...,initial=N`) read as their initial value.
    Values are kept to the end of their line, spaces included."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read SNMP recording: {e}") from None
    walk = _read_plain(text)
    return walk if walk is not None else _read_line_by_line(path, text)


def _read_plain(text: str) -> Walk | None:
    """A recording as snmpsim and we write it (records only, no indent, no variation modules), read at the
    speed of a plain split and checked in a few passes of C; None for anything else, which the line-by-line
    reader reads or refuses with its line number."""
    rows = [line.split("|", 2) for line in text.splitlines()]
    if rows and min(map(len, rows)) != 3:     # a line without two "|": a comment, a blank line, or no record
        return None
    # built by C iterators (zip, map, itemgetter): twice as fast as a comprehension unpacking each row
    walk = dict(zip(map(_FIRST, rows), zip(map(_SECOND, rows), map(_THIRD, rows))))
    oids = "|" + "|".join(walk) + "|"
    # every OID dotted digits under 1. (iso: all of a real recording) and no tag naming a variation module
    if (oids.count("|1.") != len(walk) or oids.translate(_DIGITS_AND_DOTS).strip("|")
            or ".." in oids or ".|" in oids or ":" in "|".join(map(_SECOND, rows))):
        return None
    return walk


def _read_line_by_line(path: Path, text: str) -> Walk:
    walk: Walk = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.lstrip()     # an indent is tolerated; the value is kept as it is (an ifAlias may end in a space)
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("|", 2)
        if len(parts) != 3 or not _OID.match(parts[0]):
            raise InputError(f"{path}:{number}: not an snmprec record (OID|TAG|VALUE): {line[:60]!r}")
        oid, tag, value = parts
        if ":" in tag:  # snmpsim variation module, e.g. 70:numeric
            tag, _, module = tag.partition(":")
            if module == "numeric":
                options = dict(item.split("=", 1) for item in value.split(",") if "=" in item)
                value = options.get("initial", options.get("value", "0"))
        walk[oid] = (tag, value)
    return walk


def format_snmprec(walk: Walk) -> str:
    return "".join(f"{oid}|{tag}|{value}\n" for oid, (tag, value) in sorted(walk.items(), key=lambda kv: oid_key(kv[0])))


def write_snmprec(path: Path, walk: Walk) -> None:
    from ecpartner.atomic import write_text_atomic

    write_text_atomic(path, format_snmprec(walk))


def text_value(tag: str, value: str) -> str:
    """An OctetString as text: snmprec writes non-printable strings as hex ('4x')."""
    if tag == "4x":
        try:
            return bytes.fromhex(value).decode("utf-8", "replace")
        except ValueError:
            return value
    return value
