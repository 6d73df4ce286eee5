"""One poll: a sample of every tenant interface, appended to the store in one transaction.

Replay (default): the next sample time of the fixture's `telemetry/*.csv` series that the store does not
hold yet. Live (`--live`): an SNMP walk of IF-MIB on every device that carries a hosted connection;
ifName/ifDescr are matched to the configuration's names. A device that fails is reported and skipped;
the samples of the others are still stored.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ecpartner.errors import InputError
from ecpartner.inventory import Inventory
from ecpartner.telemetry.series import COUNTERS, fixture_files, read_csv_files
from ecpartner.telemetry.store import Store
from ecpartner.telemetry.timeutil import iso_from_ms, now_ms
from ecpartner.telemetry.window import connection_interface

log = logging.getLogger(__name__)


@dataclass
class PollResult:
    time_ms: int | None              # the sample time stored (replay) or when the poll started (live)
    inserted: int = 0
    problems: list[str] = field(default_factory=list)   # one per device or interface that gave nothing
    exhausted: bool = False          # replay: every fixture sample is already stored

    def summary(self) -> str:
        if self.exhausted:
            return "telemetry poll: the fixture series has no sample time the store does not already hold"
        when = iso_from_ms(self.time_ms) if self.time_ms is not None else "-"
        return f"telemetry poll {when}: {self.inserted} samples stored, {len(self.problems)} problems"


def tenant_interfaces(inventory: Inventory, states: Mapping | None = None) -> dict[str, list[str]]:
    """device -> configuration names of the interfaces carrying its non-deleted hosted connections."""
    out: dict[str, list[str]] = {}
    for hc in inventory.hosted_connections:
        if hc.status == "deleted" or hc.circuit not in inventory.circuits:
            continue
        device, interface = connection_interface(inventory, hc, states)
        names = out.setdefault(device, [])
        if interface is not None and interface not in names:    # None: a platform without templates
            names.append(interface)
    return out


def poll_replay(inventory: Inventory, store: Store, fixtures_dir: str | Path | None = None) -> PollResult:
    directory = Path(fixtures_dir) if fixtures_dir else inventory.base_dir
    files = fixture_files(directory)
    if not files:
        raise InputError(f"{directory / 'telemetry'}: no *.csv series to replay (use --live to poll devices)")
    samples = read_csv_files(files)
    stored = store.stored_times()
    pending = sorted(set(samples.frame["time_ms"].tolist()) - stored)
    if not pending:
        return PollResult(None, exhausted=True)
    moment = pending[0]
    rows = samples.frame[samples.frame["time_ms"] == moment]
    names = samples.series
    tuples = [(int(r.time_ms), *names[int(r.sid)], *(int(getattr(r, c)) for c in COUNTERS),
               int(r.sys_uptime), int(r.counter_bits)) for r in rows.itertuples(index=False)]
    inserted = store.insert(tuples, "replay", now_ms())
    return PollResult(moment, inserted)


def snmp_auth_for(inventory: Inventory, device_name: str, environ: Mapping[str, str] | None = None):
    """The SnmpAuth for a device, from the environment variables its inventory entry names."""
    from ecpartner.collect.snmp import SnmpAuth
    from ecpartner.collect.ssh import short_secret

    env = os.environ if environ is None else environ
    device = inventory.devices[device_name]
    if device.snmp is None:
        raise ValueError(f"device {device_name}: no snmp settings in the inventory")

    def var(name: str | None, what: str, secret: bool = True) -> str:
        value = env.get(name or "")
        if not value:
            raise ValueError(f"device {device_name}: environment variable {name or '(none named)'} ({what}) is not set")
        refusal = short_secret(device_name, name, what, value) if secret else None
        if refusal:   # bad input, not one device's bad luck: the run stops (exit 2)
            raise InputError(refusal)
        return value

    if device.snmp.version == "3":
        v3 = inventory.credentials[device.credentials].snmp_v3
        if v3 is None:
            raise ValueError(f"device {device_name}: SNMP v3 needs credentials {device.credentials}.snmp_v3")
        return SnmpAuth(version="3", user=var(v3.user_env, "SNMPv3 user", secret=False),
                        auth_key=var(v3.auth_key_env, "SNMPv3 auth key"), priv_key=var(v3.priv_key_env, "SNMPv3 priv key"),
                        auth_protocol=v3.auth_protocol, priv_protocol=v3.priv_protocol)
    return SnmpAuth(version="2c", community=var(device.snmp.community_env, "SNMP community"))


def poll_live(inventory: Inventory, store: Store, timeout: float = 2.0, retries: int = 1,
              concurrency: int = 20, environ: Mapping[str, str] | None = None,
              states: Mapping | None = None, budget: float = 30.0) -> PollResult:
    """One SNMP sample of every device: `timeout`/`retries` per request, `budget` seconds per device walk
    (a device past it is a problem of this poll, and the others' samples are stored)."""
    started = now_ms()
    wanted = tenant_interfaces(inventory, states)
    from ecpartner.collect.snmp import run_interruptible

    rows, problems = run_interruptible(_sample_all(inventory, wanted, timeout, retries, concurrency, environ, budget))
    for problem in problems:
        log.warning("%s", problem)
    inserted = store.insert(rows, "live", started, "\n".join(problems))
    return PollResult(started, inserted, problems)


async def _sample_all(inventory, wanted, timeout, retries, concurrency, environ, budget):
    from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

    from ecpartner.collect.snmp import SnmpError, snmp_walk
    from ecpartner.snmp_counters import WALK_OIDS, read_counters, sys_uptime

    rows: list[tuple] = []
    problems: list[str] = []

    # every device's credentials first: a refused secret (InputError) stops the poll before any packet
    auths = {}
    for name in wanted:
        if name not in inventory.devices:
            problems.append(f"device {name}: not in the inventory")
            continue
        try:
            auths[name] = snmp_auth_for(inventory, name, environ)
        except ValueError as e:
            problems.append(str(e))
    engine = SnmpEngine()
    gate = asyncio.Semaphore(min(concurrency, 50))

    async def one(name: str, interfaces: list[str]) -> None:
        device, auth = inventory.devices[name], auths[name]
        async with gate:
            before = time.time()
            try:
                walk = await snmp_walk(device.host, device.snmp.port, auth, WALK_OIDS, timeout, retries, engine=engine,
                                       budget=budget)
            except SnmpError as e:
                problems.append(f"device {name}: {e}")
                return
            except Exception as e:   # one device's surprise must not cost the others their sample
                log.debug("polling %s", name, exc_info=True)
                problems.append(f"device {name}: snmp internal error: {type(e).__name__}")
                return
            after = time.time()
        moment = int((before + after) / 2 * 1000)   # the counters were read somewhere in between
        uptime = sys_uptime(walk)
        counters, unreadable = read_counters(walk, interfaces)
        for interface in interfaces:
            c = counters.get(interface)
            if c is None:
                problems.append(f"device {name}: interface {interface} not found by ifName or ifDescr")
                continue
            values = [getattr(c, k) for k in COUNTERS]
            if None in values:   # this interface is left out of the sample; the others are still stored
                why = unreadable.get(interface, {})
                missing = ", ".join(k + (f" ({why[k]})" if k in why else "")
                                    for k, v in zip(COUNTERS, values) if v is None)
                problems.append(f"device {name}: interface {interface}: cannot read {missing}")
                continue
            rows.append((moment, name, interface, *values, uptime, c.counter_bits))

    try:
        await asyncio.gather(*(one(name, interfaces) for name, interfaces in wanted.items() if name in auths))
    finally:
        engine.close_dispatcher()
    return rows, problems
