"""The demo fleet's cloud/ recording: the cloud as the demo inventory says it is, with one drift per cloud rule,
recorded by the real collector through the SDK from the API double. Run `python tests/helpers/demo_cloud.py`
(from the repository root) to write fixtures/demo/cloud/ again after changing the drifts below."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORDED_AT = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)


def demo_regions(inv):
    from helpers.cloud_double import hosted_item, region_from_inventory, vbr_item
    from ecpartner.collect.cloud import regions_of

    regions = {r: region_from_inventory(inv, r) for r in regions_of(inv)}

    def hosted(region, hid):
        return next(h for h in regions[region].hosted if h["PhysicalConnectionId"] == hid)

    hz = regions["cn-hangzhou"]
    hosted("cn-hangzhou", "pc-hc02")["VlanId"] = "111"          # a colleague changed the VLAN in the console
    hz.hosted = [h for h in hz.hosted if h["PhysicalConnectionId"] != "pc-hc05"]   # VLAN 3001: never created
    hosted("cn-hangzhou", "pc-hc06")["Spec"] = "200M"           # the cloud sold 200M; the inventory says 150M
    old = hosted("cn-hangzhou", "pc-hc07")                      # waiting for the tenant for 16 days
    old["CreationTime"], old["VlanId"] = "2026-11-10T02:00:00Z", "201"
    hz.hosted.append(hosted_item("pc-hc11", "pc-hz03", "1100000000000003", 303, "200M", "Deleted", "Terminated",
                                 access_point="ap-cn-hangzhou-xx-C"))
    hz.hosted.append(hosted_item("pc-hc99", "pc-hz03", "1100000000000002", 350, "100M", "UnConfirmed", "Allocated",
                                 created="2026-11-24T09:00:00Z", access_point="ap-cn-hangzhou-xx-C"))  # not in the inventory
    next(c for c in regions["cn-shanghai"].circuits if c["PhysicalConnectionId"] == "pc-sh02")["LineOperator"] = "CO"
    next(c for c in regions["cn-qingdao"].circuits if c["PhysicalConnectionId"] == "pc-qd02")["Bandwidth"] = 1000
    hosted("cn-shenzhen", "pc-szhc02")["BusinessStatus"] = "Financialized"
    hosted("cn-qingdao", "pc-qdhc01")["BusinessStatus"] = "SecurityLocked"
    # tenants' VBRs on the circuits themselves (the shared model), for `plan convert`: one without a bandwidth cap
    hz.vbrs["pc-hz03"] = [vbr_item("vbr-hz03legacy", 360, 1987654321098765) | {"Bandwidth": ""}]
    regions["cn-beijing"].vbrs["pc-bj01"] = [vbr_item("vbr-bj01legacy", 150, 1300000000000101) | {"Bandwidth": "200"}]
    return regions


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    os.environ.update(ALIBABA_CLOUD_ECS_METADATA_DISABLED="true", ALIBABA_CLOUD_ACCESS_KEY_ID="LTAI-demo-recording",
                      ALIBABA_CLOUD_ACCESS_KEY_SECRET="demo-secret-never-recorded")
    from helpers.cloud_double import CloudDouble
    from ecpartner.collect.cloud import collect_cloud, resolve_access, write_cloud
    from ecpartner.inventory_loader import load_inventory

    fleet = ROOT / "fixtures" / "demo"
    inv = load_inventory(fleet / "inventory.yaml")
    with CloudDouble(demo_regions(inv)) as double:
        os.environ["ECP_CLOUD_ENDPOINT"] = double.endpoint
        access = resolve_access()
        results = collect_cloud(inv, timeout=10, access=access, now=lambda: RECORDED_AT)
    write_cloud(fleet, fleet / "inventory.yaml", results, access.secrets)
    (fleet / ".ecpartner-recording").unlink(missing_ok=True)    # the demo is not a recording to overwrite


if __name__ == "__main__":
    main()
