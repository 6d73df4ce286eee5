"""What Alibaba Cloud says exists in one region: the partner's circuits, the hosted connections on them and
their VBRs, built from the API's answers as the SDK's response models name them (PascalCase maps), so a
live collection and a recorded one (cloud/<region>/<Action>.json) give the same picture.

The cloud's states are mapped onto the inventory's vocabulary here, once (README "The cloud side"):
VirtualPhysicalConnectionStatus Deleted, or Status Canceled / Rejected / AllocationFailed -> deleted;
UnConfirmed -> pending (the tenant has not accepted); Status Enabled -> enabled; Terminating / Terminated
-> disabled; anything else (Initial, Allocating, Allocated, Confirmed: still being set up) -> pending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

CIRCUITS = "DescribePhysicalConnections"
HOSTED = "ListVirtualPhysicalConnections"
VBRS = "DescribeVirtualBorderRoutersForPhysicalConnection"
ACTIONS = (CIRCUITS, HOSTED, VBRS)

DELETED_STATUSES = {"Canceled", "Rejected", "AllocationFailed", "Allocation Failed"}
DISABLED_STATUSES = {"Terminating", "Terminated"}
LOCKED = {"Financialized": "locked for arrears (overdue payment)", "SecurityLocked": "locked for security reasons"}
# LineOperator codes of DescribePhysicalConnections; CO is "another carrier in China"
LINE_OPERATORS = {"CT": "China Telecom", "CU": "China Unicom", "CM": "China Mobile", "CO": "Other carrier in China"}


def map_status(vpconn_status: str | None, status: str | None) -> str:
    """The inventory's status (pending | enabled | disabled | deleted) of a hosted connection in the cloud."""
    if vpconn_status == "Deleted" or status in DELETED_STATUSES:
        return "deleted"
    if vpconn_status == "UnConfirmed":
        return "pending"
    if status == "Enabled":
        return "enabled"
    if status in DISABLED_STATUSES:
        return "disabled"
    return "pending"


def cloud_time(text: str | None) -> datetime | None:
    """The API's times (2026-11-20T08:00:00Z, sometimes without seconds); None when absent or unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class CloudCircuit:
    id: str
    access_point: str | None
    bandwidth_mbps: int | None
    status: str | None                  # the API's: Enabled, Terminated, ...
    line_operator: str | None


@dataclass(frozen=True)
class CloudConnection:
    id: str
    circuit: str | None                 # ParentPhysicalConnectionId
    vlan: int | None                    # VlanId is a string in this API's answers
    spec: str | None
    ali_uid: str | None
    vpconn_status: str | None           # Confirmed | UnConfirmed | Deleted
    status: str | None
    business_status: str | None         # Normal | Financialized | SecurityLocked
    created: datetime | None
    vbrs: tuple[str, ...] = ()
    state: str = ""                     # the inventory's word for its status (map_status), set when built


@dataclass(frozen=True)
class CloudVbr:
    id: str
    on: str                             # the circuit or hosted connection it is on
    vlan: int | None
    bandwidth_mbps: int | None          # its bandwidth cap; None: none set ("Speed Unlimited")
    owner: str | None                   # VbrOwnerUid: the tenant's account
    status: str | None


@dataclass
class RegionCloud:
    region: str
    at: datetime                        # when it was read: ages (pending acceptance) are measured from here
    circuits: dict[str, CloudCircuit] = field(default_factory=dict)
    connections: dict[str, CloudConnection] = field(default_factory=dict)
    error: str | None = None
    vbrs: dict[str, list[CloudVbr]] = field(default_factory=dict)   # circuit or hosted connection id -> its VBRs            # the API error that stopped this region's collection


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def region_picture(region: str, at: datetime, calls: dict[str, list[dict]]) -> RegionCloud:
    """The picture of one region from its answers: calls[action] = [{"request": {...}, "response": {...}}]."""
    out = RegionCloud(region, at)
    for call in calls.get(CIRCUITS, []):
        for c in (call["response"].get("PhysicalConnectionSet") or {}).get("PhysicalConnectionType") or []:
            if c.get("ParentPhysicalConnectionId") or c.get("ProductType") == "VirtualPhysicalConnection":
                continue        # a hosted connection listed among circuits: not one of the partner's circuits
            out.circuits[c["PhysicalConnectionId"]] = CloudCircuit(
                c["PhysicalConnectionId"], c.get("AccessPointId"), _int(c.get("Bandwidth")), c.get("Status"),
                c.get("LineOperator"))
    vbrs: dict[str, list[str]] = {}
    for call in calls.get(VBRS, []):
        on = call["request"].get("PhysicalConnectionId")
        items = (call["response"].get("VirtualBorderRouterForPhysicalConnectionSet") or {}).get(
            "VirtualBorderRouterForPhysicalConnectionType") or []
        vbrs.setdefault(on, []).extend(v.get("VbrId") for v in items if v.get("VbrId"))
        out.vbrs.setdefault(on, []).extend(
            CloudVbr(v["VbrId"], on, _int(v.get("VlanId")), _int(v.get("Bandwidth")) or None,
                     str(v["VbrOwnerUid"]) if v.get("VbrOwnerUid") is not None else None, v.get("Status"))
            for v in items if v.get("VbrId"))
    for call in calls.get(HOSTED, []):
        for h in call["response"].get("VirtualPhysicalConnections") or []:
            hid = h["PhysicalConnectionId"]
            out.connections[hid] = CloudConnection(
                hid, h.get("ParentPhysicalConnectionId"), _int(h.get("VlanId")), h.get("Spec"),
                str(h["AliUid"]) if h.get("AliUid") is not None else None, h.get("VirtualPhysicalConnectionStatus"),
                h.get("Status"), h.get("BusinessStatus"), cloud_time(h.get("CreationTime")),
                tuple(vbrs.get(hid, ())), map_status(h.get("VirtualPhysicalConnectionStatus"), h.get("Status")))
    return out


# Answers to a DryRun CreateVirtualPhysicalConnection, explained in the partner guide's words ("Troubleshooting"):
# matched on the error code and message with case, spaces and punctuation ignored
DRYRUN_SUCCESS = "DRYRUN.SUCCESS"
DRY_RUN_CAUSES = (
    (("crosssite",), "Cross-site hosted connection is not allowed: your account and the tenant's account are "
                     "registered on different Alibaba Cloud sites; make sure both are on the same site"),
    (("insufficientbandwidth",), "Insufficient bandwidth resources: the total bandwidth of all hosted connections "
                                 "on the circuit exceeds its capacity; release unused hosted connections, then retry"),
    (("invalidbandwidth", "specifiedbandwidthisinvalid", "bandwidthinvalid"),
     "Invalid Bandwidth parameter / The specified bandwidth is invalid: your permissions to manage hosted "
     "connections have expired; re-apply for permissions (Apply for hosted connection permissions)"),
    (("invalidvlanidused",), "the VLAN is already used by another connection on this circuit"),
    (("illegalparamvlanid",), "the VLAN is outside 0..2999"),
    (("resourcenotfoundphysicalconnectionid",), "the circuit does not exist in this region"),
    (("incorrectstatusphysicalconnection",), "the circuit must be Enabled and a dedicated circuit"),
)


def explain_dry_run(code: str | None, message: str) -> str | None:
    """The guide's explanation of a dry-run answer, or None when it has none."""
    said = "".join(ch for ch in f"{code or ''} {message}".lower() if ch.isalnum())
    return next((why for keys, why in DRY_RUN_CAUSES if any(k in said for k in keys)), None)
