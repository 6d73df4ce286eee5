"""The shape of the code (ARCHITECTURE.md "Layers"): a module imports only from its own stage or a stage
below it, so data flows one way and no import circle can form. The stages, top to bottom, as the issue
that set them out names them. A new module must be placed here: an unplaced one fails the test.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "ecpartner"

STAGES = [                    # top first; a name is a module or a package of src/ecpartner
    {"cli", "__main__", "commands"},
    {"check", "plan", "cloud_import", "convert"},
    {"rules", "report", "remediate"},
    {"telemetry"},
    {"parse"},
    {"collect", "render", "cloud_runbook", "inventory_loader", "placement"},
    {"inventory", "state", "findings", "platforms", "ifmib", "safetext", "display", "logsetup", "atomic",
     "errors", "gc_pause", "fleet_layout", "timefmt", "cloud_state", "__init__"},
]
RANK = {name: level for level, names in enumerate(STAGES) for name in names}


def _unit(module: str) -> str:
    """ecpartner.collect.ssh -> collect; ecpartner -> __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name == "ecpartner" or name.startswith("ecpartner."):
                yield node.lineno, name


def test_every_module_imports_only_its_stage_or_below():
    unplaced, upward = [], []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        unit = rel.parts[0].removesuffix(".py")
        if unit not in RANK:
            unplaced.append(str(rel))
            continue
        for line, name in _imports(path):
            target = _unit(name)
            if target not in RANK:
                unplaced.append(f"{rel}:{line}: {name}")
            elif RANK[target] < RANK[unit]:
                upward.append(f"{rel}:{line}: imports {name} (stage {RANK[target]}) from stage {RANK[unit]}")
    assert unplaced == [], "place these in STAGES"
    assert upward == []
