"""The fast .snmprec reader (one split of the whole text) answers exactly as the line-by-line reader does, or
declines (None) and leaves the text to it: for every text, including the ones the line reader refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecpartner.collect.snmprec import _read_line_by_line, _read_plain, format_snmprec
from ecpartner.errors import InputError

OIDS = st.sampled_from(["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.2.2.1.2.1", "1.3", "2.5.4", "1.03.6", "7", "1..3", "1.3.",
                        ".1.3", "", "x.3.6", " 1.3.6", "1.3.6 ", "1.3.\u0666", "1|3"])
TAGS = st.sampled_from(["2", "4", "4x", "65", "70", "", "70:numeric", "4:x", " 4"])
VALUES = st.sampled_from(["5", "", "Gi0/0/1", "to core ", "a|b", "rate=100,initial=77", "caf\u00e9", "\t", "x:y",
                          "a\rb", "a\x0bb", "a\x85b", "a\u2028b", "a\x1cb"])
LINES = st.one_of(st.tuples(OIDS, TAGS, VALUES).map("|".join),
                  st.sampled_from(["", "# a comment", "   ", "1.3.6.1|4", "no record", "\t1.3.6.1|4|v"]))
ENDINGS = st.sampled_from(["\n", "\r\n", "\n\n", ""])


def line_reader(text: str):
    try:
        return _read_line_by_line(Path("dev.snmprec"), text)
    except InputError as e:
        return e


@settings(max_examples=1500, deadline=None)
@given(st.lists(LINES, max_size=6), st.sampled_from(["\n", "\r\n"]), ENDINGS)
def test_the_fast_reader_reads_as_the_line_reader_or_declines(lines, newline, ending):
    text = newline.join(lines) + (ending if lines else "")
    fast = _read_plain(text)
    if fast is not None:
        assert fast == line_reader(text)


PLAIN_WALKS = st.dictionaries(
    st.lists(st.integers(0, 4000), min_size=1, max_size=12).map(lambda parts: "1." + ".".join(map(str, parts))),
    st.tuples(st.sampled_from(["2", "4", "4x", "65", "66", "67", "70"]),
              st.text(st.characters(blacklist_characters="|", blacklist_categories=("Cc", "Zl", "Zp", "Cs")),
                      max_size=20)),
    max_size=30)


@settings(max_examples=300, deadline=None)
@given(PLAIN_WALKS)
def test_a_recording_as_we_write_it_takes_the_fast_reader(walk):
    text = format_snmprec(walk)
    assert _read_plain(text) == walk == line_reader(text)
    assert _read_plain(text.rstrip("\n")) == walk          # a last line without its newline


BAD_OIDS = ["7", "", "1..3", "1.3.", ".1.3", "x.3", "1.3 ", "1.\u0663", "1.3#"]


@settings(max_examples=500, deadline=None)
@given(PLAIN_WALKS.filter(len), st.data())
def test_one_bad_record_anywhere_leaves_the_recording_to_the_line_reader(walk, data):
    lines = format_snmprec(walk).splitlines()
    at = data.draw(st.integers(0, len(lines) - 1))
    oid, tag, value = lines[at].split("|", 2)
    lines[at] = data.draw(st.sampled_from([f"{bad}|{tag}|{value}" for bad in BAD_OIDS] + [
        f"{oid}|70:numeric|initial=5", f"{oid}|{tag}|{value}|more", f"{oid}|{tag}", f"  {lines[at]}", "# comment", ""]))
    text = "\n".join(lines) + data.draw(st.sampled_from(["\n", ""]))
    slow = line_reader(text)
    assert _read_plain(text) is None or _read_plain(text) == slow
    if isinstance(slow, InputError):
        assert _read_plain(text) is None


@pytest.mark.parametrize("text", ["1.3.6.1|4|a|b\n", "1.3.6.1|4|a\n7|4|b\n", "1.3.6.1|4|a\n1.3.6.2|4\n", "1.3.6.1|70:numeric|initial=5\n",
                                  "1.3.6.1|4|a\r\n", "1.3.6.1|4|a\n\n", "7|4|v\n", "1.3..6|4|v\n"])
def test_what_the_fast_reader_leaves_to_the_line_reader(text):
    # a "|" in a value, an OID of one part, a short line, a variation, CRLF, a blank line, bad OIDs: the line reader's to read or refuse
    assert _read_plain(text) is None
