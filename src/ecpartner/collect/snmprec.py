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
# the fast reader's: where str.splitlines() breaks a line besides "\n"; the bytes other than ".", "|" and "\n"
_OTHER_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_NOT_DOTS_OR_SEPARATORS = bytes(sorted(set(range(256)) - set(b".|\n")))
_LINE_SEPARATORS = b"||\n"
_DIGITS_AND_DOT = b"0123456789."
_TWO_DOTS = re.compile(rb"\.\.")     # re finds this literal twice as fast as `in` among so many dots


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
    """A recording as snmpsim and we write it (records only, no indent, no variation modules, no "|" in a value),
    read in one split of the whole text and checked in a few passes of C; None for anything else, which the
    line-by-line reader reads or refuses with its line number."""
    if not text:
        return {}
    if any(ch in text for ch in _OTHER_LINE_BREAKS):
        return None
    # a line's skeleton: the dots of its OID, "|", its tag's, "|", its value's, "\n" (none after a last line)
    skeleton = text.encode().translate(None, _NOT_DOTS_OR_SEPARATORS)
    separators = skeleton.translate(None, b".")
    last = b"" if text.endswith("\n") else b"||"
    # exactly two "|" a line (the separators, in order, "||\n" a line) and a dot in every OID (no line's skeleton
    # starts with "|")
    if (separators != _LINE_SEPARATORS * (len(separators) // 3) + last
            or skeleton.startswith(b"|") or b"\n|" in skeleton):
        return None
    fields = text.replace("\n", "|").split("|")      # OID, TAG, VALUE, OID, ... (and "" after a last "\n")
    if ":" in "|".join(fields[1::3]):                # a tag naming a variation module (70:numeric)
        return None
    triples = iter(fields)
    walk = dict(zip(triples, zip(triples, triples)))   # zip takes OID, then (TAG, VALUE): all in C, no loop of ours
    # every OID dotted digits, as the line reader's pattern: between dots, only digits and dots, no empty part
    oids = ("." + ".".join(walk) + ".").encode()
    if oids.translate(None, _DIGITS_AND_DOT) or _TWO_DOTS.search(oids):
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
