"""Benchmark: render the `create` configuration of 10,000 hosted connections (issue 15 item 4).

Two parts, each against its own reference, then the whole:
device = ecpartner.render.render_connection(..., cloud=False) per connection, sharing one RenderRun as a
         render run does (every field checked by safetext, units converted, the platform template run with
         StrictUndefined and the control-character finalize hook).
plain  = the same create.j2 templates in a default jinja2 Environment (no checks, no finalize, default
         Undefined) rendered from views prepared beforehand: the reference cost of Jinja alone.
step   = our environment (StrictUndefined, finalize) on the same prepared views: the render step alone.
runbook       = ecpartner.render.cloud_block("create", view) on the prepared views: the request built from
                the SDK request model with every field name and type checked, printed behind the comment marker.
plain runbook = the same text written directly: the SDK model constructed and serialised (to_map), the same
                token, every value shell-quoted, no checks (proven equal to ours on every view first).
whole  = render_connection(...) with its runbook (what `render` does per connection) against plain + plain runbook.

They alternate within each repeat, so a load change on the machine hits all of them; each time is the CPU time
of the process (time.process_time: the cores are shared); the ratios are taken pair by pair and their median
printed. Each repeat starts with nothing checked yet (a new RenderRun, safetext's memo cleared), as a new run would;
every loop runs with the cyclic GC paused, as render_each runs.

Usage: python bench/bench_render.py [N] [REPEATS] [PER_CIRCUIT]   (defaults 10000, 5, 2999). Exit 1 when device/plain > 1.5.
"""

from __future__ import annotations

import shlex
import statistics
import sys
import time
from pathlib import Path

import jinja2

from ecpartner import cloud_runbook, safetext
from ecpartner.gc_pause import gc_paused
from ecpartner.inventory import (Circuit, Credentials, Device, HostedConnection, Inventory, Partner, Tenant,
                                 Thresholds, parse_bandwidth)
from ecpartner.platforms import platform_dir
from ecpartner import render
from ecpartner.render import cloud_block, comment_marker, connection_view, environment, render_connection

RenderRun = getattr(render, "RenderRun", None)   # absent in a tree before it: each connection then renders alone

SPECS = ["50M", "100M", "200M", "300M", "400M", "500M", "1G", "2G", "5G", "8G", "10G"]
PLATFORMS = ("huawei", "cisco_ios")
TARGET = 1.5


def inventory(n: int, per_circuit: int = 2999) -> Inventory:
    """n connections, `per_circuit` on each circuit (2,999: every VLAN), alternating Huawei and Cisco devices."""
    inv = Inventory(Path("bench.yaml"), Partner("Bench Telecom", "China Telecom", "china", "1234567890123456"),
                    Thresholds(), {}, {"default": Credentials("default", "U", "P")}, {}, {}, [])
    for i in range(n):
        circuit_no, vlan = divmod(i, per_circuit)
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


def time_ours(inv: Inventory, cloud: bool) -> float:
    forget_checked_values()
    started = time.process_time()
    run = {"run": RenderRun(inv)} if RenderRun is not None else {}
    with gc_paused():       # as render_each does
        for hc in inv.hosted_connections:
            render_connection(inv, hc, "create", cloud=cloud, **run)
    return time.process_time() - started


def time_views(templates: dict[str, jinja2.Template], views: list) -> float:
    started = time.process_time()
    with gc_paused():       # the same conditions as ours
        for view in views:
            templates[view.platform].render(c=view)
    return time.process_time() - started


def time_runbooks(make, views: list) -> float:
    started = time.process_time()
    with gc_paused():
        for view in views:
            make(view)
    return time.process_time() - started


CREATE_FIELDS = ("region_id", "physical_connection_id", "vlan_id", "spec", "vpconn_ali_uid", "order_mode", "name",
                 "description", "token")


def plain_runbook(view) -> str:
    """The create runbook text written directly: the SDK model, no checks."""
    from alibabacloud_vpc20160428 import models
    action = "CreateVirtualPhysicalConnection"
    request = models.CreateVirtualPhysicalConnectionRequest(
        region_id=view.region, physical_connection_id=view.circuit, vlan_id=view.vlan, spec=view.spec,
        vpconn_ali_uid=int(view.tenant), order_mode=cloud_runbook.ORDER_MODE,
        name=f"ecp-{safetext.slug(view.tenant_name)}-vlan{view.vlan}"[:128], description=view.description,
        token=cloud_runbook.token(action, view, view.spec)).to_map()
    names = ["".join(part.capitalize() for part in name.split("_")) for name in CREATE_FIELDS]
    command = " ".join(["aliyun", "vpc", action] + [f"--{n} {shlex.quote(str(request[n]))}" for n in names])
    marker = comment_marker(view.platform)
    return (f"{marker} create {view.key}: Alibaba Cloud steps, in a shell ({cloud_runbook.CLI_SYNTAX})\n"
            f"{marker}   The tenant then accepts the hosted connection in their own account.\n"
            f"{marker}   1. {action}: create the hosted connection on {view.circuit} for tenant {view.tenant}\n"
            f"{marker}      {command}\n"
            f"{marker}   2. on {view.device}: the lines below ({view.interface})\n")


def ours_runbook(view) -> str:
    return cloud_block("create", view)


def plain_templates() -> dict[str, jinja2.Template]:
    return {p: jinja2.Environment(loader=jinja2.FileSystemLoader(str(platform_dir(p) / "render")),
                                  trim_blocks=True, lstrip_blocks=True).get_template("create.j2")
            for p in PLATFORMS}


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 10_000
    repeats = int(argv[2]) if len(argv) > 2 else 5
    inv = inventory(n, int(argv[3]) if len(argv) > 3 else 2999)
    render_connection(inv, inv.hosted_connections[0])       # compile the templates once, as a run does
    run = {"run": RenderRun(inv)} if RenderRun is not None else {}
    views = [connection_view(inv, hc, **run) for hc in inv.hosted_connections]      # prepared outside the timing
    mismatch = [v.key for v in views if plain_runbook(v) != ours_runbook(v)]
    assert not mismatch, f"the plain runbook differs from ours for {mismatch[:3]}"
    plain, ours_env = plain_templates(), {p: environment(p).get_template("create.j2") for p in PLATFORMS}
    runs: dict[str, list[float]] = {k: [] for k in ("device", "plain", "step", "runbook", "plain runbook", "whole")}
    for _ in range(repeats):
        runs["device"].append(time_ours(inv, cloud=False))
        runs["plain"].append(time_views(plain, views))
        runs["step"].append(time_views(ours_env, views))
        runs["runbook"].append(time_runbooks(ours_runbook, views))
        runs["plain runbook"].append(time_runbooks(plain_runbook, views))
        runs["whole"].append(time_ours(inv, cloud=True))
    med = {k: statistics.median(v) for k, v in runs.items()}

    def ratio(a: str, *b: str) -> float:
        return statistics.median(x / sum(y) for x, *y in zip(runs[a], *(runs[k] for k in b)))

    device = ratio("device", "plain")
    print(f"render create x {n} (CPU seconds, median of {repeats}, alternating):")
    print(f"  device config: ours {med['device']:.3f} s ({n / med['device']:,.0f}/s), plain Jinja {med['plain']:.3f} s, "
          f"ours/plain x{device:.2f} (target <= {TARGET}); render step alone x{ratio('step', 'plain'):.2f}")
    print(f"  runbook: ours {med['runbook']:.3f} s, plain SDK model + shlex {med['plain runbook']:.3f} s, "
          f"ours/plain x{ratio('runbook', 'plain runbook'):.2f}")
    print(f"  whole (device config + runbook): ours {med['whole']:.3f} s, plain {med['plain'] + med['plain runbook']:.3f} s, "
          f"ours/plain x{ratio('whole', 'plain', 'plain runbook'):.2f}")
    return 0 if device <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
