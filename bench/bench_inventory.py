"""Benchmark: load the inventory of bench/make_fleet.py (issue 15 item 6) against its floor.

floor = yaml.load(text, Loader=yaml.CSafeLoader) on the same file with the cyclic GC paused: PyYAML's C
        parser and its Python constructors, no line numbers, no checks.
ours  = ecpartner.inventory_loader.load_inventory: nodes with lines, every check, the typed Inventory.

Each source folder given with --src runs in its own fresh process per round (a tree before a change and
after it, alternating A B A B); in that process the floor and ours alternate `--repeat` times and the CPU
time of each (time.process_time: this machine's cores are shared) is taken; the ratio is the median of
the pair by pair ratios. A breakdown of ours (compose, read, validate, cross-check, build) is printed for the
current tree with --breakdown.

Usage: python bench/bench_inventory.py [--connections 20000] [--rounds 2] [--repeat 3] [--src DIR ...] [--breakdown]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.3

CHILD = r"""
import gc, json, statistics, sys, time, yaml
from pathlib import Path
from ecpartner.inventory_loader import load_inventory
path, repeat = Path(sys.argv[1]), int(sys.argv[2])
floor, ours = [], []
for _ in range(repeat):
    gc.disable()
    started = time.process_time()
    yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    floor.append(time.process_time() - started)
    gc.enable()
    started = time.process_time()
    load_inventory(path)      # pauses the GC itself
    ours.append(time.process_time() - started)
print(json.dumps({"floor": floor, "ours": ours}))
"""


def breakdown(path: Path) -> None:
    import gc
    import time

    sys.path.insert(0, str(ROOT / "src"))
    from ecpartner import inventory_loader as L

    gc.disable()
    steps, problems = {}, []
    report = lambda *p: problems.append(p)  # noqa: E731
    started = time.process_time()
    text = L._read_text(path, str(path))
    loader = L.FAST_LOADER(text)
    node = loader.get_single_node()
    steps["compose"] = time.process_time()
    root = L._Reader(loader, report).value(node, "")
    steps["read"] = time.process_time()
    data = L._Validator(report).walk(root, L.INVENTORY, "", root.line)
    steps["validate"] = time.process_time()
    sections = {k: L._section(data, root, k) for k in ("devices", "credentials", "circuits", "tenants", "hosted_connections")}
    L._cross_check(root, data, sections, report)
    steps["cross-check"] = time.process_time()
    L._build(path, data, sections)
    steps["build"] = time.process_time()
    gc.enable()
    previous = started
    for name, at in steps.items():
        print(f"  {name:<12} {at - previous:.3f} s")
        previous = at
    assert not problems, problems[:3]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--src", action="append", default=[])
    ap.add_argument("--breakdown", action="store_true")
    a = ap.parse_args()
    sources = a.src or [str(ROOT / "src")]
    with tempfile.TemporaryDirectory() as tmp:
        fleet = Path(tmp) / "fleet"
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_fleet.py"), str(fleet),
                        "--connections", str(a.connections)], check=True)
        path = fleet / "inventory.yaml"
        results: dict[str, dict[str, list[float]]] = {s: {"floor": [], "ours": []} for s in sources}
        for _ in range(a.rounds):
            for src in sources:
                env = {**os.environ, "PYTHONPATH": src}
                out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(a.repeat)], env=env, check=True,
                                     capture_output=True, text=True).stdout
                for k, v in json.loads(out).items():
                    results[src][k] += v
        ok = True
        for src, r in results.items():
            ratio = statistics.median(o / f for o, f in zip(r["ours"], r["floor"]))
            ok &= ratio <= TARGET
            print(f"{src}: load {a.connections:,} connections: ours {statistics.median(r['ours']):.3f} s CPU, "
                  f"CSafeLoader {statistics.median(r['floor']):.3f} s CPU, ours/floor x{ratio:.2f} (target <= {TARGET}; "
                  f"pairs: {', '.join(f'{o / f:.2f}' for o, f in zip(r['ours'], r['floor']))})")
        if a.breakdown:
            print("breakdown of ours (this tree, one run):")
            breakdown(path)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
