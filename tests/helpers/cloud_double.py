"""A local Alibaba Cloud VPC API double: a real HTTP server on 127.0.0.1 that the official SDK client talks to
(endpoint http://127.0.0.1:PORT, set through ECP_CLOUD_ENDPOINT), answering from data whose field names and
types are exactly those of the SDK's response models (tests check them with the models' own annotations).

It serves, per region: DescribePhysicalConnections (PageNumber/PageSize), ListVirtualPhysicalConnections
(MaxResults/NextToken, filtered by PhysicalConnectionId), DescribeVirtualBorderRoutersForPhysicalConnection
(per hosted connection), and CreateVirtualPhysicalConnection with DryRun=true only (the double never creates).
Faults are scripted: `fail(...)` answers an API error, `throttle(...)` answers Throttling.User a number of
times first. Every request is kept in `seen` (action, query parameters, headers) for the tests to inspect.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

DRYRUN_SUCCESS = ("DRYRUN.SUCCESS", "This request is a dryrun request with successful result.")


@dataclass
class Fault:
    action: str
    region: str | None
    code: str
    message: str
    status: int
    times: int | None           # None: every time


@dataclass
class Region:
    circuits: list[dict] = field(default_factory=list)       # PhysicalConnectionType items
    hosted: list[dict] = field(default_factory=list)         # VirtualPhysicalConnections items
    vbrs: dict[str, list[dict]] = field(default_factory=dict)   # hosted id -> VBR items


class CloudDouble:
    def __init__(self, regions: dict[str, Region] | None = None):
        self.regions = regions or {}
        self.faults: list[Fault] = []
        self.dry_run_answer = DRYRUN_SUCCESS
        self.seen: list[tuple[str, dict, dict]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ scripting
    def fail(self, action: str, code: str, message: str, region: str | None = None, status: int = 400,
             times: int | None = None) -> None:
        self.faults.append(Fault(action, region, code, message, status, times))

    def throttle(self, action: str, times: int, region: str | None = None) -> None:
        self.fail(action, "Throttling.User", "Request was denied due to user flow control.", region, 400, times)

    @classmethod
    def from_recording(cls, fleet_dir: Path) -> "CloudDouble":
        """The double serving the items of a recorded fleet's cloud/ (pages flattened: it paginates itself)."""
        regions: dict[str, Region] = {}
        for folder in sorted((fleet_dir / "cloud").iterdir()):
            r = regions[folder.name] = Region()
            for action in ("DescribePhysicalConnections", "ListVirtualPhysicalConnections",
                           "DescribeVirtualBorderRoutersForPhysicalConnection"):
                path = folder / f"{action}.json"
                if not path.is_file():
                    continue
                for call in json.loads(path.read_text())["calls"]:
                    body = call["response"]
                    if action == "DescribePhysicalConnections":
                        r.circuits += body["PhysicalConnectionSet"]["PhysicalConnectionType"]
                    elif action == "ListVirtualPhysicalConnections":
                        r.hosted += body["VirtualPhysicalConnections"]
                    else:
                        r.vbrs.setdefault(call["request"]["PhysicalConnectionId"], []).extend(
                            body["VirtualBorderRouterForPhysicalConnectionSet"]["VirtualBorderRouterForPhysicalConnectionType"])
        return cls(regions)

    # ------------------------------------------------------------ serving
    def __enter__(self) -> "CloudDouble":
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                double._answer(self)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def calls(self, action: str) -> list[dict]:
        return [q for a, q, _ in self.seen if a == action]

    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        query = dict(parse_qsl(urlsplit(h.path).query))
        query.update(dict(parse_qsl(h.rfile.read(length).decode()))) if length else None
        action = h.headers.get("x-acs-action") or query.get("Action", "")
        with self._lock:
            self.seen.append((action, query, dict(h.headers)))
            fault = self._fault(action, query.get("RegionId"))
        if fault is not None:
            return self._send(h, fault.status, {"Code": fault.code, "Message": fault.message})
        if "Authorization" not in h.headers:
            return self._send(h, 400, {"Code": "MissingAuthorization", "Message": "no signature"})
        handler = getattr(self, f"_{action}", None)
        if handler is None:
            return self._send(h, 404, {"Code": "InvalidAction.NotFound", "Message": f"Specified api {action} is not found."})
        region = self.regions.get(query.get("RegionId", ""))
        if region is None:
            return self._send(h, 400, {"Code": "InvalidRegionId.NotFound", "Message": "The specified region does not exist."})
        status, body = handler(region, query)
        self._send(h, status, body)

    def _fault(self, action: str, region: str | None) -> Fault | None:
        for fault in self.faults:
            if fault.action == action and fault.region in (None, region) and fault.times != 0:
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    @staticmethod
    def _send(h, status: int, body: dict) -> None:
        body = {"RequestId": str(uuid.uuid4()).upper(), **body}
        if status >= 400:
            body.setdefault("HostId", "vpc.aliyuncs.com")
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json;charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    # ------------------------------------------------------------ the actions
    @staticmethod
    def _page(query: dict, default_size: int, largest: int) -> tuple[int, int]:
        return max(1, int(query.get("PageNumber", 1))), min(largest, max(1, int(query.get("PageSize", default_size))))

    def _DescribePhysicalConnections(self, region: Region, query: dict):
        number, size = self._page(query, 10, 50)
        items = region.circuits[(number - 1) * size: number * size]
        return 200, {"PageNumber": number, "PageSize": size, "TotalCount": len(region.circuits),
                     "PhysicalConnectionSet": {"PhysicalConnectionType": items}}

    def _ListVirtualPhysicalConnections(self, region: Region, query: dict):
        size = min(100, max(1, int(query.get("MaxResults", 20))))
        start = int(query["NextToken"].removeprefix("tok-")) if query.get("NextToken") else 0
        chosen = [h for h in region.hosted
                  if query.get("PhysicalConnectionId") in (None, h.get("ParentPhysicalConnectionId"))]
        items = chosen[start:start + size]
        more = start + size < len(chosen)
        return 200, {"Count": len(items), "TotalCount": len(chosen), "NextToken": f"tok-{start + size}" if more else "",
                     "VirtualPhysicalConnections": items}

    def _DescribeVirtualBorderRoutersForPhysicalConnection(self, region: Region, query: dict):
        number, size = self._page(query, 10, 50)
        everything = region.vbrs.get(query.get("PhysicalConnectionId"), [])
        return 200, {"PageNumber": number, "PageSize": size, "TotalCount": len(everything),
                     "VirtualBorderRouterForPhysicalConnectionSet": {
                         "VirtualBorderRouterForPhysicalConnectionType": everything[(number - 1) * size: number * size]}}

    def _CreateVirtualPhysicalConnection(self, region: Region, query: dict):
        if str(query.get("DryRun")).lower() != "true":     # the SDK sends a bool as Python spells it
            return 403, {"Code": "Forbidden.Double", "Message": "the test double only answers DryRun requests"}
        code, message = self.dry_run_answer
        return 400, {"Code": code, "Message": message}


# ---------------------------------------------------------------- realistic items

def circuit_item(pc_id: str, access_point: str, bandwidth_mbps: int, status: str = "Enabled",
                 line_operator: str = "CT", **more) -> dict:
    """A DescribePhysicalConnections item (PhysicalConnectionType), as the API returns a partner's circuit."""
    return {"PhysicalConnectionId": pc_id, "AccessPointId": access_point, "AccessPointType": "VPC",
            "Bandwidth": bandwidth_mbps, "BusinessStatus": "Normal", "ChargeType": "Prepaid",
            "CircuitCode": f"CT-{pc_id[-4:].upper()}", "CreationTime": "2026-03-02T06:18:44Z",
            "Description": "", "EnabledTime": "2026-03-09T02:00:00Z", "EndTime": "2027-03-09T16:00:00Z",
            "HasReservationData": "false", "LineOperator": line_operator, "LoaStatus": "Available",
            "Name": pc_id, "PeerLocation": "Hangzhou carrier POP", "PortNumber": "1/1/1", "PortType": "10GBase-LR",
            "ProductType": "PhysicalConnection", "RedundantPhysicalConnectionId": "",
            "ResourceGroupId": "rg-acfmxazb4ph6aiy", "Spec": f"{bandwidth_mbps // 1000}G" if bandwidth_mbps >= 1000 else
            f"{bandwidth_mbps}M", "Status": status, "Type": "VPC", "VirtualPhysicalConnectionCount": 0, **more}


def hosted_item(pc_id: str, circuit: str, ali_uid: str, vlan: int, spec: str, vpconn_status: str = "Confirmed",
                status: str = "Enabled", business_status: str = "Normal", created: str = "2026-11-10T03:00:00Z",
                access_point: str = "ap-cn-hangzhou-yh-B", partner_uid: str = "1234567890123456", **more) -> dict:
    """A ListVirtualPhysicalConnections item: VlanId and AliUid are strings, Bandwidth an integer (Mbps)."""
    mbps = {"G": 1000, "M": 1}[spec[-1]] * int(spec[:-1])
    return {"AccessPointId": access_point, "AdLocation": "", "AliUid": ali_uid, "Bandwidth": mbps,
            "BusinessStatus": business_status, "ChargeType": "PostPaid", "CircuitCode": "",
            "CreationTime": created, "Description": "", "EnabledTime": created if status == "Enabled" else "",
            "EndTime": "", "ExpectSpec": "", "LineOperator": "CT", "LoaStatus": "", "Name": f"ecp-vlan{vlan}",
            "OrderMode": "PayByVirtualPhysicalConnectionOwner", "ParentPhysicalConnectionAliUid": partner_uid,
            "ParentPhysicalConnectionId": circuit, "PeerLocation": "", "PhysicalConnectionId": pc_id,
            "PortNumber": "", "PortType": "", "ProductType": "VirtualPhysicalConnection",
            "RedundantPhysicalConnectionId": "", "ResourceGroupId": "rg-acfmxazb4ph6aiy", "Spec": spec,
            "Status": status, "Type": "VPC", "VirtualPhysicalConnectionStatus": vpconn_status, "VlanId": str(vlan),
            **more}


def vbr_item(vbr_id: str, vlan: int, owner_uid: int, status: str = "active") -> dict:
    """A DescribeVirtualBorderRoutersForPhysicalConnection item (VlanId an integer here, VbrOwnerUid a Long)."""
    return {"ActivationTime": "2026-11-10T04:00:00Z", "Bandwidth": "", "CircuitCode": "",
            "CreationTime": "2026-11-10T03:30:00Z", "EccId": "", "EnableIpv6": False, "LocalGatewayIp": "10.0.0.1",
            "PeerGatewayIp": "10.0.0.2", "PeeringSubnetMask": "255.255.255.252", "RecoveryTime": "",
            "Status": status, "TerminationTime": "", "Type": "user", "VbrId": vbr_id, "VbrOwnerUid": owner_uid,
            "VlanId": vlan}


def region_from_inventory(inv, region: str, line_operator: str = "CT") -> Region:
    """The cloud as the inventory says it is, for one region: every circuit, every non-deleted hosted connection."""
    from ecpartner.cloud_state import map_status  # noqa: F401 (the mapping these states must round-trip through)

    back = {"enabled": ("Confirmed", "Enabled"), "pending": ("UnConfirmed", "Allocated"),
            "disabled": ("Confirmed", "Terminated")}
    r = Region()
    for c in inv.circuits.values():
        if c.region != region:
            continue
        r.circuits.append(circuit_item(c.id, c.access_point, c.capacity // 10**6,
                                       "Enabled" if c.status == "enabled" else "Terminated", line_operator))
        for hc in inv.connections_on(c.id):
            if hc.status == "deleted" or hc.id is None:
                continue
            spec = f"{hc.bandwidth // 10**9}G" if hc.bandwidth >= 10**9 else f"{hc.bandwidth // 10**6}M"
            vp, st = back[hc.status]
            r.hosted.append(hosted_item(hc.id, c.id, hc.tenant, hc.vlan, spec, vp, st, access_point=c.access_point,
                                        partner_uid=inv.partner.account_id))
            if hc.status == "enabled":
                r.vbrs[hc.id] = [vbr_item(f"vbr-{hc.id}", hc.vlan, int(hc.tenant))]
    return r


def calls_of(region: str, r: Region) -> dict[str, list[dict]]:
    """The answers a collection of `r` would get, one page each, as {action: [{"request", "response"}]}."""
    out = {"DescribePhysicalConnections": [{"request": {"RegionId": region, "PageNumber": 1, "PageSize": 50}, "response": {
        "RequestId": "REQ-1", "PageNumber": 1, "PageSize": 50, "TotalCount": len(r.circuits),
        "PhysicalConnectionSet": {"PhysicalConnectionType": r.circuits}}}],
           "ListVirtualPhysicalConnections": [], "DescribeVirtualBorderRoutersForPhysicalConnection": []}
    for c in r.circuits:
        mine = [h for h in r.hosted if h["ParentPhysicalConnectionId"] == c["PhysicalConnectionId"]]
        out["ListVirtualPhysicalConnections"].append({"request": {
            "RegionId": region, "PhysicalConnectionId": c["PhysicalConnectionId"], "MaxResults": 100}, "response": {
            "RequestId": "REQ-2", "Count": len(mine), "TotalCount": len(mine), "NextToken": "",
            "VirtualPhysicalConnections": mine}})
    for hid, vbrs in r.vbrs.items():
        out["DescribeVirtualBorderRoutersForPhysicalConnection"].append({"request": {
            "RegionId": region, "PhysicalConnectionId": hid, "PageNumber": 1, "PageSize": 50}, "response": {
            "RequestId": "REQ-3", "PageNumber": 1, "PageSize": 50, "TotalCount": len(vbrs),
            "VirtualBorderRouterForPhysicalConnectionSet": {"VirtualBorderRouterForPhysicalConnectionType": vbrs}}})
    return out


def record(fleet_dir: Path, inventory_path: Path, regions: dict[str, Region], at, errors: dict[str, str] | None = None):
    """Write fleet_dir/cloud/ with the recorder itself (no server): what `cloud collect --record` would write."""
    from ecpartner.collect.cloud import RegionCalls, write_cloud

    results = {name: RegionCalls(name, at, calls_of(name, r)) for name, r in regions.items()}
    for name, error in (errors or {}).items():
        results[name] = RegionCalls(name, at, error=error)
    write_cloud(fleet_dir, inventory_path, results)
    (fleet_dir / ".ecpartner-recording").unlink(missing_ok=True)
