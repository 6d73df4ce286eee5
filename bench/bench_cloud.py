"""Benchmark the cloud side on a recording of realistic size: 20,000 hosted connections across 4 regions.

python bench/bench_cloud.py [--runs 3] [--connections 20000]
Builds a recorded fleet with make_fleet.py (100 devices, 200 circuits), regions folded to 4, and writes its
cloud/ as `cloud collect --record` would (pages of 50 circuits and 100 hosted connections, a VBR each), then
reports medians of: JSON decoding of the same files alone (the reference), the replay (load_recorded: decode
plus the picture), the five cloud rules on it with the devices' states, and what the cloud adds to `check`.
Issue 12 asks: replay under 2 s, under 1 s added to check.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from make_fleet import build  # noqa: E402

from ecpartner.check import run_check  # noqa: E402
from ecpartner.collect import collect_fleet  # noqa: E402
from ecpartner.collect.cloud import RegionCalls, load_recorded, write_cloud  # noqa: E402
from ecpartner.inventory_loader import load_inventory  # noqa: E402
from ecpartner.parse import build_states  # noqa: E402
from ecpartner.rules import Context, evaluate  # noqa: E402

CLOUD_RULES = ["cloud-inventory-match", "cloud-circuit-match", "cloud-business-status", "cloud-pending-acceptance",
               "cloud-device-match"]
AT = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)


def pages(items: list, size: int):
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def cloud_calls(inv, region: str) -> dict:
    circuits = [c for c in inv.circuits.values() if c.region == region]
    calls = {"DescribePhysicalConnections": [], "ListVirtualPhysicalConnections": [],
             "DescribeVirtualBorderRoutersForPhysicalConnection": []}
    items = [{"PhysicalConnectionId": c.id, "AccessPointId": c.access_point, "Bandwidth": c.capacity // 10**6,
              "LineOperator": "CT", "Status": "Enabled", "ProductType": "PhysicalConnection", "Spec": "10G",
              "BusinessStatus": "Normal", "CreationTime": "2026-03-02T06:18:44Z"} for c in circuits]
    for n, page in enumerate(pages(items, 50), 1):
        calls["DescribePhysicalConnections"].append({"request": {"RegionId": region, "PageNumber": n, "PageSize": 50},
                                                     "response": {"RequestId": "R", "PageNumber": n, "PageSize": 50,
                                                                  "TotalCount": len(items),
                                                                  "PhysicalConnectionSet": {"PhysicalConnectionType": page}}})
    for c in circuits:
        hosted = [{"PhysicalConnectionId": hc.id, "ParentPhysicalConnectionId": c.id, "VlanId": str(hc.vlan),
                   "Spec": hc.bandwidth_text, "AliUid": hc.tenant, "Bandwidth": hc.bandwidth // 10**6,
                   "VirtualPhysicalConnectionStatus": "Confirmed", "Status": "Enabled", "BusinessStatus": "Normal",
                   "CreationTime": "2026-11-10T03:00:00Z", "AccessPointId": c.access_point,
                   "OrderMode": "PayByVirtualPhysicalConnectionOwner"} for hc in inv.connections_on(c.id)]
        chunks = pages(hosted, 100)
        for n, page in enumerate(chunks):
            request = {"RegionId": region, "PhysicalConnectionId": c.id, "MaxResults": 100}
            if n:
                request["NextToken"] = f"tok-{n}"
            calls["ListVirtualPhysicalConnections"].append({"request": request, "response": {
                "RequestId": "R", "Count": len(page), "TotalCount": len(hosted),
                "NextToken": f"tok-{n + 1}" if n + 1 < len(chunks) else "", "VirtualPhysicalConnections": page}})
        for h in hosted:
            calls["DescribeVirtualBorderRoutersForPhysicalConnection"].append({
                "request": {"RegionId": region, "PhysicalConnectionId": h["PhysicalConnectionId"], "PageNumber": 1,
                            "PageSize": 50},
                "response": {"RequestId": "R", "PageNumber": 1, "PageSize": 50, "TotalCount": 1,
                             "VirtualBorderRouterForPhysicalConnectionSet": {"VirtualBorderRouterForPhysicalConnectionType": [
                                 {"VbrId": f"vbr-{h['PhysicalConnectionId']}", "VlanId": int(h["VlanId"]),
                                  "Status": "active", "VbrOwnerUid": int(h["AliUid"])}]}}})
    return calls


def median(f, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--connections", type=int, default=20000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fleet = Path(tmp) / "fleet"
        build(fleet, 100, 2, args.connections)
        path = fleet / "inventory.yaml"
        path.write_text(re.sub(r"region: cn-region-(\d+)", lambda m: f"region: cn-region-{int(m[1]) % 4}",
                               path.read_text()))
        inv = load_inventory(path)
        regions = sorted({c.region for c in inv.circuits.values()})
        write_cloud(fleet, path, {r: RegionCalls(r, AT, cloud_calls(inv, r)) for r in regions})
        files = sorted((fleet / "cloud").glob("*/*.json"))
        size = sum(f.stat().st_size for f in files)
        decode = median(lambda: [json.loads(f.read_text()) for f in files], args.runs)
        replay = median(lambda: load_recorded(fleet, inv), args.runs)
        cloud = load_recorded(fleet, inv)
        states, failures = build_states(inv, collect_fleet(inv, fixtures_dir=fleet))
        ctx = Context(inventory=inv, states=states, failures=failures, cloud=cloud)
        rules = median(lambda: evaluate(ctx, CLOUD_RULES), args.runs)
        findings = evaluate(ctx, CLOUD_RULES)
        assert not [f for f in findings if f.status != "pass"], "the synthetic cloud agrees with its inventory"
        with_cloud = median(lambda: run_check(inv), args.runs)
        (fleet / "cloud").rename(fleet / "cloud-aside")
        without = median(lambda: run_check(inv), args.runs)
    hosted = sum(len(c.connections) for c in cloud.values())
    print(f"{hosted} hosted connections in {len(regions)} regions, {len(files)} files, {size / 1e6:.1f} MB")
    print(f"JSON decoding alone      {decode:6.2f} s")
    print(f"replay (load_recorded)   {replay:6.2f} s   (limit 2 s)")
    print(f"five cloud rules         {rules:6.2f} s   ({len(findings)} findings)")
    print(f"check with cloud/        {with_cloud:6.2f} s")
    print(f"check without cloud/     {without:6.2f} s   (added by the cloud: {with_cloud - without:.2f} s; limit 1 s)")


if __name__ == "__main__":
    main()
