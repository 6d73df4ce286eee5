"""RAW SCHEMA: what every platform's TTP templates produce, typed: one TypedDict per group below.

All keys are optional (total=False); TTP group names are the keys of `Raw`. Each template's results are
merged: list-valued groups are concatenated across templates. Where a record holds a list (`qos`,
`classes`, ...), TTP gives a single dict when there is one match: readers accept both.

  interfaces*:   {name, description, vlan (int, from a single-tag dot1q encapsulation only),
                  outer_vlan + inner_vlan (a double-tagged, QinQ, encapsulation: no `vlan`; inner_vlan left
                  out when the inner tag is no single VLAN),
                  ip + mask (dotted mask or prefix length) | ip_cidr ("10.0.0.1/30"),
                  secondary*: [{ip, mask}] (secondary addresses),
                  shutdown (true when shut), statistics (true when explicitly enabled for both directions,
                  "in" | "out" when only that direction is counted),
                  qos*:      [{direction, rate, unit} | {direction, car: NAME} | {direction, policy: NAME}
                              | {direction, profile: NAME}],
                  arp_limit*: [{rate, unit: pps, interval (s, default 1)} | {enabled: true} (platform default
                              `defaults.arp_default_pps`)]}
                 `parent` (the port of a subinterface) comes from the name, by the platform's `naming`.
                 qos, ARP and ICMP records may carry `source`: the configuration line, quoted in messages.
  statistics*:   {applies_to: interface|subinterface, direction: in|out}   a device-wide setting that makes
                  every interface of that kind count traffic in that direction (EOS `hardware counter feature
                  subinterface in`; a record without a direction is both); both directions: statistics true,
                  one: that direction only, as an interface's own "in" | "out"
  cars*:         {name, rate, unit}                               named CAR profiles
  profiles*:     {name, limits*: [{direction, rate, unit, source}]}   a named set of rate limits; applied in a
                  direction, its limits of that direction (or of none) limit the interface
  classifiers*:  {name, matches*: [{protocol: arp|icmp|any} | {acl: NAME}]}
  behaviors*:    {name, rate, unit}                               MQC behaviour with a CAR/police
  policies*:     {name, classes*: [{classifier, behavior: NAME} | {classifier, rate, unit}
                                   | {protocol: arp|icmp, rate, unit, source}]}  (a class matching a
                  protocol itself, without a classifier object: a CPU protection policy)
  acls*:         {name, rules*: [{action: permit|deny, protocol, icmp_type}]}
  control_plane*: {policy, direction, source}                     CoPP: the policy limits traffic to the CPU
                  (applied several times, e.g. per slot, it is one device-wide limit)
  arp_limits*:   {scope: per-source|device, rate, unit: pps, interval, source_ip}   device-wide ARP limits
  icmp_limits*:  {scope: device|interface, interface, rate, unit: pps, enabled: true} | {disabled: true}
                  (enabled without a rate: the platform's `defaults.icmp_threshold_pps` applies;
                  disabled: ICMP limiting is off device-wide, no ICMP limit of these records is in force)
  counters*:     {name, in_octets, out_octets, in_packets, out_packets, in_discards, out_discards,
                  in_errors, out_errors, speed_bps | speed + unit}                 from the interface
                  command (`display interface`, `show interfaces`): read only when there is no SNMP walk.
                  Where the output splits packets, give in_/out_unicast, _multicast, _broadcast instead
                  of (or besides) in_/out_packets: packets are then their sum. A counter the output does
                  not print is left out (None: unreadable). Names are matched to configuration names.

direction: in|inbound|input or out|outbound|output.
unit: bps | kbps | mbps | gbps | pps (case-insensitive); a platform's default unit comes from
commands.yaml (`defaults.rate_unit`) when a template leaves it out.
Numbers may arrive as text (a template without `to_int`): readers convert them.
"""

from __future__ import annotations

from typing import TypedDict

Number = int | float | str


# -- inside an interface record -------------------------------------------------------------------------
class Address(TypedDict, total=False):
    ip: str
    mask: str


class InterfaceQoS(TypedDict, total=False):
    direction: str
    rate: Number
    unit: str
    car: str            # a named CAR profile (`cars`)
    profile: str        # a named set of limits (`profiles`)
    policy: str         # an MQC policy (`policies`)
    source: str


class InterfaceARPLimit(TypedDict, total=False):
    rate: Number
    unit: str
    interval: Number
    enabled: bool       # without a rate: the platform's defaults.arp_default_pps
    source: str


class InterfaceRecord(TypedDict, total=False):
    name: str
    description: str
    vlan: int
    outer_vlan: int     # QinQ: the outer (service) tag; such a subinterface has no single-tag `vlan`
    inner_vlan: int     # QinQ: the inner (customer) tag, when it is one VLAN
    ip: str
    mask: str
    ip_cidr: str
    secondary: list[Address] | Address
    shutdown: bool
    statistics: bool | str      # true (both directions) | "in" | "out"
    qos: list[InterfaceQoS] | InterfaceQoS
    arp_limit: list[InterfaceARPLimit] | InterfaceARPLimit


class StatisticsRecord(TypedDict, total=False):
    applies_to: str     # interface | subinterface
    direction: str      # in | out (none: both)


# -- QoS objects ------------------------------------------------------------------------------------------
class CarRecord(TypedDict, total=False):
    name: str
    rate: Number
    unit: str


class ProfileLimit(TypedDict, total=False):
    direction: str      # left out: the limit applies in whichever direction the profile is applied
    rate: Number
    unit: str
    source: str


class ProfileRecord(TypedDict, total=False):
    name: str
    limits: list[ProfileLimit] | ProfileLimit


class Match(TypedDict, total=False):
    protocol: str       # arp | icmp | any
    acl: str | int


class ClassifierRecord(TypedDict, total=False):
    name: str
    matches: list[Match] | Match


class BehaviorRecord(TypedDict, total=False):
    name: str
    rate: Number
    unit: str


class PolicyClass(TypedDict, total=False):
    classifier: str
    behavior: str       # a `behaviors` name, or the rate right here
    protocol: str       # instead of a classifier: the class matches this protocol (arp | icmp)
    rate: Number
    unit: str
    source: str


class PolicyRecord(TypedDict, total=False):
    name: str
    classes: list[PolicyClass] | PolicyClass


class AclRule(TypedDict, total=False):
    action: str         # permit | deny
    protocol: str
    icmp_type: str


class AclRecord(TypedDict, total=False):
    name: str | int   # numbered ACLs may come as numbers, one rule per record
    rules: list[AclRule] | AclRule


class ControlPlaneRecord(TypedDict, total=False):
    policy: str
    direction: str
    source: str


# -- device-wide limits ----------------------------------------------------------------------------------
class ARPLimitRecord(TypedDict, total=False):
    scope: str          # per-source | device
    rate: Number
    unit: str
    interval: Number
    source_ip: str
    source: str


class ICMPLimitRecord(TypedDict, total=False):
    scope: str          # device | interface
    interface: str
    rate: Number
    unit: str
    enabled: bool       # without a rate: the platform's defaults.icmp_threshold_pps
    disabled: bool      # ICMP limiting is off device-wide
    source: str


# -- the interface command (CLI counters) ------------------------------------------------------------------
class CounterRecord(TypedDict, total=False):
    name: str
    in_octets: Number
    out_octets: Number
    in_packets: Number
    out_packets: Number
    in_unicast: Number
    in_multicast: Number
    in_broadcast: Number
    out_unicast: Number
    out_multicast: Number
    out_broadcast: Number
    in_discards: Number
    out_discards: Number
    in_errors: Number
    out_errors: Number
    speed_bps: Number
    speed: Number
    unit: str


class Raw(TypedDict, total=False):
    """The merged records of every template of a device: group -> records."""
    interfaces: list[InterfaceRecord]
    statistics: list[StatisticsRecord]
    cars: list[CarRecord]
    profiles: list[ProfileRecord]
    classifiers: list[ClassifierRecord]
    behaviors: list[BehaviorRecord]
    policies: list[PolicyRecord]
    acls: list[AclRecord]
    control_plane: list[ControlPlaneRecord]
    arp_limits: list[ARPLimitRecord]
    icmp_limits: list[ICMPLimitRecord]
    counters: list[CounterRecord]
