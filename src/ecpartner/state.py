"""The normalized, vendor-neutral device state: the one data contract between parsing and rules.

Every platform's TTP templates produce raw records (see RAW SCHEMA in parse.py); parse.py turns them
into these tables. A rule never knows which vendor said something: it reads only what is defined here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

QOS, ARP, ICMP = "qos", "arp", "icmp"                       # RateLimit.kind
SCOPE_INTERFACE, SCOPE_DEVICE, SCOPE_PER_SOURCE = "interface", "device", "per-source"   # RateLimit.scope
IN, OUT = "in", "out"                                       # RateLimit.direction
BPS, PPS = "bps", "pps"                                     # RateLimit.unit


@dataclass
class Interface:
    name: str                         # full name as the configuration writes it
    parent: str | None = None         # the port of a subinterface ("GigabitEthernet0/0/1" for "...0/0/1.100")
    vlan: int | None = None           # dot1q VLAN read from the encapsulation line, never from the name
    description: str | None = None
    addresses: list[str] = field(default_factory=list)   # "10.0.0.1/30"
    shutdown: bool = False
    statistics: bool = True           # traffic statistics counted (platform default or explicitly enabled)


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
    counter_bits: int = 64
    source: str = "snmp"              # snmp | cli

    @property
    def readable(self) -> bool:
        """bps, pps and normal and dropped counts can all be read (the guide's monitoring data)."""
        return None not in (self.in_octets, self.out_octets, self.in_packets, self.out_packets,
                            self.in_discards, self.out_discards)


@dataclass
class DeviceState:
    device: str
    platform: str
    interfaces: dict[str, Interface] = field(default_factory=dict)
    rate_limits: list[RateLimit] = field(default_factory=list)
    counters: dict[str, Counters] = field(default_factory=dict)
    sys_uptime: int | None = None     # hundredths of a second
    notes: list[str] = field(default_factory=list)   # parse remarks worth showing (unresolved references, ...)

    def subinterfaces_of(self, port: str) -> list[Interface]:
        return [i for i in self.interfaces.values() if i.parent == port]

    def limits(self, kind: str, interface: str | None = None) -> list[RateLimit]:
        """Limits of a kind; with an interface, those that cover it (its own and device-wide ones)."""
        out = []
        for r in self.rate_limits:
            if r.kind != kind:
                continue
            if interface is None or r.scope != SCOPE_INTERFACE or r.interface == interface:
                out.append(r)
        return out

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
