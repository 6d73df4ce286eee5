"""Benchmark: render the `create` configuration of 10,000 hosted connections.

ours  = ecpartner.render.render_connection for each connection: every field checked by safetext,
        units converted, the platform template run with StrictUndefined and the control-character
        finalize hook (what `ecpartner render` does per connection).
plain = the same create.j2 templates in a default jinja2 Environment (no checks, no finalize, default
        Undefined) rendered from views prepared beforehand: the reference cost of Jinja alone.

Usage: python bench/bench_render.py [N] [REPEATS]   (defaults 10000 and 3; prints the median of the repeats)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import jinja2

from ecpartner.inventory import (Circuit, Credentials, Device, HostedConnection, Inventory, Partner, Tenant,
                                 Thresholds, parse_bandwidth)
from ecpartner.render import connection_view, render_connection
from ecpartner.platforms import platform_dir

SPECS = ["50M", "100M", "200M", "300M", "400M", "500M", "1G", "2G", "5G", "8G", "10G"]


def inventory(n: int) -> Inventory:
    """n connections on 2,999-VLAN circuits, alternating Huawei and Cisco devices."""
    inv = Inventory(Path("bench.yaml"), Partner("Bench Telecom", "China Telecom", "china", "1234567890123456"),
                    Thresholds(), {}, {"default": Credentials("default", "U", "P")}, {}, {}, [])
    for i in range(n):
        circuit_no, vlan = divmod(i, 2999)
        cid = f"pc-c{circuit_no:04d}"
        if cid not in inv.circuits:
            platform = ("huawei", "cisco_ios")[circuit_no % 2]
            device = f"acc-{circuit_no:04d}"
            inv.devices[device] = Device(device, "192.0.2.1", platform, "access", "default")
            inv.circuits[cid] = Circuit(cid, "cn-hangzhou", "ap-1", 10**11, device, "GigabitEthernet0/0/1")
        account = f"{1100000000000000 + i}"
        inv.tenants[account] = Tenant(account, f"Tenant {i}", "china", False, 1 + i % 4)
        spec = SPECS[i % len(SPECS)]
        inv.hosted_connections.append(HostedConnection(cid, account, vlan + 1, parse_bandwidth(spec), spec, "enabled",
                                                       f"pc-hc{i:06d}", f"10.{i // 16384 % 256}.{i // 64 % 256}.{i % 64 * 4 + 1}/30"))
    return inv


def time_ours(inv: Inventory) -> float:
    started = time.perf_counter()
    for hc in inv.hosted_connections:
        render_connection(inv, hc, "create")
    return time.perf_counter() - started


def time_plain(inv: Inventory) -> float:
    templates = {p: jinja2.Environment(loader=jinja2.FileSystemLoader(str(platform_dir(p) / "render")),
                                       trim_blocks=True, lstrip_blocks=True).get_template("create.j2")
                 for p in ("huawei", "cisco_ios")}
    views = [connection_view(inv, hc) for hc in inv.hosted_connections]      # prepared outside the timing
    started = time.perf_counter()
    for view in views:
        templates[view.platform].render(c=view)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 10_000
    repeats = int(argv[2]) if len(argv) > 2 else 3
    inv = inventory(n)
    render_connection(inv, inv.hosted_connections[0])       # warm the template cache (compile once)
    ours = statistics.median(time_ours(inv) for _ in range(repeats))
    plain = statistics.median(time_plain(inv) for _ in range(repeats))
    print(f"render create x {n}: ours {ours:.3f} s ({n / ours:,.0f}/s), plain Jinja {plain:.3f} s "
          f"({n / plain:,.0f}/s), overhead x{ours / plain:.2f} (median of {repeats})")
    return 0 if ours < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
