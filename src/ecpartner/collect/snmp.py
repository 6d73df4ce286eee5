"""SNMP collector (pysnmp 7, asyncio): walk the IF-MIB columns and sysUpTime (ifmib.WALK_OIDS) with GETBULK,
numeric OIDs; `walk_fleet` walks many agents at once for every command that reaches devices.

A walk comes back in the .snmprec shape `{oid: (tag, value)}` (see snmprec.py), so a live walk and a
recorded one read alike. All columns are walked side by side (one GETBULK carries every unfinished
column), which is what `snmptable` does and keeps round trips few. Failures raise SnmpError with one
precise sentence; the community and keys never appear in it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ecpartner.collect.snmprec import oid_key
from ecpartner.errors import Interrupted
from ecpartner.ifmib import WALK_OIDS

log = logging.getLogger(__name__)

# snmpsim answers at most 64 varbinds per response; many agents cap PDUs near there too.
MAX_VARBINDS_PER_REQUEST = 60
# A column with more rows than any real device has interfaces is an agent that never ends its table.
MAX_ROWS_PER_COLUMN = 100_000

_AUTH_PROTOCOLS = {"md5": "usmHMACMD5AuthProtocol", "sha": "usmHMACSHAAuthProtocol",
                   "sha256": "usmHMAC192SHA256AuthProtocol", "sha512": "usmHMAC384SHA512AuthProtocol"}
_PRIV_PROTOCOLS = {"aes": "usmAesCfb128Protocol", "aes128": "usmAesCfb128Protocol",
                   "aes256": "usmAesCfb256Protocol", "des": "usmDESPrivProtocol"}


class SnmpError(Exception):
    """One device could not be walked; the message says why, for a person."""


@dataclass(frozen=True)
class SnmpAuth:
    """v2c (community) or v3 authPriv (user, auth key, priv key). Secrets are kept out of repr()."""
    version: str = "2c"
    community: str | None = field(default=None, repr=False)
    user: str | None = None
    auth_key: str | None = field(default=None, repr=False)
    priv_key: str | None = field(default=None, repr=False)
    auth_protocol: str = "sha"
    priv_protocol: str = "aes"
    context: str = ""                  # v3 context name; devices answer the default (empty) one

    def secrets(self) -> list[str]:
        return [s for s in (self.community, self.auth_key, self.priv_key) if s]

    def pysnmp_data(self):
        from pysnmp.hlapi.v3arch import asyncio as hl

        if self.version == "3":
            return hl.UsmUserData(self.user, authKey=self.auth_key, privKey=self.priv_key,
                                  authProtocol=getattr(hl, _AUTH_PROTOCOLS[self.auth_protocol]),
                                  privProtocol=getattr(hl, _PRIV_PROTOCOLS[self.priv_protocol]))
        return hl.CommunityData(self.community, mpModel=1)


def to_snmprec(value) -> tuple[str, str]:
    """A pysnmp value as an snmprec (tag, text): the tag is the ASN.1 class + tag number (70 = Counter64)."""
    tag = value.tagSet[0]
    number = tag.tagClass + tag.tagId
    if number == 4:  # OctetString: text when printable, else hex like snmpsim records it
        raw = value.asOctets()
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            return "4x", raw.hex()
        return ("4", text) if text.isprintable() else ("4x", raw.hex())
    if number in (6, 64):  # OBJECT IDENTIFIER, IpAddress
        return str(number), value.prettyPrint()
    if number == 5:  # Null
        return "5", ""
    return str(number), str(int(value))


async def snmp_walk(host: str, port: int, auth: SnmpAuth, oids=WALK_OIDS, timeout: float = 2.0,
                    retries: int = 1, engine=None, budget: float | None = None,
                    max_rows: int = MAX_ROWS_PER_COLUMN) -> dict[str, tuple[str, str]]:
    """Walk the subtrees `oids` on one agent; {oid: (tag, value)}. Raises SnmpError.

    `timeout` and `retries` bound each request; `budget` (seconds) bounds the whole walk, and `max_rows`
    each column, so an agent whose answers never leave the subtree cannot keep a run going. Answers that
    repeat or go backwards inside a subtree are a broken agent: an error, not a silently short table.
    Pass a shared `engine` (pysnmp SnmpEngine) when walking many agents from one event loop: creating
    an engine costs far more than a walk.
    """
    where = f"{host}:{port}"
    walk: dict[str, tuple[str, str]] = {}
    position: dict[str, str] = {}
    try:
        await asyncio.wait_for(
            _walk_columns(host, port, auth, oids, timeout, retries, engine, max_rows, walk, position), budget)
    except asyncio.TimeoutError:
        columns = sorted(position, key=oid_key)
        still = f"; still walking {columns[0]}" + (f" and {len(columns) - 1} more columns" if len(columns) > 1 else "")
        raise SnmpError(f"snmp {where}: walk not finished within its {budget:g}s budget "
                        f"({len(walk)} values read{still if columns else ''})") from None
    return walk


async def _walk_columns(host, port, auth, oids, timeout, retries, engine, max_rows, walk, position) -> None:
    from pysnmp.hlapi.v3arch import asyncio as hl

    own_engine = engine is None
    engine = engine or hl.SnmpEngine()
    where = f"{host}:{port}"
    try:
        try:
            target = await hl.UdpTransportTarget.create((host, port), timeout=timeout, retries=retries)
        except Exception as e:  # pysnmp resolves the name here
            raise SnmpError(f"snmp {where}: cannot resolve or reach host: {e}") from None
        # root -> last OID seen in that subtree; a column leaves when it walks out of its subtree
        position.update({root.strip("."): root.strip(".") for root in oids})
        rows = dict.fromkeys(position, 0)
        while position:
            roots = list(position)
            repetitions = max(1, MAX_VARBINDS_PER_REQUEST // len(roots))
            request = [hl.ObjectType(hl.ObjectIdentity(position[r])) for r in roots]
            error, status, index, varbinds = await hl.bulk_cmd(
                engine, auth.pysnmp_data(), target, hl.ContextData(contextName=auth.context), 0, repetitions, *request, lookupMib=False)
            if error:
                raise SnmpError(_indication_message(str(error), where, auth, timeout, retries))
            if status:
                at = roots[int(index) - 1] if index and int(index) <= len(roots) else "?"
                raise SnmpError(f"snmp {where}: agent answered {status.prettyPrint()} for {at}")
            finished = set()
            for i, (oid, value) in enumerate(varbinds):
                root = roots[i % len(roots)]
                if root in finished:
                    continue
                oid_text = str(oid)
                if not oid_text.startswith(root + ".") or value.tagSet[0].tagClass == 128:
                    finished.add(root)  # out of the subtree, or endOfMibView/noSuch*
                    continue
                if oid_key(oid_text) <= oid_key(position[root]):
                    raise SnmpError(f"snmp {where}: agent answered {oid_text} after {position[root]}: OIDs not "
                                    f"increasing in {root} (a broken agent)")
                rows[root] += 1
                if rows[root] > max_rows:
                    raise SnmpError(f"snmp {where}: more than {max_rows} rows in {root}: an endless table")
                walk[oid_text] = to_snmprec(value)
                position[root] = oid_text
            if not varbinds:
                finished.update(roots)
            for root in finished:
                del position[root]
    finally:
        if own_engine:
            engine.close_dispatcher()


@dataclass(frozen=True)
class WalkJob:
    """One agent to walk: `name` keys the result; `budget` bounds the whole walk (seconds)."""
    name: str
    host: str
    port: int
    auth: SnmpAuth
    budget: float | None = None


def agent_failure(job: WalkJob, e: Exception, doing: str) -> str:
    """What one agent's walk or poll ended on, said without a traceback: an SnmpError's own message; anything
    else as an internal error by its type (the traceback in the debug log, `doing` the job's name)."""
    if isinstance(e, SnmpError):
        return str(e)
    log.debug("%s %s", doing, job.name, exc_info=True)
    return f"snmp {job.host}:{job.port}: internal error: {type(e).__name__}"


@dataclass
class Walked:
    """One agent's walk, or why there is none; `started` is wall-clock time, `seconds` how long it took."""
    walk: dict[str, tuple[str, str]] | None
    error: str | None
    started: float
    seconds: float
    read_at: float | None = None     # a telemetry poll: the wall-clock time its counters were read


async def walk_fleet(jobs: Iterable[WalkJob], concurrency: int = 20, timeout: float = 2.0, retries: int = 1,
                     oids=WALK_OIDS, done: Callable[[str, Walked], None] | None = None,
                     begin: Callable[[str], None] | None = None) -> dict[str, Walked]:
    """Walk many agents from one event loop, at most `concurrency` at once, sharing one SNMP engine;
    {name: Walked}. Never raises for one agent: its Walked carries the error. `begin` hears of each walk
    as it starts (past the concurrency gate), `done` as it ends."""
    from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

    engine = SnmpEngine()
    gate = asyncio.Semaphore(max(1, min(concurrency, 50)))  # one agent drowns under unbounded concurrency
    results: dict[str, Walked] = {}

    async def one(job: WalkJob) -> None:
        async with gate:
            if begin is not None:
                begin(job.name)
            started, clock = time.time(), time.monotonic()
            walk, error = None, None
            try:
                walk = await snmp_walk(job.host, job.port, job.auth, oids, timeout, retries, engine=engine,
                                       budget=job.budget)
            except Exception as e:   # one agent's failure must not cost the others their walk
                error = agent_failure(job, e, "walking")
            results[job.name] = Walked(walk, error, started, time.monotonic() - clock)
        if done is not None:
            done(job.name, results[job.name])

    try:
        await asyncio.gather(*(one(job) for job in jobs))
    finally:
        engine.close_dispatcher()
    return results


def snmp_walk_sync(host: str, port: int, auth: SnmpAuth, oids=WALK_OIDS, timeout: float = 2.0,
                   retries: int = 1, budget: float | None = None) -> dict[str, tuple[str, str]]:
    """snmp_walk for callers without an event loop."""
    return run_interruptible(snmp_walk(host, port, auth, oids, timeout, retries, budget=budget))


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_interruptible(coroutine):
    """asyncio.run, where SIGINT/SIGTERM cancel the work (every walk unwinds, sockets close) and then raise
    Interrupted. An exception raised by a plain signal handler inside the event loop would instead tear
    the loop down mid-callback, or be logged by asyncio and ignored."""
    if threading.current_thread() is not threading.main_thread():
        return asyncio.run(coroutine)
    received: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in _SIGNALS}

    async def cancellable():
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        for signum in _SIGNALS:
            loop.add_signal_handler(signum, lambda s=signum: (received.append(s), task.cancel()))
        return await coroutine

    try:
        result = asyncio.run(cancellable())
    except asyncio.CancelledError:
        if not received:
            raise
        result = None
    finally:
        for signum, handler in previous.items():   # the loop leaves SIG_DFL behind
            signal.signal(signum, handler)
    if received:
        raise Interrupted(received[0])
    return result


def _indication_message(indication: str, where: str, auth: SnmpAuth, timeout: float, retries: int) -> str:
    if "timeout" in indication.lower() or "no snmp response" in indication.lower():
        why = "wrong community or agent down" if auth.version != "3" else "agent down or v3 settings refused"
        return f"snmp: no response from {where} within {timeout:g}s x {retries} retries ({why})"
    return f"snmp {where}: {indication} (check the SNMPv3 user, keys and protocols)"
