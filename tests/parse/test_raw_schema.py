"""The RAW SCHEMA has one definition (ecpartner.parse.raw): every record every template produces on every
parser case uses only its groups and keys, nested records included, so a template cannot drift from it."""

from __future__ import annotations

import typing

import pytest

from ecpartner.parse import raw_records
from ecpartner.parse.raw import Raw
from ecpartner.platforms import platform_spec

from helpers.platforms import case_id, case_platform, parse_cases

CASES = parse_cases()


def _typed_dict(hint) -> type | None:
    """The TypedDict a field holds (itself, or inside list[...] / X | list[X]); None for plain values."""
    if typing.is_typeddict(hint):
        return hint
    for arg in typing.get_args(hint):
        if found := _typed_dict(arg):
            return found
    return None


def unknown_keys(record, schema: type, path: str) -> list[str]:
    """Paths of the keys of `record` (and of its nested records) that `schema` does not define."""
    fields = typing.get_type_hints(schema)
    found = []
    for item in record if isinstance(record, list) else [record]:
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            if key not in fields:
                found.append(f"{path}.{key}")
            elif nested := _typed_dict(fields[key]):
                found += unknown_keys(value, nested, f"{path}.{key}")
    return found


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_templates_produce_only_raw_schema_keys(case):
    platform = case_platform(case)
    text = case.read_text(encoding="utf-8")
    for command in platform_spec(platform).commands:
        assert unknown_keys(raw_records(platform, command.command, text), Raw, command.command) == []


def test_unknown_keys_are_found_at_any_depth():
    raw = {"interfaces": [{"name": "x", "qos": {"direction": "in", "cir": 1}}], "vlans": [{}]}
    assert unknown_keys(raw, Raw, "r") == ["r.interfaces.qos.cir", "r.vlans"]
