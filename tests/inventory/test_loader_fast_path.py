"""The loader's speed-ups (memoized tag resolution, shared scalar values, string shortcuts, paused GC) must read
YAML exactly as PyYAML's SafeLoader does (YAML 1.1), and keep every message."""

from __future__ import annotations

import gc
import math
from pathlib import Path

import pytest
import yaml

from ecpartner import inventory_loader
from ecpartner.errors import InputError
from ecpartner.inventory_loader import load_inventory

VALID = (Path(__file__).parent / "valid_inventory.yaml").read_text()

# Values repeat on purpose, plain and quoted, so that the memoized resolver and the shared scalars are exercised.
TRICKY = """\
booleans: [yes, Yes, YES, no, No, NO, on, On, ON, off, Off, OFF, true, True, TRUE, false, False, FALSE,
           y, n, Y, N, "yes", 'no', "on", yes, off]
ints: [0, -42, +7, 017, 0x1F, 0b101, 1_000, 190:20:30, '017', "0x1F", 017, 0o17, 09, 3001, 3001]
floats: [1.5, -1.5, 6.8523015e+5, 1e3, 190:20:30.15, .inf, -.Inf, +.INF, .nan, .NaN, "1.5", 2.5G, 1.5]
nulls: [~, null, Null, NULL, "~", 'null', ~]
empty:
timestamps: [2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10 -5, 2002-12-14, 2026-11-26T00:00:00+08:00,
             "2026-11-26", 2026-11-26T00:00:00Z, 2002-12-14]
tagged: [!!str 123, !!str yes, !!int "42", !!float "1", !!bool "yes", !!null "", !!binary aGVsbG8=, !!str ~, 123]
text: [plain text, 'single ''quoted''', "double \\"quoted\\" \\x41 \\u00e9", Zhōngguó 中国, 200M, 50M, enabled]
multi: plain scalar
  over two lines
literal: |
  line one
    indented
folded: >
  folded
  text
keys: {1: int key, 2026-01-01: date key, ~: null key, 1.5: float key, "1": str key, 017: octal key}
bool_keys: {yes: bool key, off: another}
base: &base {a: 1, b: two, c: [x, y]}
merged: {<<: *base, b: three, d: 4}
multi_merge: {<<: [*base, {e: 5, a: 0}], f: 6}
block_merge:
  <<: *base
  z: last
aliases: [*base, *base]
scalar_alias: &s yes
scalar_alias_again: *s
nested: [[1, [2, [3, yes]]], {k: [{v: on}]}]
"""


@pytest.fixture(autouse=True)
def in_tmp_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)


def same(ours: object, theirs: object, where: str = "") -> None:
    """Equal value and the same type (1 and True are equal in Python, not in YAML); NaN matches NaN."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs), where
        for key in theirs:
            assert [type(k) for k in ours if k == key] == [type(key)], f"{where}: key {key!r}"
            same(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            same(a, b, f"{where}[{i}]")
    else:
        assert type(ours) is type(theirs), f"{where}: {ours!r} vs {theirs!r}"
        assert ours == theirs or (isinstance(ours, float) and math.isnan(ours) and math.isnan(theirs)), where


@pytest.mark.parametrize("loader", ["FAST_LOADER", "PURE_LOADER"])
def test_tricky_yaml_reads_exactly_as_pyyaml_safe_load(loader: str) -> None:
    loader_class = getattr(inventory_loader, loader)
    assert loader_class is not None, "libyaml is part of the environment: the fast path must be tested"
    problems: list[tuple] = []
    ours = inventory_loader._compose_with(loader_class, TRICKY, "tricky.yaml", lambda *p: problems.append(p))
    theirs = yaml.safe_load(TRICKY)
    assert problems == []
    same(ours, theirs)
    # spot checks, so that a PyYAML change is noticed too
    assert ours["booleans"][:3] == [True, True, True] and ours["booleans"][18:20] == ["y", "n"]
    assert ours["ints"][3:8] == [15, 31, 5, 1000, 685230] and ours["ints"][8:10] == ["017", "0x1F"]
    assert ours["ints"][11:13] == ["0o17", "09"] and ours["floats"][3] == "1e3"
    assert ours["nulls"] == [None, None, None, None, "~", "null", None] and ours["empty"] is None
    assert ours["merged"] == {"a": 1, "b": "three", "c": ["x", "y"], "d": 4}
    assert ours["multi_merge"] == {"a": 1, "b": "two", "c": ["x", "y"], "e": 5, "f": 6}
    assert ours["aliases"][0] is ours["aliases"][1] is ours["base"]  # an alias is the same object
    assert ours["merged"].key_lines["d"] == TRICKY.splitlines().index(next(
        line for line in TRICKY.splitlines() if line.startswith("merged:"))) + 1


def test_the_fast_loader_is_libyaml() -> None:
    assert issubclass(inventory_loader.FAST_LOADER, yaml.CSafeLoader)
    assert issubclass(inventory_loader.PURE_LOADER, yaml.SafeLoader)


def test_duplicate_keys_are_reported_by_the_fast_path() -> None:
    problems: list[tuple] = []
    inventory_loader._compose_with(inventory_loader.FAST_LOADER, "a: {x: 1, y: 2, x: 3}\nb: 1\nb: 2\n", "d.yaml",
                                   lambda *p: problems.append(p))
    # a mapping's own keys are checked before its values are read, as before the fast path
    assert problems == [(3, "b", "duplicate key 'b' (first at line 2)"), (1, "a.x", "duplicate key 'x' (first at line 1)")]


@pytest.mark.parametrize(("value", "problem"), [
    ("!!bool maybe", "'maybe' is not a !!bool"),  # PyYAML itself raises KeyError here
    ("!!timestamp soon", "'soon' is not a !!timestamp"),  # ... and AttributeError here
    ("!!int x", "invalid literal for int() with base 10: 'x'"),
])
def test_a_value_pyyaml_cannot_construct_is_a_message_not_a_traceback(value: str, problem: str) -> None:
    assert "    vlan: 100\n" in VALID
    path = Path("inventory.yaml")
    path.write_text(VALID.replace("    vlan: 100\n", f"    vlan: {value}\n", 1))
    line = VALID.splitlines().index("    vlan: 100") + 1
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    assert caught.value.messages == [f"inventory.yaml:{line}: hosted_connections[0].vlan: cannot read this value: {problem}"]


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collection_is_restored_after_loading(enabled: bool) -> None:
    path = Path("inventory.yaml")
    try:
        gc.enable() if enabled else gc.disable()
        path.write_text(VALID)
        load_inventory(path)
        assert gc.isenabled() is enabled
        path.write_text(VALID.replace("vlan: 100", "vlan: x", 1))
        with pytest.raises(InputError):
            load_inventory(path)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_a_key_that_cannot_be_read_is_reported_once_with_its_line() -> None:
    problems: list[tuple] = []
    inventory_loader._compose_with(inventory_loader.FAST_LOADER, "a:\n  x: 1\n  !!int abc: 2\n  ? [k]\n  : 3\n",
                                   "k.yaml", lambda *p: problems.append(p))
    # (PyYAML, asked twice for the same broken node, used to add 'found unconstructable recursive node')
    assert problems == [(3, "a", "cannot read this value: invalid literal for int() with base 10: 'abc'"),
                        (4, "a", "a key must be a plain name, not a list or mapping")]


def test_shared_scalars_still_report_every_place_a_bad_value_is_written() -> None:
    # values are built once per (tag, text) and shared; a value that cannot be built is never remembered
    text = "a: [!!int x, 1, !!int x]\nb: {k: !!int x, j: 1}\nc: [1, 1]\n"
    problems: list[tuple] = []
    root = inventory_loader._compose_with(inventory_loader.FAST_LOADER, text, "s.yaml", lambda *p: problems.append(p))
    bad = "cannot read this value: invalid literal for int() with base 10: 'x'"
    assert problems == [(1, "a[0]", bad), (1, "a[2]", bad), (2, "b.k", bad)]
    assert root["a"][1] == 1 and root["b"]["j"] == 1 and root["c"] == [1, 1] and type(root["c"][0]) is int


def test_a_bad_key_before_a_merge_key_is_reported_as_before() -> None:
    problems: list[tuple] = []
    root = inventory_loader._compose_with(inventory_loader.FAST_LOADER, "b: &b {x: 1}\na:\n  ? [k]\n  : 3\n  <<: *b\n  y: 2\n",
                                          "m.yaml", lambda *p: problems.append(p))
    assert problems == [(3, "a", "a key must be a plain name, not a list or mapping")]
    assert root["a"] == {"x": 1, "y": 2} and root["a"].key_lines == {"x": 1, "y": 6}
