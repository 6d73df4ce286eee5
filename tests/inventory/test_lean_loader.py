"""The fast loader (libyaml parsing, lean marks) composes exactly what PyYAML's own loader composes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ecpartner import inventory_loader as loader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ANCHORED = """
defaults: &d {status: enabled, bandwidth: 200M}
list:
  - <<: *d
    id: a
  - [1, 2.5, "x", ~, true, 2026-11-26]
  - *d
"""


def _shape(node: yaml.Node, seen: set[int]) -> object:
    """(tag, line, value) all the way down; an alias (a node seen before) as its line only."""
    if id(node) in seen:
        return ("alias", node.start_mark.line)
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.start_mark.line, node.value)
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, node.start_mark.line, [_shape(n, seen) for n in node.value])
    return (node.tag, node.start_mark.line, [(_shape(k, seen), _shape(v, seen)) for k, v in node.value])


@pytest.mark.skipif(loader.FAST_LOADER is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", [(FIXTURES / "demo" / "inventory.yaml").read_text(encoding="utf-8"), ANCHORED],
                         ids=["demo", "anchors"])
def test_the_fast_loader_composes_the_same_tree_with_the_same_lines(text):
    fast, pure = loader.FAST_LOADER(text), loader.PURE_LOADER(text)
    try:
        assert _shape(fast.get_single_node(), set()) == _shape(pure.get_single_node(), set())
    finally:
        fast.dispose()
        pure.dispose()


def test_a_loaded_inventory_keeps_no_string_of_the_node_tree():
    """Kept strings are copies: the composer's own would pin the tree's memory after it is freed."""
    text = (FIXTURES / "demo" / "inventory.yaml").read_text(encoding="utf-8")
    composer = (loader.FAST_LOADER or loader.PURE_LOADER)(text)
    node = composer.get_single_node()
    reader = loader._Reader(composer, lambda *problem: None)
    root = reader.value(node, "")
    first = node.value[0][1]                 # the value node of the first key
    while not isinstance(first, yaml.ScalarNode):
        first = first.value[0][1] if isinstance(first, yaml.MappingNode) else first.value[0]
    values = [root]
    strings = []
    while values:
        v = values.pop()
        if isinstance(v, dict):
            values += list(v.values())
        elif isinstance(v, list):
            values += v
        elif isinstance(v, str):
            strings.append(v)
    assert first.value in strings and all(s is not first.value for s in strings)
