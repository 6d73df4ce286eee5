"""Commands on top (ARCHITECTURE.md "Layers"): only commands/ and cli.py read arguments, print, write to
stdout or stderr and exit; library modules return values (a live run reports its progress through a
callback, drawn by commands/progress.py). The log handler (logsetup.py) writes to stderr by design.

The scan reads every module's syntax tree, so comments and docstrings that mention print() do not count.
"""

from __future__ import annotations

import argparse
import ast
from importlib import import_module
from pathlib import Path

from ecpartner.cli import build_parser

SRC = Path(__file__).resolve().parents[1] / "src" / "ecpartner"
ALLOWED = {"cli.py", "logsetup.py"}
STREAMS = {"stdout", "stderr", "exit"}      # sys.<name>


def _allowed(path: Path) -> bool:
    rel = path.relative_to(SRC).as_posix()
    return rel.startswith("commands/") or rel in ALLOWED


def _hits(tree: ast.AST):
    """(line, what) of every command-layer construct in one module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            yield node.lineno, "print()"
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "sys" and node.attr in STREAMS:
                yield node.lineno, f"sys.{node.attr}"
            elif node.value.id == "args":
                yield node.lineno, f"args.{node.attr}"
        elif isinstance(node, ast.Import) and any(a.name == "argparse" for a in node.names):
            yield node.lineno, "import argparse"
        elif isinstance(node, ast.ImportFrom) and (node.module == "argparse" or node.module == "sys" and any(
                a.name in STREAMS for a in node.names)):
            yield node.lineno, f"from {node.module} import ..."


def test_only_commands_print_exit_or_read_arguments():
    hits = [f"{path.relative_to(SRC)}:{line}: {what}"
            for path in sorted(SRC.rglob("*.py")) if not _allowed(path)
            for line, what in sorted(_hits(ast.parse(path.read_text(encoding="utf-8"), str(path))))]
    assert hits == [], "printing, exiting or argument handling outside commands/:\n" + "\n".join(hits)


def test_the_scan_sees_each_construct():
    source = ("import argparse\nfrom sys import stdout\nimport sys\nprint(1)\nsys.stderr.write('x')\n"
              "sys.exit(2)\nx = args.inventory\n")
    assert [what for _, what in sorted(_hits(ast.parse(source)))] == [
        "import argparse", "from sys import ...", "print()", "sys.stderr", "sys.exit", "args.inventory"]


def _handlers(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                if sub.get_default("handler"):
                    yield sub.get_default("handler")
                yield from _handlers(sub)


def test_every_subcommand_is_handled_in_commands():
    handlers = list(_handlers(build_parser()))
    assert len(handlers) == 12     # check, diff, plan, render, remediate, collect, cloud collect/import, telemetry poll/import/report/run
    assert [h for h in handlers if not h.startswith("ecpartner.commands.")] == []
    for handler in handlers:
        module, function = handler.split(":")
        assert callable(getattr(import_module(module), function)), handler
