"""Benchmark `ecpartner check` on synthetic recorded fleets, end to end and by stage.

python bench/bench_check.py [--runs 3] [--scale 1 2]
Builds fleets with make_fleet.py (scale 1 = 100 devices, 200 circuits, 20,000 hosted connections), then for
each: the whole CLI run in a fresh process (wall clock), the stages (load, collect, parse, rules, report)
in-process, and TTP alone on the same texts, the reference for the parse stage. Medians of --runs.

python bench/bench_check.py --one-device N [--runs 3]
One big Huawei device with an ARP limit on every subinterface, at N/4, N/2 and N connections (sizes
alternated within each run), and the same N spread over N/100 devices as the reference: CPU seconds of
collect, parse, the placement join and every rule, and each one's scaling exponent log(t(N) / t(N/4)) / log(4).
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from ttp import ttp  # noqa: E402

from ecpartner.check import run_check  # noqa: E402
from ecpartner.collect import collect_fleet  # noqa: E402
from ecpartner.gc_pause import gc_paused  # noqa: E402
from ecpartner.inventory_loader import load_inventory  # noqa: E402
from ecpartner.parse import build_states  # noqa: E402
from ecpartner.platforms import platform_spec  # noqa: E402
from ecpartner.report import render_report  # noqa: E402
from ecpartner.rules import Context, all_rules, evaluate  # noqa: E402

sys.path.insert(0, str(HERE))
from make_fleet import build  # noqa: E402


def stages(inventory_path: Path) -> dict[str, float]:
    """The stages as `ecpartner check` runs them (app.run_check's own timings), plus the report."""
    t: dict[str, float] = {}
    start = time.perf_counter()
    inventory = load_inventory(inventory_path)
    t["load"] = time.perf_counter() - start
    findings = run_check(inventory, timings=t)
    start = time.perf_counter()
    with gc_paused():                           # as cmd_check does
        render_report("json", findings, str(inventory_path), datetime.now(timezone.utc))
    t["report"] = time.perf_counter() - start
    t["findings"] = len(findings)
    collected = collect_fleet(inventory)
    start = time.perf_counter()
    for name, result in collected.items():      # the reference: TTP alone on the same texts and templates
        spec = platform_spec(inventory.devices[name].platform)
        for command in spec.commands:
            if command.command not in result.outputs:     # e.g. the interface command, only without SNMP
                continue
            for _, template in command.templates:
                parser = ttp(data=result.outputs[command.command], template=template)
                parser.parse()
                parser.result()
    t["ttp_alone"] = time.perf_counter() - start
    return t


def end_to_end(inventory_path: Path, out: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ecpartner", "check", str(inventory_path), "--format", "json",
                           "--output", str(out)], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    return elapsed


def check_steps(inventory_path: Path) -> dict[str, float]:
    """CPU seconds of each step of `check` (as run_check does them), each rule on its own; `check` is their sum."""
    inventory = load_inventory(inventory_path)
    t: dict[str, float] = {}
    start = time.process_time()
    collected = collect_fleet(inventory)
    t["collect"] = time.process_time() - start
    ctx = Context(inventory=inventory)
    start = time.process_time()
    ctx.states, ctx.failures = build_states(inventory, collected)
    t["parse"] = time.process_time() - start
    with gc_paused():
        start = time.process_time()
        for hc in inventory.hosted_connections:      # the join every device rule shares, paid by the first one
            ctx.placement(hc)
        t["placements"] = time.process_time() - start
        for r in all_rules().values():
            if r.in_check:
                start = time.process_time()
                evaluate(ctx, [r.id])
                t[r.id] = time.process_time() - start
    t["check"] = sum(t.values())
    return t


def one_device(n: int, runs: int, tmp: Path) -> None:
    sizes = [n // 4, n // 2, n]
    fleets = {}
    for size in sizes:                               # 400 connections a circuit: within its 100G capacity
        fleets[size] = Path(tmp) / f"one{size}"
        build(fleets[size], devices=1, circuits_per_device=max(2, size // 400), connections=size,
              arp_per_interface=True)
    spread = Path(tmp) / "spread"
    build(spread, devices=max(1, n // 100), circuits_per_device=2, connections=n, arp_per_interface=True)
    samples: dict[object, list[dict[str, float]]] = {key: [] for key in [*sizes, "spread"]}
    for _ in range(runs):                            # alternate the sizes: load from others hits them all alike
        for size in sizes:
            samples[size].append(check_steps(fleets[size] / "inventory.yaml"))
        samples["spread"].append(check_steps(spread / "inventory.yaml"))
    med = {key: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for key, rs in samples.items()}
    print(f"one device, ARP limit on every subinterface: {sizes} connections; reference: {n} connections over "
          f"{max(1, n // 100)} devices; CPU seconds, medians of {runs}")
    print(f"  {'step':28s}" + "".join(f"{s:>9d}" for s in sizes) + f"{'spread':>9s}  exponent")
    for step in med[n]:
        times = [med[s][step] for s in sizes]
        # below a millisecond the ratio is the clock's noise, not the algorithm's
        exponent = f"{math.log(times[-1] / times[0]) / math.log(4):.2f}" if times[0] > 1e-3 else "-"
        print(f"  {step:28s}" + "".join(f"{x:9.3f}" for x in times) + f"{med['spread'][step]:9.3f}  {exponent}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--one-device", type=int, metavar="N", help="the one-big-device shape at N/4, N/2, N")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.one_device:
            one_device(args.one_device, args.runs, Path(tmp))
            return
        for scale in args.scale:
            fleet = Path(tmp) / f"fleet{scale}"
            build(fleet, devices=100 * scale, circuits_per_device=2, connections=20000 * scale)
            inventory = fleet / "inventory.yaml"
            walls = [end_to_end(inventory, Path(tmp) / "report.json") for _ in range(args.runs)]
            runs = [stages(inventory) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(f"scale {scale}: {100 * scale} devices, {200 * scale} circuits, {20000 * scale} connections, "
                  f"{int(med['findings'])} findings")
            print(f"  end to end (CLI, json report): median {statistics.median(walls):.2f} s  runs {['%.2f' % w for w in walls]}")
            for key in ("load", "collect", "parse", "telemetry", "rules", "report", "ttp_alone"):
                print(f"  {key:10s} {med[key]:7.3f} s")
            print(f"  parse / TTP alone: {med['parse'] / med['ttp_alone']:.2f}x")


if __name__ == "__main__":
    main()
