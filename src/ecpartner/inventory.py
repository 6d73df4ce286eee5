"""The partner's inventory (contract section 2): typed objects and bandwidth units; inventory_loader.py reads the file.

Loading validates structure only (types, unknown keys, references, duplicates): a well-formed value
that breaks a guide requirement (VLAN 3001, 150M, too much bandwidth) is a rule's finding, not a load error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

CARRIERS_ELIGIBLE = ("China Mobile", "China Unicom", "China Telecom", "CITIC Telecom", "China Broadcasting Network")
SITES = ("china", "international")
ROLES = ("access", "aggregation", "edge")
FAMILIES = ("router", "switch")          # selects the render variant (templates branch on it)
CIRCUIT_STATUSES = ("enabled", "disabled")
CONNECTION_STATUSES = ("pending", "enabled", "disabled", "deleted")

# ASCII digits and spaces only: \d and \s would also take other scripts' digits (Arabic-Indic '٢٠٠M'), line
# breaks and other white space, and the text as written goes on into reports.
_BANDWIDTH = re.compile(r" *([0-9]+(?:\.[0-9]+)?) *([MG])(?:bps)? *", re.IGNORECASE)
_UNIT = {"M": 10**6, "G": 10**9}
MAX_BANDWIDTH = 10**13  # 10 Tbit/s: far above any circuit, far below where arithmetic on it overflows
VLAN_MAX = 2999         # the guide: VLAN IDs 0..2999
_VLAN_RANGE = re.compile(r" *([0-9]+) *(?:- *([0-9]+) *)?")

VlanRanges = tuple[tuple[int, int], ...]   # sorted, disjoint, inclusive (low, high) pairs


def parse_bandwidth(text: str) -> int:
    """'200M', '2.5G', '1 Gbps' -> bit/s (M = 10^6, G = 10^9), 1 bit/s to 10 Tbit/s. Raises ValueError with the reason."""
    m = _BANDWIDTH.fullmatch(str(text))
    shown = repr(text) if len(repr(text)) <= 40 else repr(text)[:36] + "...'"   # a 400-digit value stays one line
    if not m:
        raise ValueError(f"{shown} is not a bandwidth (expected e.g. 50M, 200M, 1G, 2.5G, 200Mbps, 1 Gbps)")
    # Decimal is exact and never overflows: float('1' + 400 zeros) is inf, and int(inf) raises
    value = Decimal(m.group(1)) * _UNIT[m.group(2).upper()]
    if value < 1:
        raise ValueError(f"{shown} is not a bandwidth: less than 1 bit/s")
    if value > MAX_BANDWIDTH:
        raise ValueError(f"{shown} is not a bandwidth: more than 10 Tbit/s (10000G)")
    return int(value.to_integral_value(ROUND_HALF_EVEN))


def parse_vlan_ranges(value: str | int | list, allow_empty: bool = False) -> VlanRanges:
    """'100-199,300' (or a list of such items and integers) -> ((100, 199), (300, 300)). Raises ValueError
    naming the item: bad syntax, a VLAN outside 0..2999, a reversed range, two items that overlap; an empty
    list too unless `allow_empty` (reserved_vlans: [] on a circuit: none here, whatever the partner's)."""
    items = value if isinstance(value, list) else [value]
    pairs: list[tuple[int, int, str]] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise ValueError(f"{item!r} is not a VLAN or range (expected e.g. 100-199,300)")
        for part in (str(item).split(",") if isinstance(item, str) else [str(item)]):
            m = _VLAN_RANGE.fullmatch(part)
            if not m:
                raise ValueError(f"{part.strip()!r} is not a VLAN or range (expected e.g. 100-199,300)")
            low, high = int(m.group(1)), int(m.group(2) or m.group(1))
            text = part.strip()
            if high > VLAN_MAX:
                raise ValueError(f"{text!r}: VLAN {high} is outside 0..{VLAN_MAX}")
            if low > high:
                raise ValueError(f"{text!r}: the range runs backwards ({low} > {high})")
            pairs.append((low, high, text))
    if not pairs and not (allow_empty and items == []):
        raise ValueError("is empty (expected e.g. 100-199,300)")
    pairs.sort()
    for (_, high, text), (low, _, other) in zip(pairs, pairs[1:]):
        if low <= high:
            raise ValueError(f"{text!r} and {other!r} overlap")
    return tuple((low, high) for low, high, _ in pairs)


def format_vlan_ranges(ranges: VlanRanges) -> str:
    return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ranges)


def format_bandwidth(bps: int) -> str:
    """bit/s -> the API's spec spelling: 200000000 -> '200M', 10**9 -> '1G', 2.5e9 -> '2.5G' (exact: never 1.23457G)."""
    unit, scale = ("G", 10**9) if bps >= 10**9 else ("M", 10**6)
    return f"{(Decimal(bps) / scale).normalize():f}{unit}"


@dataclass(frozen=True)
class Permission:
    valid_from: datetime
    valid_until: datetime


@dataclass(frozen=True)
class Partner:
    name: str
    carrier: str
    site: str
    account_id: str
    permission: Permission | None = None
    vlan_pool: VlanRanges | None = None     # extension: default pool of `plan --vlan auto` for every circuit
    reserved_vlans: VlanRanges | None = None
    timezone: str = "UTC"                   # extension: IANA name; the zone the telemetry report's time axes show


@dataclass(frozen=True)
class Thresholds:
    arp_pps_per_user: float = 1
    icmp_min_pps: float = 500
    qos_tolerance: float = 0.05
    utilization_warn: float = 0.9
    max_drop_ratio: float = 0.001
    pending_acceptance_days: float = 7    # cloud-pending-acceptance: days a tenant may take to accept


@dataclass(frozen=True)
class SnmpSettings:
    version: str = "2c"                 # "2c" | "3"
    community_env: str | None = None    # v2c
    port: int = 161


@dataclass(frozen=True)
class SnmpV3Credentials:
    user_env: str
    auth_key_env: str
    priv_key_env: str
    auth_protocol: str = "sha"          # sha | sha256 | md5
    priv_protocol: str = "aes"          # aes | aes256 | des


@dataclass(frozen=True)
class Credentials:
    name: str
    username_env: str
    password_env: str
    secret_env: str | None = None
    snmp_v3: SnmpV3Credentials | None = None


@dataclass(frozen=True)
class Device:
    name: str
    host: str
    platform: str
    role: str
    credentials: str | None = None      # needed only to reach the device (--live, collect)
    port: int = 22
    snmp: SnmpSettings | None = None
    line: int = 0
    family: str = "router"      # router | switch: the render template variant (e.g. CoPP vs DAI ARP limits)


@dataclass(frozen=True)
class Circuit:
    id: str
    region: str
    access_point: str
    capacity: int               # bit/s
    device: str
    interface: str
    status: str = "enabled"
    carrier: str | None = None  # extension: the carrier whose line this is, when not partner.carrier
    vlan_pool: VlanRanges | None = None       # extension: VLANs `plan --vlan auto` may take (else the partner's)
    reserved_vlans: VlanRanges | None = None  # extension: never taken by --vlan auto (else the partner's)
    line: int = 0


@dataclass(frozen=True)
class Tenant:
    account_id: str
    name: str
    site: str
    ha: bool = False
    users: int = 1
    line: int = 0


@dataclass(frozen=True)
class HostedConnection:
    circuit: str
    tenant: str                 # tenant account_id
    vlan: int
    bandwidth: int              # bit/s
    bandwidth_text: str         # as written, e.g. "200M"
    status: str
    id: str | None = None
    address: str | None = None  # CIDR, partner side
    line: int = 0

    @property
    def key(self) -> str:
        """Stable name for reports: the Alibaba Cloud id, or circuit/vlan before one is assigned."""
        return self.id or f"{self.circuit}/vlan{self.vlan}"

    @property
    def counts(self) -> bool:
        """Holds resources on its circuit (everything but deleted)."""
        return self.status != "deleted"


@dataclass
class Inventory:
    path: Path
    partner: Partner
    thresholds: Thresholds
    devices: dict[str, Device]
    credentials: dict[str, Credentials]
    circuits: dict[str, Circuit]
    tenants: dict[str, Tenant]
    hosted_connections: list[HostedConnection] = field(default_factory=list)
    _by_circuit: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_circuit_key: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def connections_on(self, circuit_id: str) -> list[HostedConnection]:
        # Indexed once per version of the list: rules ask this for every circuit and connection.
        connections = self.hosted_connections
        key = (id(connections), len(connections), id(connections[-1]) if connections else None)
        if self._by_circuit_key != key:
            by_circuit: dict[str, list[HostedConnection]] = {}
            for c in self.hosted_connections:
                by_circuit.setdefault(c.circuit, []).append(c)
            self._by_circuit, self._by_circuit_key = by_circuit, key
        return list(self._by_circuit.get(circuit_id, ()))

    def circuits_on(self, device_name: str) -> list[Circuit]:
        return [c for c in self.circuits.values() if c.device == device_name]
