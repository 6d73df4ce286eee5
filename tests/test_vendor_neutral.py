"""No vendor knowledge in src/: it lives in templates/<platform>/ (ARCHITECTURE.md, "The one idea").

The scan reads every module's syntax tree, so comments and docstrings (which may name vendors as
examples) are ignored; string literals (f-string parts included) and identifiers are not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "ecpartner"

PLATFORM_NAMES = ["huawei", "hp_comware", "cisco_ios", "cisco_xr", "juniper_junos", "arista_eos"]  # CONTRACT section 1
VENDOR_WORDS = [
    # vendors and operating systems
    "huawei", "cisco", "vrp", "ios", "junos", "juniper", "arista", "eos", "h3c", "comware",
    # interface names
    "gigabitethernet", "eth-trunk", "xgigabitethernet", "tengigabitethernet",
    # commands and configuration
    "display current", "display interface", "show running", "show interfaces", "show configuration",
    "system-view", "undo", "screen-length", "terminal length", "statistic enable", "qos car", "qos lr",
    "traffic-policy", "traffic policy", "service-policy", "police", "control-plane", "arp anti-attack",
    "arp speed-limit", "ip arp inspection", "icmp rate-limit",
    # error answers
    "unknown command", "invalid input", "unrecognized command",
]
_HIT = re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(w) for w in sorted(set(PLATFORM_NAMES + VENDOR_WORDS),
                                                                          key=len, reverse=True))
                  + r")(?![a-z])")   # digits may follow: GigabitEthernet0/0/1


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the constant nodes that are docstrings (module, class, function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def _texts(tree: ast.AST):
    """(line, text) of every string literal and identifier outside docstrings."""
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value
        elif isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.lineno, node.name
        elif isinstance(node, ast.arg):
            yield node.lineno, node.arg
        elif isinstance(node, ast.keyword) and node.arg:
            yield node.value.lineno, node.arg
        elif isinstance(node, ast.alias):
            yield node.lineno, f"{node.name} {node.asname or ''}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module


def vendor_words(source: str) -> list[tuple[int, str, str]]:
    """(line, word, text) for every vendor word in a module's literals and identifiers."""
    return [(line, m.group(0), text) for line, text in _texts(ast.parse(source))
            for m in _HIT.finditer(text.lower())]


def test_src_holds_no_platform_name_or_vendor_keyword():
    hits = [f"{path.relative_to(SRC.parent)}:{line}: {word!r} in {text[:80]!r}"
            for path in sorted(SRC.rglob("*.py"))
            for line, word, text in vendor_words(path.read_text(encoding="utf-8"))]
    assert not hits, "vendor knowledge belongs in templates/<platform>/:\n" + "\n".join(hits)


def test_the_scan_sees_literals_and_identifiers_but_not_comments_or_docstrings():
    source = '''"""Module docstring: Huawei VRP."""
def f(cisco_mode):  # a comment about Junos
    """Docstring: display current-configuration."""
    x = f"{cisco_mode} qos car {1}"
    return "unknown command" + ratios + display
'''
    words = sorted({word for _, word, _ in vendor_words(source)})
    assert words == ["cisco", "qos car", "unknown command"]
