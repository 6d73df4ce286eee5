"""One poll: a sample of every tenant interface, appended to the store in one transaction.

Replay (default): the next sample time of the fixture's `telemetry/*.csv` series that the store does not
hold yet. Live (`--live`): on every device that carries a hosted connection, an SNMP GET of sysUpTime and
the counters of its tenant interfaces only (snmp_poll.py: ifName/ifDescr matched to the configuration's
names once, the ifIndex map kept and refreshed when it changes). A device that fails is reported and skipped;
the samples of the others are still stored.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ecpartner.collect.credentials import snmp_auth
from ecpartner.collect.progress import ProgressCallback
from ecpartner.collect.snmp import WalkJob, run_interruptible
from ecpartner.errors import InputError
from ecpartner.inventory import Inventory
from ecpartner.parse.snmp_counters import read_counters, sys_uptime
from ecpartner.telemetry.series import COUNTERS, fixture_files, read_csv_files
from ecpartner.telemetry.snmp_poll import poll_fleet
from ecpartner.telemetry.store import Store
from ecpartner.telemetry.timeutil import iso_from_ms, now_ms
from ecpartner.placement import Placements
from ecpartner.telemetry.window import connection_interface

log = logging.getLogger(__name__)


@dataclass
class PollResult:
    time_ms: int | None              # the sample time stored (replay) or when the poll started (live)
    inserted: int = 0
    problems: list[str] = field(default_factory=list)   # one per device or interface that gave nothing
    exhausted: bool = False          # replay: every fixture sample is already stored
    devices: dict[str, str | None] = field(default_factory=dict)   # device polled -> why it gave nothing, or None
    device_seconds: dict[str, float] = field(default_factory=dict)  # live: how long each device's walk took

    def summary(self) -> str:
        if self.exhausted:
            return "telemetry poll: the fixture series has no sample time the store does not already hold"
        when = iso_from_ms(self.time_ms) if self.time_ms is not None else "-"
        return f"telemetry poll {when}: {self.inserted} samples stored, {len(self.problems)} problems"


def in_shard(device: str, shard: tuple[int, int] | None) -> bool:
    """Whether shard (i, n) (`--shard i/n`, 1-based) polls `device`: a stable hash of its name, the same on
    every machine and Python, so the n shards split the fleet into fixed, disjoint parts. None: every device."""
    if shard is None:
        return True
    i, n = shard
    return int.from_bytes(hashlib.sha256(device.encode()).digest()[:8], "big") % n == i - 1


def carrying_devices(inventory: Inventory, shard: tuple[int, int] | None = None) -> list[str]:
    """The devices that carry a non-deleted hosted connection: the ones a poll (of `shard`) samples."""
    return sorted(d for d in {inventory.circuits[hc.circuit].device for hc in inventory.hosted_connections
                              if hc.status != "deleted" and hc.circuit in inventory.circuits}
                  if in_shard(d, shard))


def tenant_interfaces(inventory: Inventory, states: Mapping) -> tuple[dict[str, list[str]], list[str]]:
    """device -> configuration names of the interfaces carrying its non-deleted hosted connections, as the
    device's parsed configuration says (never a guessed name); and a problem per connection it does not
    place. A pending connection may not be configured yet: skipped quietly. Devices without a state are
    left out (the caller knows why)."""
    out: dict[str, list[str]] = {}
    problems: list[str] = []
    placements = Placements(inventory, states)
    for hc in inventory.hosted_connections:
        if hc.status == "deleted" or hc.circuit not in inventory.circuits:
            continue
        device, interface = connection_interface(placements.of(hc), guess=False)
        if device not in states:
            continue
        if interface is None:
            if hc.status != "pending":
                problems.append(f"device {device}: no interface of {inventory.circuits[hc.circuit].interface} carries "
                                f"VLAN {hc.vlan} ({hc.key}) in its configuration: not sampled")
            continue
        names = out.setdefault(device, [])
        if interface is not None and interface not in names:    # None: a platform without templates
            names.append(interface)
    return out, problems


def poll_replay(inventory: Inventory, store: Store, fixtures_dir: str | Path | None = None,
                shard: tuple[int, int] | None = None) -> PollResult:
    directory = Path(fixtures_dir) if fixtures_dir else inventory.base_dir
    files = fixture_files(directory)
    if not files:
        raise InputError(f"{directory / 'telemetry'}: no *.csv series to replay (use --live to poll devices)")
    samples = read_csv_files(files)
    names = samples.series
    frame = samples.frame
    devices = None
    if shard is not None:   # this shard's devices only, and the times it has not stored for them
        devices = sorted({d for d, _ in names if in_shard(d, shard)})
        frame = frame[frame["sid"].isin([sid for sid, (d, _) in enumerate(names) if d in devices])]
    stored = store.stored_times(devices)
    pending = sorted(set(frame["time_ms"].tolist()) - stored)
    if not pending:
        return PollResult(None, exhausted=True)
    moment = pending[0]
    rows = frame[frame["time_ms"] == moment]
    tuples = [(int(r.time_ms), *names[int(r.sid)], *(int(getattr(r, c)) for c in COUNTERS),
               int(r.sys_uptime), int(r.counter_bits)) for r in rows.itertuples(index=False)]
    inserted = store.insert(tuples, "replay", now_ms())
    recorded = {t[1] for t in tuples}
    devices = {name: None if name in recorded else "not in the recorded series at this time"
               for name in carrying_devices(inventory)}
    return PollResult(moment, inserted, devices=devices)


IMPORT_BATCH_ROWS = 50_000   # rows per transaction: a long series is not one huge transaction, nor 300 polls


def import_series(inventory: Inventory, store: Store, files: list[Path] | None = None,
                  batch_rows: int = IMPORT_BATCH_ROWS) -> tuple[int, int, list[Path]]:
    """Load recorded series (default: the fleet's telemetry/*.csv) into the store in one go: (new samples,
    rows read, files). Every file is validated before anything is written; rows go in by sample time, whole
    sample times per batch, one transaction each, so an interrupted import leaves whole polls and a re-run
    adds only what is missing (samples are keyed by device, interface and time)."""
    if files is None:
        files = fixture_files(inventory.base_dir)
        if not files:
            raise InputError(f"{inventory.base_dir / 'telemetry'}: no *.csv series to import (name the files)")
    missing = [f"{f}: no such file" for f in files if not f.is_file()]
    if missing:
        raise InputError(missing)
    samples = read_csv_files(files)
    frame = samples.frame.sort_values(["time_ms", "sid"], kind="stable")
    names = samples.series
    counters = [frame[c].tolist() for c in COUNTERS]
    rows = [(t, *names[sid], *values, int(uptime), bits) for t, sid, *values, uptime, bits in zip(
        frame["time_ms"].tolist(), frame["sid"].tolist(), *counters, frame["sys_uptime"].tolist(),
        frame["counter_bits"].tolist())]
    inserted, start = 0, 0
    while start < len(rows):
        end = min(start + batch_rows, len(rows))
        while end < len(rows) and rows[end][0] == rows[end - 1][0]:   # never split a sample time
            end += 1
        inserted += store.insert(rows[start:end], "import", now_ms())
        store.compact_after_poll()
        start = end
    return inserted, len(rows), files


def poll_live(inventory: Inventory, store: Store, states: Mapping, unread: Mapping[str, str] | None = None,
              timeout: float = 2.0, retries: int = 1, concurrency: int = 20,
              environ: Mapping[str, str] | None = None, budget: float = 30.0,
              shard: tuple[int, int] | None = None, progress: ProgressCallback | None = None) -> PollResult:
    """One SNMP sample of every device that carries a connection, under the interface names its parsed
    configuration `states` gives; `unread` says why a device has no state (a problem of this poll).
    `timeout`/`retries` per request, `budget` seconds per device walk (a device past it is a problem of
    this poll, and the others' samples are stored). `shard`: only the devices of that shard (in_shard);
    `progress` hears each device's poll (collect/progress.py)."""
    started = now_ms()
    wanted, placing = tenant_interfaces(inventory, {d: s for d, s in states.items() if in_shard(d, shard)})
    unread = {d: why for d, why in (unread or {}).items() if in_shard(d, shard)}
    problems = [f"device {name}: {why}" for name, why in (unread or {}).items()] + placing
    devices: dict[str, str | None] = {name: why for name, why in (unread or {}).items()}
    env = os.environ if environ is None else environ
    jobs = []
    for name in wanted:   # every credential first: a refused secret (InputError) stops the poll before any packet
        device = inventory.devices[name]
        auth = snmp_auth(device, inventory.credentials.get(device.credentials), env)
        if auth is None:
            problems.append(f"device {name}: no snmp settings in the inventory")
            devices[name] = "no snmp settings in the inventory"
            continue
        jobs.append(WalkJob(name, device.host, device.snmp.port, auth, budget))
    walked = run_interruptible(poll_fleet(jobs, wanted, concurrency, timeout, retries, progress))
    rows: list[tuple] = []
    seconds: dict[str, float] = {}
    for job in jobs:
        result = walked[job.name]
        seconds[job.name] = result.seconds
        devices[job.name] = result.error or None
        if result.error:
            problems.append(f"device {job.name}: {result.error}")
            continue
        moment = int(result.read_at * 1000)
        rows.extend(_sample(job.name, result.walk, wanted[job.name], moment, problems))
    for problem in problems:
        log.warning("%s", problem)
    inserted = store.insert(rows, "live", started, "\n".join(problems))
    return PollResult(started, inserted, problems, devices=devices, device_seconds=seconds)


def _sample(device: str, walk, interfaces: list[str], moment: int, problems: list[str]) -> list[tuple]:
    """The store rows of one device's walk; an interface not found or not fully readable is a problem."""
    uptime = sys_uptime(walk)
    counters, unreadable = read_counters(walk, interfaces)
    rows = []
    for interface in interfaces:
        c = counters.get(interface)
        if c is None:
            problems.append(f"device {device}: interface {interface} not found by ifName or ifDescr")
            continue
        values = [getattr(c, k) for k in COUNTERS]
        if None in values:   # this interface is left out of the sample; the others are still stored
            why = unreadable.get(interface, {})
            missing = ", ".join(k + (f" ({why[k]})" if k in why else "")
                                for k, v in zip(COUNTERS, values) if v is None)
            problems.append(f"device {device}: interface {interface}: cannot read {missing}")
            continue
        rows.append((moment, device, interface, *values, uptime, c.counter_bits))
    return rows


def live_states(inventory: Inventory, timeout: float = 30.0, shard: tuple[int, int] | None = None,
                progress: ProgressCallback | None = None) -> tuple[dict, dict[str, str]]:
    """The configuration of every device a poll samples, collected over SSH and parsed as `check --live`
    does: (states, {device: why it has none}). It says which subinterface carries which VLAN; the counters
    come from the poll's own walk."""
    from ecpartner.parse import build_states
    from ecpartner.collect import collect_fleet

    return build_states(inventory, collect_fleet(inventory, live=True, names=carrying_devices(inventory, shard),
                                                 timeout=timeout, walk_snmp=False, progress=progress))
