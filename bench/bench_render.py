"""Benchmark: render the `create` configuration of 10,000 hosted connections.

ours   = ecpartner.render.render_connection for each connection: every field checked by safetext,
         units converted, the platform template run with StrictUndefined and the control-character
         finalize hook (what `ecpartner render` does per connection).
plain  = the same create.j2 templates in a default jinja2 Environment (no checks, no finalize, default
         Undefined) rendered from views prepared beforehand: the reference cost of Jinja alone.
step   = our environment (StrictUndefined, finalize) on the same prepared views: the render step alone.

The three alternate within each repeat (ours, plain, step, ours, plain, ...), so a load change on the
machine hits all of them; the ratios are taken pair by pair and their median printed. Each repeat of
`ours` starts with nothing checked yet, as a new run would.

Usage: python bench/bench_render.py [N] [REPEATS]   (defaults 10000 and 5). Exit 1 when ours/plain > 1.5.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import jinja2

from ecpartner import safetext
from ecpartner.inventory import (Circuit, Credentials, Device, HostedConnection, Inventory, Partner, Tenant,
                                 Thresholds, parse_bandwidth)
from ecpartner.platforms import platform_dir
from ecpartner.render import connection_view, environment, render_connection

SPECS = ["50M", "100M", "200M", "300M", "400M", "500M", "1G", "2G", "5G", "8G", "10G"]
PLATFORMS = ("huawei", "cisco_ios")
TARGET = 1.5


def inventory(n: int) -> Inventory:
    """n connections on 2,999-VLAN circuits, alternating Huawei and Cisco devices."""
    inv = Inventory(Path("bench.yaml"), Partner("Bench Telecom", "China Telecom", "china", "1234567890123456"),
                    Thresholds(), {}, {"default": Credentials("default", "U", "P")}, {}, {}, [])
    for i in range(n):
        circuit_no, vlan = divmod(i, 2999)
        cid = f"pc-c{circuit_no:04d}"
        if cid not in inv.circuits:
            platform = PLATFORMS[circuit_no % 2]
            device = f"acc-{circuit_no:04d}"
            inv.devices[device] = Device(device, "192.0.2.1", platform, "access", "default")
            inv.circuits[cid] = Circuit(cid, "cn-hangzhou", "ap-1", 10**11, device, "GigabitEthernet0/0/1")
        account = f"{1100000000000000 + i}"
        inv.tenants[account] = Tenant(account, f"Tenant {i}", "china", False, 1 + i % 4)
        spec = SPECS[i % len(SPECS)]
        inv.hosted_connections.append(HostedConnection(cid, account, vlan + 1, parse_bandwidth(spec), spec, "enabled",
                                                       f"pc-hc{i:06d}", f"10.{i // 16384 % 256}.{i // 64 % 256}.{i % 64 * 4 + 1}/30"))
    return inv


def forget_checked_values() -> None:
    """A new run has checked nothing yet (safetext remembers identifiers it has matched, where it does)."""
    fits = getattr(safetext, "_fits", None)
    if fits is not None:
        fits.cache_clear()


def time_ours(inv: Inventory) -> float:
    forget_checked_values()
    started = time.perf_counter()
    for hc in inv.hosted_connections:
        render_connection(inv, hc, "create")
    return time.perf_counter() - started


def time_views(templates: dict[str, jinja2.Template], views: list) -> float:
    started = time.perf_counter()
    for view in views:
        templates[view.platform].render(c=view)
    return time.perf_counter() - started


def plain_templates() -> dict[str, jinja2.Template]:
    return {p: jinja2.Environment(loader=jinja2.FileSystemLoader(str(platform_dir(p) / "render")),
                                  trim_blocks=True, lstrip_blocks=True).get_template("create.j2")
            for p in PLATFORMS}


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 10_000
    repeats = int(argv[2]) if len(argv) > 2 else 5
    inv = inventory(n)
    render_connection(inv, inv.hosted_connections[0])       # compile the templates once, as a run does
    views = [connection_view(inv, hc) for hc in inv.hosted_connections]      # prepared outside the timing
    plain, ours_env = plain_templates(), {p: environment(p).get_template("create.j2") for p in PLATFORMS}
    runs = {"ours": [], "plain": [], "step": []}
    for _ in range(repeats):
        runs["ours"].append(time_ours(inv))
        runs["plain"].append(time_views(plain, views))
        runs["step"].append(time_views(ours_env, views))
    med = {k: statistics.median(v) for k, v in runs.items()}
    ratio = statistics.median(o / p for o, p in zip(runs["ours"], runs["plain"]))
    step = statistics.median(s / p for s, p in zip(runs["step"], runs["plain"]))
    print(f"render create x {n} (median of {repeats}, alternating): ours {med['ours']:.3f} s ({n / med['ours']:,.0f}/s), "
          f"plain Jinja {med['plain']:.3f} s ({n / med['plain']:,.0f}/s), ours/plain x{ratio:.2f} "
          f"(target <= {TARGET}); render step alone x{step:.2f}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
