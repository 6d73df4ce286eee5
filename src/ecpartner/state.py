"""The normalized, vendor-neutral device state: the one data contract between parsing and rules.

Every platform's TTP templates produce raw records (RAW SCHEMA, ecpartner.parse.raw); the parse package
turns them into these tables. A rule never knows which vendor said something: it reads only what is defined here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

QOS, ARP, ICMP = "qos", "arp", "icmp"                       # RateLimit.kind
SCOPE_INTERFACE, SCOPE_DEVICE, SCOPE_PER_SOURCE = "interface", "device", "per-source"   # RateLimit.scope
IN, OUT = "in", "out"                                       # RateLimit.direction
BPS, PPS = "bps", "pps"                                     # RateLimit.unit
TO_BPS = {"bps": 1, "kbps": 10**3, "mbps": 10**6, "gbps": 10**9}   # rate units devices print


@dataclass
class Interface:
    name: str                         # full name as the configuration writes it
    parent: str | None = None         # the port of a subinterface ("GigabitEthernet0/0/1" for "...0/0/1.100")
    vlan: int | None = None           # single-tag dot1q VLAN read from the encapsulation line, never from the name
    description: str | None = None
    addresses: list[str] = field(default_factory=list)   # "10.0.0.1/30"
    shutdown: bool = False
    statistics: bool = True           # traffic counted in both directions (platform default or explicitly enabled)
    statistics_only: str | None = None   # in | out: only that direction is counted (statistics is then False)
    # A double-tagged (QinQ) subinterface: both tags, and `vlan` None, so it never carries a single-tag VLAN.
    # inner_vlan is None when the inner tag is not one VLAN (a range, `any`).
    outer_vlan: int | None = None
    inner_vlan: int | None = None

    @property
    def double_tagged(self) -> bool:
        return self.outer_vlan is not None

    @property
    def encapsulation(self) -> str:
        """The tags, for messages: 'dot1q VLAN 100', 'QinQ outer VLAN 2234 inner VLAN 15', 'no dot1q VLAN'."""
        if self.double_tagged:
            inner = f"inner VLAN {self.inner_vlan}" if self.inner_vlan is not None else "inner VLANs not a single one"
            return f"QinQ outer VLAN {self.outer_vlan} {inner}"
        return f"dot1q VLAN {self.vlan}" if self.vlan is not None else "no dot1q VLAN"


@dataclass
class RateLimit:
    kind: str                         # qos | arp | icmp
    scope: str                        # interface | device | per-source (per source IP: N pps per user)
    rate: float | None                # in `unit`; None only when the platform's default applies and is unknown
    unit: str                         # bps | pps
    source: str                       # what configured it, for messages: "qos car cir 200000 inbound"
    interface: str | None = None      # for scope interface
    direction: str | None = None      # in | out for qos; None otherwise
    default_threshold: bool = False   # enabled without an explicit rate: the platform default applies


@dataclass
class Counters:
    interface: str                    # configuration name (SNMP names are matched to it)
    in_octets: int | None = None
    out_octets: int | None = None
    in_packets: int | None = None     # unicast + multicast + broadcast
    out_packets: int | None = None
    in_discards: int | None = None
    out_discards: int | None = None
    in_errors: int | None = None
    out_errors: int | None = None
    speed_bps: int | None = None
    counter_bits: int | None = 64     # 64 (ifHC*) or 32 (ifTable); None when no octet counter exists
    source: str = "snmp"              # snmp | cli

    @property
    def readable(self) -> bool:
        """bps, pps and normal and dropped counts can all be read (the guide's monitoring data)."""
        return None not in (self.in_octets, self.out_octets, self.in_packets, self.out_packets,
                            self.in_discards, self.out_discards)


COUNTER_MAX = 2**64 - 1          # the largest value any counter (Counter64) can hold


def optional_int(value, largest: int = COUNTER_MAX) -> int | None:
    """A counter as printed or recorded ('123', ' 123 ', 123); None when absent, not a whole number of plain
    digits ('abc', '', '1.5', '1e3', '+5'), negative (a counter never is) or above `largest`."""
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isascii() and value.isdigit() and len(value) <= 20 else None
    elif isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if value is not None and 0 <= value <= largest else None


def packet_total(unicast: int | None, *others: int | None) -> int | None:
    """Packets = unicast + multicast + broadcast; the other kinds may be absent (32-bit agents, short CLI forms)."""
    if unicast is None:
        return None
    # Three counters that each wrap at 2^64 add up to one that wraps there too: deltas stay exact.
    return (unicast + sum(v for v in others if v is not None)) % (COUNTER_MAX + 1)


@dataclass
class DeviceState:
    device: str
    platform: str
    interfaces: dict[str, Interface] = field(default_factory=dict)
    rate_limits: list[RateLimit] = field(default_factory=list)
    counters: dict[str, Counters] = field(default_factory=dict)
    sys_uptime: int | None = None     # hundredths of a second
    notes: list[str] = field(default_factory=list)   # parse remarks worth showing (unresolved references, ...)
    _lookup_cache: tuple = field(default=(), init=False, repr=False, compare=False)
    _lookup_key: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def subinterfaces_of(self, port: str) -> list[Interface]:
        return self._lookup()[0].get(port, [])

    def subinterfaces_with_vlan(self, port: str, vlan: int) -> list[Interface]:
        """Subinterfaces of `port` whose dot1q encapsulation is `vlan`."""
        return self._lookup()[1].get((port, vlan), [])

    def carrier(self, port: str, vlan: int, conventional: str | None) -> Interface | None:
        """The interface carrying `vlan` on `port`: VLAN 0 is the routed interface of the port (its
        `conventional` name, from the platform's naming model); VLAN n the subinterface of the port whose dot1q
        encapsulation is n, never judged by its name (the conventional one wins when several carry it)."""
        if vlan == 0:
            return self.interfaces.get(conventional) if conventional is not None else None
        matches = self.subinterfaces_with_vlan(port, vlan)
        for iface in matches:
            if iface.name == conventional:
                return iface
        return matches[0] if matches else None

    def limits(self, kind: str, interface: str | None = None, *more: str) -> list[RateLimit]:
        """Limits of a kind, in configuration order; with interfaces, those that cover any of them (their own
        and device-wide ones): a look-up, so asking once per connection stays linear."""
        by_kind, by_interface = self._lookup()[2:]
        if interface is None:
            return [r for _, r in by_kind.get(kind, [])]
        # key (kind, None) holds the device-wide and per-source limits, which cover every interface
        covering = by_interface.get((kind, None), [])
        for name in dict.fromkeys((interface, *more)):       # each interface once, even if named twice
            covering = covering + by_interface.get((kind, name), [])
        return [r for _, r in sorted(covering, key=lambda item: item[0])]

    def _lookup(self):
        # Rules ask these questions once per hosted connection, on devices with thousands of interfaces:
        # index once per version of the tables (states are built by the parser, then only read).
        last_interface = next(reversed(self.interfaces.values()), None)
        last_limit = self.rate_limits[-1] if self.rate_limits else None
        # the cache holds the objects, so their ids cannot be reused while it lives
        key = (id(self.interfaces), len(self.interfaces), id(last_interface),
               id(self.rate_limits), len(self.rate_limits), id(last_limit))
        if self._lookup_key != key:
            children: dict[str, list[Interface]] = {}
            by_vlan: dict[tuple[str, int], list[Interface]] = {}
            for i in self.interfaces.values():
                if i.parent is not None:
                    children.setdefault(i.parent, []).append(i)
                    if i.vlan is not None:      # a QinQ subinterface carries no single-tag VLAN
                        by_vlan.setdefault((i.parent, i.vlan), []).append(i)
            by_kind: dict[str, list] = {}
            by_interface: dict[tuple[str, str], list] = {}
            for position, r in enumerate(self.rate_limits):
                by_kind.setdefault(r.kind, []).append((position, r))
                scope_key = r.interface if r.scope == SCOPE_INTERFACE else None
                by_interface.setdefault((r.kind, scope_key), []).append((position, r))
            self._lookup_cache, self._lookup_key = (children, by_vlan, by_kind, by_interface), key
        return self._lookup_cache

    def to_dict(self) -> dict:
        """Plain data, stable order: what parser tests compare against their expected YAML."""
        return {
            "interfaces": {n: asdict(i) for n, i in sorted(self.interfaces.items())},
            "rate_limits": [asdict(r) for r in self.rate_limits],
            "counters": {n: asdict(c) for n, c in sorted(self.counters.items())},
            "sys_uptime": self.sys_uptime,
        }


@dataclass
class Collected:
    """What a collector brought back from one device: raw text, never parsed here."""
    device: str
    outputs: dict[str, str] = field(default_factory=dict)       # command -> text exactly as printed
    snmp: dict[str, tuple[str, str]] | None = None              # OID -> (snmprec type tag, value)
    error: str | None = None          # why the device could not be collected: "ssh: authentication failed"
    timings: dict[str, float] = field(default_factory=dict)     # step -> seconds
    source: str = "fixtures"          # fixtures | live
