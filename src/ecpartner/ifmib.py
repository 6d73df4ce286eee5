"""The one list of SNMP objects ecpartner reads (IF-MIB and sysUpTime), numeric OIDs.

Every walker (`check --live`, `collect --record`, `telemetry poll --live`) walks WALK_OIDS and the decoder
(parse.snmp_counters) reads these same names, so what a check finds readable is what telemetry samples. A
column nobody reads is not here and not walked.
"""

from __future__ import annotations

SYS_UPTIME = "1.3.6.1.2.1.1.3.0"            # TimeTicks: tells a reboot from a counter wrap
IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_TYPE = "1.3.6.1.2.1.2.2.1.3"             # IANAifType: a layer row (mpls) repeats its port's ifName
IF_TYPE_LAYERS = {"166"}                    # mpls(166): a row that never carries a port's own counters
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HIGH_SPEED = "1.3.6.1.2.1.31.1.1.1.15"   # Mbit/s
IF_SPEED = "1.3.6.1.2.1.2.2.1.5"            # bit/s, saturates at 4.29 G; the speed of agents without ifXTable
# Counters: field -> (64-bit ifXTable ifHC* column, 32-bit ifTable fallback)
COLUMNS = {
    "in_octets": ("1.3.6.1.2.1.31.1.1.1.6", "1.3.6.1.2.1.2.2.1.10"),
    "out_octets": ("1.3.6.1.2.1.31.1.1.1.10", "1.3.6.1.2.1.2.2.1.16"),
    "in_ucast": ("1.3.6.1.2.1.31.1.1.1.7", "1.3.6.1.2.1.2.2.1.11"),
    "in_mcast": ("1.3.6.1.2.1.31.1.1.1.8", None),
    "in_bcast": ("1.3.6.1.2.1.31.1.1.1.9", None),
    "out_ucast": ("1.3.6.1.2.1.31.1.1.1.11", "1.3.6.1.2.1.2.2.1.17"),
    "out_mcast": ("1.3.6.1.2.1.31.1.1.1.12", None),
    "out_bcast": ("1.3.6.1.2.1.31.1.1.1.13", None),
    "in_discards": (None, "1.3.6.1.2.1.2.2.1.13"),
    "out_discards": (None, "1.3.6.1.2.1.2.2.1.19"),
    "in_errors": (None, "1.3.6.1.2.1.2.2.1.14"),
    "out_errors": (None, "1.3.6.1.2.1.2.2.1.20"),
}
# The subtrees a walker walks: exactly what the decoder reads.
WALK_OIDS: tuple[str, ...] = (SYS_UPTIME.rsplit(".", 1)[0], IF_DESCR, IF_TYPE, IF_NAME, IF_HIGH_SPEED, IF_SPEED) + tuple(
    sorted({oid for pair in COLUMNS.values() for oid in pair if oid}))
# A telemetry poll (telemetry/poll.py): the naming columns are walked once to learn which ifIndex is which
# interface; each poll then GETs sysUpTime and, per tenant ifIndex, the 12 counter columns (the 64-bit one where
# a counter has both; the 32-bit ones only for an agent without ifXTable).
NAMING_OIDS: tuple[str, ...] = (IF_DESCR, IF_TYPE, IF_NAME)
POLL_COUNTERS: tuple[str, ...] = tuple(hc or legacy for hc, legacy in COLUMNS.values())
POLL_COUNTERS_32: tuple[str, ...] = tuple(legacy for hc, legacy in COLUMNS.values() if hc and legacy)
