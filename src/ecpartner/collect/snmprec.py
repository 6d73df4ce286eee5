"""Read and write SNMP walks in snmpsim's .snmprec format: `OID|TAG|VALUE`, one record a line, sorted by OID.

A walk is `{oid: (tag, value)}` with the dotted OID (no leading dot), snmprec's type tag ('2' Integer,
'4' OctetString, '4x' hex OctetString, '65' Counter32, '66' Gauge32, '67' TimeTicks, '70' Counter64, ...)
and the value as text. Live collectors produce the same shape, so recorded and live runs read alike.
"""

from __future__ import annotations

import re
from pathlib import Path

from ecpartner.errors import InputError

Walk = dict[str, tuple[str, str]]
_OID = re.compile(r"^\d+(\.\d+)+$")


def oid_key(oid: str) -> tuple[int, ...]:
    return tuple(int(part) for part in oid.split("."))


def read_snmprec(path: Path) -> Walk:
    """Parse a .snmprec file. Variation records (`70:numeric|rate=...,initial=N`) read as their initial value."""
    walk: Walk = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read SNMP recording: {e}") from None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
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
