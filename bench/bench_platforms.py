"""Parse time per platform on a mixed fleet, beside TTP alone on the same texts and templates.

python bench/bench_platforms.py [--runs 5] [--devices-per-platform 20] [--connections 12000]
Builds make_mixed_fleet.py's fleet (every platform with a folder, the same number of devices and connections
each), checks it once (it must be compliant: every connection parsed as rendered), then per platform and run:
`build_states` of that platform's devices (ecpartner's parse: TTP plus assembling the state) and TTP alone.
CPU seconds, medians of --runs, the platforms alternated within each run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_mixed_fleet import PLATFORMS, build  # noqa: E402  (puts src/ on the path)

from ttp import ttp  # noqa: E402

from ecpartner.check import run_check  # noqa: E402
from ecpartner.collect import collect_fleet  # noqa: E402
from ecpartner.inventory import Inventory  # noqa: E402
from ecpartner.inventory_loader import load_inventory  # noqa: E402
from ecpartner.parse import build_states  # noqa: E402
from ecpartner.platforms import platform_spec  # noqa: E402


def parse_seconds(inventory: Inventory, collected: dict) -> float:
    start = time.process_time()
    states, failures = build_states(inventory, collected)
    elapsed = time.process_time() - start
    assert not failures and len(states) == len(collected), failures
    return elapsed


def ttp_seconds(inventory: Inventory, collected: dict) -> float:
    start = time.process_time()
    for name, result in collected.items():
        for command in platform_spec(inventory.devices[name].platform).commands:
            if command.command in result.outputs:
                for _, template in command.templates:
                    parser = ttp(data=result.outputs[command.command], template=template)
                    parser.parse()
                    parser.result()
    return time.process_time() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--devices-per-platform", type=int, default=20)
    ap.add_argument("--connections", type=int, default=12000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fleet = Path(tmp) / "mixed"
        build(fleet, args.devices_per_platform, args.connections)
        inventory = load_inventory(fleet / "inventory.yaml")
        problems = [f for f in run_check(inventory) if f.status != "pass"]
        assert not problems, [f"{f.rule}: {f.message}" for f in problems[:5]]
        collected = collect_fleet(inventory)
        by_platform = {p: {n: r for n, r in collected.items() if inventory.devices[n].platform == p}
                       for p in PLATFORMS}
        samples: dict[str, dict[str, list[float]]] = {p: {"parse": [], "ttp": []} for p in PLATFORMS}
        for _ in range(args.runs):
            for platform, devices in by_platform.items():
                samples[platform]["parse"].append(parse_seconds(inventory, devices))
                samples[platform]["ttp"].append(ttp_seconds(inventory, devices))
    per = args.connections // len(PLATFORMS)
    print(f"mixed fleet: {len(PLATFORMS)} platforms x {args.devices_per_platform} devices, {per} connections each; "
          f"CPU seconds, medians of {args.runs}")
    print(f"  {'platform':15s} {'parse':>8s} {'TTP alone':>10s} {'ratio':>7s}")
    for platform, s in samples.items():
        parse, alone = statistics.median(s["parse"]), statistics.median(s["ttp"])
        print(f"  {platform:15s} {parse:8.3f} {alone:10.3f} {parse / alone:6.2f}x")


if __name__ == "__main__":
    main()
