"""Benchmark: what each command costs to start, against `python -c pass` and `ecpartner --help`.

Every command runs as a whole fresh process on the bundled recorded fleets (fixtures/clean has no
telemetry, fixtures/demo has samples). In each round the two references and every command run once, in
a rotating order, so a change of load on the machine hits all of them; the wall-time medians and the
per-round ratios (command / `python -c pass`, command / `--help`) are printed. Then `-X importtime`
gives the import cost of each (sum of the top-level cumulative times, median of a few runs) and the
heavy libraries it loaded.

Byte code is written to a temporary PYTHONPYCACHEPREFIX and every command runs once before timing, so
the figures are those of an installed package (PYTHONDONTWRITEBYTECODE would otherwise recompile
ecpartner on every start).

Usage: python bench/bench_startup.py [--runs 9] [--src DIR ...]
  --src: the ecpartner source folders to compare (each put first on PYTHONPATH), alternating in every
  round (the references run with the last); default: the ecpartner this interpreter imports.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLEAN, DEMO = "fixtures/clean/inventory.yaml", "fixtures/demo/inventory.yaml"
HEAVY = ("netmiko", "paramiko", "pysnmp", "pandas", "numpy", "matplotlib", "jinja2", "ttp", "yaml")
REFERENCES = {"python -c pass": ["-c", "pass"], "ecpartner --help": ["-m", "ecpartner", "--help"]}
COMMANDS = {
    "check clean": ["check", CLEAN],
    "check clean --format json": ["check", CLEAN, "--format", "json"],
    "check demo (telemetry)": ["check", DEMO],
    "render clean": ["render", CLEAN],
    "plan clean": ["plan", CLEAN, "--circuit", "pc-bj01", "--tenant", "1100000000000002", "--bandwidth", "300M",
                   "--vlan", "auto"],
    "telemetry report demo --format json": ["telemetry", "report", DEMO, "--format", "json"],
}


def environment(src: str | None, cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def run(args: list[str], env: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *extra, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, timeout=300)


def wall(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    run(args, env)
    return time.perf_counter() - started


def import_cost(args: list[str], env: dict[str, str]) -> tuple[float, list[str]]:
    """Seconds spent importing (top-level modules' cumulative time) and the heavy libraries among them."""
    stderr = run(args, env, "-X", "importtime").stderr
    total, heavy = 0, set()
    for line in stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") < 2:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        if cumulative.strip().isdigit() and not name.startswith("  "):     # one level below the top: " name"
            total += int(cumulative)
        if name.strip().split(".")[0] in HEAVY:
            heavy.add(name.strip().split(".")[0])
    return total / 1e6, sorted(heavy)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--src", action="append", default=None)
    opts = parser.parse_args(argv)
    trees = opts.src or [None]
    with tempfile.TemporaryDirectory() as cache:
        envs = {tree: environment(tree, cache) for tree in trees}
        jobs = [(name, args, None) for name, args in REFERENCES.items()]
        jobs += [(name, ["-m", "ecpartner", *args], tree) for tree in trees for name, args in COMMANDS.items()]
        for name, args, tree in jobs:                                   # byte code written, disk cache warm
            check = run(args, envs[tree or trees[-1]])
            if check.returncode not in (0, 1, 3):
                raise SystemExit(f"{name}: exit {check.returncode}: {check.stderr.strip()[-300:]}")
        times: dict[tuple, list[float]] = {}
        for round_no in range(opts.runs):
            order = jobs[round_no % len(jobs):] + jobs[:round_no % len(jobs)]
            for name, args, tree in order:
                times.setdefault((name, tree), []).append(wall(args, envs[tree or trees[-1]]))
        imports = {(name, tree): [import_cost(args, envs[tree or trees[-1]]) for _ in range(3)]
                   for name, args, tree in jobs}

    base, helps = times[("python -c pass", None)], times[("ecpartner --help", None)]
    print(f"{opts.runs} rounds, load average {os.getloadavg()[0]:.2f} at the end")
    print("| command | tree | wall (median) | / python -c pass | / ecpartner --help | imports | heavy libraries loaded |")
    print("|---|---|---|---|---|---|---|")
    for name, args, tree in jobs:
        t = times[(name, tree)]
        vs_pass = statistics.median(a / b for a, b in zip(t, base))
        vs_help = statistics.median(a / b for a, b in zip(t, helps))
        cost = statistics.median(c for c, _ in imports[(name, tree)])
        heavy = ", ".join(imports[(name, tree)][0][1]) or "-"
        print(f"| {name} | {tree or '-'} | {statistics.median(t) * 1000:.0f} ms | {vs_pass:.1f}x | {vs_help:.2f}x "
              f"| {cost * 1000:.0f} ms | {heavy} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
