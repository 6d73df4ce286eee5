"""Benchmark: decode the .snmprec recordings of bench/make_fleet.py (issue 15 item 6) against a plain split.

floor = the obvious reader of the same shape: `{oid: (tag, value)}` from `line.split("|", 2)` over
        `text.splitlines()`, no checks (it would take a comment line for a record and fail on a short one).
ours  = what ecpartner.collect.snmprec.read_snmprec does once the file is read: the fast reader, and the
        line-by-line reader when the fast one declines.
variations = ours on the same texts with every Counter64 written as an snmpsim variation (`70:numeric|initial=N`,
        which the line-by-line reader reads), against the same floor on the plain texts: the slow path's cost.

The texts are read before the timing (the decode is measured, not the disk). Each source folder given with --src
runs in its own fresh process per round (trees alternate A B A B); in that process the floor and ours alternate
`--repeat` times, each timed in CPU seconds (time.process_time: the cores are shared) over all files, with the
cyclic GC on as in a check; the ratio is the median of the pair by pair ratios.

Usage: python bench/bench_snmprec.py [--connections 20000] [--rounds 2] [--repeat 5] [--src DIR ...]
Exit 1 when ours/floor > 1.3 for a tree.
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
import json, re, sys, time
from pathlib import Path
from ecpartner.collect import snmprec

paths = sorted(Path(sys.argv[1]).glob("*.snmprec"))
texts = [p.read_text(encoding="utf-8") for p in paths]
varied = [re.sub(r"\|70\|(\d+)$", r"|70:numeric|initial=\1", t, flags=re.M) for t in texts]

def floor(text):
    walk = {}
    for line in text.splitlines():
        oid, tag, value = line.split("|", 2)
        walk[oid] = (tag, value)
    return walk

def ours(text, path):
    walk = snmprec._read_plain(text)
    return walk if walk is not None else snmprec._read_line_by_line(path, text)

assert all(ours(t, p) == floor(t) for t, p in zip(texts, paths)), "ours and the floor read the fleet differently"
assert all(ours(v, p) == floor(t) for v, t, p in zip(varied, texts, paths)), "a variation read differently"
runs = {"floor": [], "ours": [], "variations": []}
for _ in range(int(sys.argv[2])):
    for name, decode, inputs in (("floor", lambda t, p: floor(t), texts), ("ours", ours, texts),
                                 ("variations", ours, varied)):
        started = time.process_time()
        for text, path in zip(inputs, paths):
            decode(text, path)
        runs[name].append(time.process_time() - started)
print(json.dumps({"files": len(texts), "mb": sum(map(len, texts)) / 1e6,
                  "records": sum(t.count("\n") for t in texts), **runs}))
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--src", action="append", default=[])
    a = ap.parse_args()
    sources = a.src or [str(ROOT / "src")]
    with tempfile.TemporaryDirectory() as tmp:
        fleet = Path(tmp) / "fleet"
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_fleet.py"), str(fleet),
                        "--connections", str(a.connections)], check=True, stdout=subprocess.DEVNULL)
        results: dict[str, dict[str, list[float]]] = {s: {"floor": [], "ours": [], "variations": []} for s in sources}
        shape = {}
        for _ in range(a.rounds):
            for src in sources:
                env = {**os.environ, "PYTHONPATH": src}
                out = json.loads(subprocess.run([sys.executable, "-c", CHILD, str(fleet / "snmp"), str(a.repeat)],
                                                env=env, check=True, capture_output=True, text=True).stdout)
                shape = {k: out.pop(k) for k in ("files", "mb", "records")}
                for k, v in out.items():
                    results[src][k] += v
        print(f"decode {shape['files']} .snmprec files ({shape['mb']:.1f} MB, {shape['records']:,} records), "
              f"CPU seconds, median of {a.rounds} x {a.repeat}, alternating:")
        ok = True
        for src, r in results.items():
            def ratio(name: str) -> float:
                return statistics.median(o / f for o, f in zip(r[name], r["floor"]))
            ok &= ratio("ours") <= TARGET
            print(f"{src}: ours {statistics.median(r['ours']):.3f} s, plain split {statistics.median(r['floor']):.3f} s, "
                  f"ours/floor x{ratio('ours'):.2f} (target <= {TARGET}; pairs: "
                  f"{', '.join(f'{o / f:.2f}' for o, f in zip(r['ours'], r['floor']))}); "
                  f"with variations x{ratio('variations'):.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
