"""What a live telemetry poll reads over SNMP: only what its samples need.

Which ifIndex is which tenant interface is learned once per device (a walk of ifName, ifDescr and ifType,
ifmib.NAMING_OIDS) and kept for the life of the process (`telemetry run` polls for days). Each poll then
GETs sysUpTime and, per tenant ifIndex, the 12 counter columns plus the name column its match was made on.
That name coming back different or gone (the agent renumbered its ifIndexes, after a reboot or a new
line card), or a wanted interface missing from a map learned earlier (a subinterface added since), means
the map changed: it is learned again and the GET repeated, once. An agent without ifXTable answers the
64-bit columns with noSuchObject: their 32-bit ifTable columns are read instead.

The answer has the shape of a walk (naming rows + counters), so parse.snmp_counters reads it as it reads
a full walk: the same interface matching, the same checks of every value.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from ecpartner.collect.progress import FleetProgress, ProgressCallback
from ecpartner.collect.snmp import SnmpError, WalkJob, Walked, agent_failure, snmp_walk
from ecpartner.collect.snmpget import snmp_get
from ecpartner.ifmib import COLUMNS, IF_DESCR, IF_NAME, NAMING_OIDS, POLL_COUNTERS, POLL_COUNTERS_32, SYS_UPTIME
from ecpartner.parse.snmp_counters import interface_rows

log = logging.getLogger(__name__)

_IN_OCTETS_HC = COLUMNS["in_octets"][0]
# (device, host, port) -> its naming walk: the ifIndex map, learned once per process (see the docstring)
_NAMING: dict[tuple[str, str, int], dict[str, tuple[str, str]]] = {}


def forget_maps() -> None:
    """Forget every learned ifIndex map (tests; a poll after it learns again)."""
    _NAMING.clear()


async def poll_device(job: WalkJob, interfaces: list[str], timeout: float, retries: int, engines,
                      phase: list[str] | None = None) -> tuple[dict, float]:
    """The walk-shaped answer of one device for `interfaces` (configuration names), and the wall-clock time
    its counters were read (the middle of the GETs that read them: a naming walk before them is no part of
    the sample's moment, or the first interval after it would look longer than it was). Raises SnmpError.
    `engines()` gives the shared pysnmp engine, for walks and SNMPv3 only (v2c GETs need none); `phase`
    hears what the poll is doing (for a message when its budget runs out)."""
    phase = [] if phase is None else phase
    key = (job.name, job.host, job.port)
    engine = engines() if job.auth.version == "3" else None
    for _ in range(2):
        naming = _NAMING.get(key)
        learned = naming is None
        if learned:
            phase[:] = ["walking ifName, ifDescr and ifType to learn the ifIndex map"]
            naming = await snmp_walk(job.host, job.port, job.auth, NAMING_OIDS, timeout, retries, engine=engines())
            _NAMING[key] = naming
        rows = interface_rows(naming, interfaces)
        checks = {}
        for index in rows.values():
            column = IF_NAME if f"{IF_NAME}.{index}" in naming else IF_DESCR
            checks[f"{column}.{index}"] = naming.get(f"{column}.{index}")
        oids = [SYS_UPTIME] + [f"{column}.{index}" for index in rows.values() for column in POLL_COUNTERS]
        phase[:] = [f"reading the counters of {len(rows)} interfaces"]
        reading = time.time()
        got = await snmp_get(job.host, job.port, job.auth, oids + list(checks), timeout, retries, engine=engine)
        changed = any(got.get(oid) != value for oid, value in checks.items())
        if not learned and (changed or len(rows) < len(interfaces)):
            log.info("device %s: its ifIndex map changed: learning it again", job.name)
            del _NAMING[key]
            continue
        narrow = [index for index in rows.values() if f"{_IN_OCTETS_HC}.{index}" not in got]
        if narrow:   # no ifXTable for these rows: their 32-bit counters
            got.update(await snmp_get(job.host, job.port, job.auth,
                                      [f"{column}.{index}" for index in narrow for column in POLL_COUNTERS_32],
                                      timeout, retries, engine=engine))
        return {**naming, **got}, (reading + time.time()) / 2
    raise SnmpError(f"snmp {job.host}:{job.port}: its ifIndex map changed twice during one poll")


async def poll_fleet(jobs: Iterable[WalkJob], wanted: dict[str, list[str]], concurrency: int = 20,
                     timeout: float = 2.0, retries: int = 1,
                     progress: ProgressCallback | None = None) -> dict[str, Walked]:
    """poll_device for many agents from one event loop, at most `concurrency` at once; {name: Walked}. Never
    raises for one agent: its Walked carries the error. A job's budget bounds its whole poll; `progress`
    hears each device's poll begin and end."""
    engine: list = []   # one pysnmp engine, created when a walk or an SNMPv3 GET first needs it (costly)

    def engines():
        if not engine:
            from pysnmp.hlapi.v3arch.asyncio import SnmpEngine
            engine.append(SnmpEngine())
        return engine[0]

    jobs = list(jobs)
    gate = asyncio.Semaphore(max(1, min(concurrency, 50)))
    results: dict[str, Walked] = {}
    fleet = FleetProgress(progress, len(jobs))

    async def one(job: WalkJob) -> None:
        async with gate:
            fleet.step(job.name, "snmp", "snmp")
            started, clock = time.time(), time.monotonic()
            walk, read_at, error, phase = None, None, None, []
            try:
                walk, read_at = await asyncio.wait_for(
                    poll_device(job, wanted[job.name], timeout, retries, engines, phase), job.budget)
            except asyncio.TimeoutError:
                error = (f"snmp {job.host}:{job.port}: poll not finished within its {job.budget:g}s budget"
                         + (f" ({phase[0]})" if phase else ""))
            except Exception as e:   # one agent's failure must not cost the others their sample
                error = agent_failure(job, e, "polling")
            results[job.name] = Walked(walk, error, started, time.monotonic() - clock, read_at)
            fleet.finish(job.name, error)

    try:
        await asyncio.gather(*(one(job) for job in jobs))
    finally:
        if engine:
            engine[0].close_dispatcher()
    return results
