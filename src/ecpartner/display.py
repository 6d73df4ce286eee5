"""Neutralise untrusted text (device output, inventory values, error messages) for where it is shown.

Bottom layer: imports nothing from ecpartner. `safe()` is the one rule: control characters (C0, DEL,
C1) and the invisible characters that reorder or hide text (bidi embeddings, overrides, isolates and
marks, zero-width characters, line/paragraph separators) are written as visible escapes (`\\x1b`,
`\\u202e`), so a terminal shows them instead of obeying them and a reader sees what is really there.
The format helpers below apply `safe()` first, then the escaping of their format.
"""

from __future__ import annotations

import html
import os
import re

# Everything but C0 (which JSON already escapes, and whose \n is also JSON's own layout).
_INVISIBLE = "\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
_UNSAFE = re.compile(f"[\x00-\x1f{_INVISIBLE}]")
_UNSAFE_IN_JSON = re.compile(f"[{_INVISIBLE}]")
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")          # what XML 1.0 cannot carry once C0 is gone
# Inline markup, table pipes, and '<' (it opens a tag or an autolink: markdown renders inline HTML) are
# backslash-escaped, which CommonMark allows before any ASCII punctuation; '&' only where it would start
# an entity reference. '>' is left alone: it means something only at the start of a line, and a cell
# never starts one. So a reader sees `>= 2` in the file and on the page.
_MARKDOWN = re.compile(r"([\\`*_\[\]#~|<]|&(?=#?\w+;))")
_FORMULA_START = ("=", "+", "-", "@")    # OWASP CSV injection prefixes; tab and CR are escaped by safe()


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe(value: object) -> str:
    """One line of text for a terminal or a report: nothing in it is obeyed, everything is visible."""
    return _UNSAFE.sub(_visible, str(value))


def safe_lines(value: object) -> str:
    """Like safe(), but the text keeps its line breaks (\\n): for multi-line messages."""
    return "\n".join(safe(line) for line in str(value).split("\n"))


def json_text(dumped: str) -> str:
    """json.dumps(..., ensure_ascii=False) output with the invisible characters as \\uXXXX escapes
    (valid JSON, same value when parsed); C0 is escaped by json.dumps already."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def html_text(value: object) -> str:
    """Text or attribute value for HTML: safe(), then html.escape (quotes included)."""
    return html.escape(safe(value), quote=True)


def xml_text(value: object) -> str:
    """Text or attribute value for XML (ElementTree escapes markup): safe_lines(), and what XML 1.0
    forbids even escaped (surrogates, U+FFFE/FFFF) shown as \\uXXXX instead of breaking the file."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", safe_lines(value))


def markdown_text(value: object) -> str:
    """One-line, table-cell-safe markdown: markup characters, pipes and HTML openers backslash-escaped
    (not turned into entities: the file stays readable), line breaks as <br>."""
    return "<br>".join(_MARKDOWN.sub(r"\\\1", line.strip()) for line in safe_lines(value).split("\n"))


def color_wanted(stream) -> bool:
    """ANSI colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org)."""
    return not os.environ.get("NO_COLOR") and bool(getattr(stream, "isatty", lambda: False)())


def csv_cell(value: object) -> object:
    """A CSV cell (the csv module quotes it): safe() text, and a leading '=', '+', '-' or '@' prefixed
    with "'" so a spreadsheet does not run it as a formula. Numbers, also '-5' as text, stay."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = safe(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
