"""Fleet collection: SSH and SNMP for many devices at once, each device bounded by its own timeouts.

SSH (netmiko, blocking) runs in a thread pool; SNMP (pysnmp, asyncio) runs in one event loop on its own
thread with a semaphore, sharing one SNMP engine. Both start together, so a device is done when its
slower half is. Every credential is resolved from the environment before the first packet is sent:
a missing variable is an InputError naming the variable and the device.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial

from ecpartner.collect.credentials import device_credentials, snmp_auth, ssh_login
from ecpartner.collect.progress import FleetProgress, ProgressCallback
from ecpartner.collect.snmp import SnmpAuth, Walked, WalkJob, walk_fleet
from ecpartner.collect.ssh import SessionWatch, SshLogin, collect_ssh, device_budget, hide_literals
from ecpartner.errors import InputError
from ecpartner.inventory import Device, Inventory
from ecpartner.platforms import platform_commands, vocabulary
from ecpartner.state import Collected

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    device: Device
    login: SshLogin
    commands: tuple[str, ...]
    snmp: SnmpAuth | None


def secrets_of(jobs: Iterable[Job]) -> set[str]:
    """Every secret value in play (passwords, enable secrets, communities, v3 keys): never to be printed."""
    out: set[str] = set()
    for job in jobs:
        out.update(s for s in (job.login.password, job.login.secret) if s)
        if job.snmp:
            out.update(job.snmp.secrets())
    return out


def plan_jobs(inventory: Inventory, device_names: Iterable[str] | None = None,
              environ: dict[str, str] | None = None) -> list[Job]:
    """Resolve devices, commands and credentials; every problem at once, before any connection."""
    env = os.environ if environ is None else environ
    names = list(device_names) if device_names is not None else list(inventory.devices)
    problems: list[str] = []
    jobs: list[Job] = []
    for name in names:
        device = inventory.devices.get(name)
        if device is None:
            problems.append(f"device {name!r} is not in {inventory.path}")
            continue
        try:
            cred = device_credentials(inventory, device)
        except InputError as e:
            problems.extend(e.messages)
            continue
        try:
            # a device with SNMP gets its counters from the walk: skip the CLI stand-in (pages of output)
            commands = platform_commands(device.platform, with_snmp=device.snmp is not None)
            vocabulary(device.platform)   # its output will be scrubbed: a broken `secrets:` section stops here
        except InputError as e:
            problems.extend(f"device {name}: {m}" for m in e.messages)
            commands = ()
        login, auth = None, None
        try:
            login = ssh_login(device, cred, env)
        except InputError as e:
            problems.extend(e.messages)
        try:
            auth = snmp_auth(device, cred, env)
        except InputError as e:
            problems.extend(e.messages)
        jobs.append(Job(device, login, commands, auth))
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
    return jobs


def _hide_in_octets(tag: str, value: str, secrets: list[str]) -> tuple[str, str]:
    """An SNMP value with the secrets in play removed: OctetStrings as text ('4') or hex ('4x', not printable).
    Literal values only: an ifAlias is a description, free text like a configuration's description lines."""
    if tag == "4":
        return tag, hide_literals(value, secrets)
    if tag == "4x":
        raw = bytes.fromhex(value)
        try:
            text, codec = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, codec = raw.decode("latin-1"), "latin-1"   # any bytes: an ASCII secret is still found
        hidden = hide_literals(text, secrets)
        if hidden != text:
            return tag, hidden.encode(codec).hex()
    return tag, value


class _Tracker:
    """Joins each device's SSH and SNMP halves; a device is finished once both are in."""

    def __init__(self, jobs: list[Job], progress: ProgressCallback | None, secrets: set[str]):
        self.results = {job.device.name: Collected(device=job.device.name, source="live") for job in jobs}
        self.pending = {job.device.name: 1 + (job.snmp is not None) for job in jobs}
        self.started = time.monotonic()
        self.progress = FleetProgress(progress, len(jobs))
        self.secrets = sorted(secrets, key=len, reverse=True)
        self.lock = threading.Lock()
        self.ssh_finished: set[str] = set()
        self.changed = threading.Event()   # set whenever a half is in: the watchdog loop wakes up

    def ssh_done(self, ssh: Collected) -> None:
        """The SSH half's result; the first one counts (a session abandoned by the watchdog may still end later)."""
        with self.lock:
            if ssh.device in self.ssh_finished:
                return
            self.ssh_finished.add(ssh.device)
            result = self.results[ssh.device]
            result.outputs = ssh.outputs
            result.timings.update(ssh.timings)
            self._add_error(result, ssh.error)
            self._part_done(result, "ssh")

    def snmp_done(self, name: str, walk: dict | None, error: str | None, seconds: float) -> None:
        with self.lock:
            result = self.results[name]
            if walk is not None and self.secrets:  # an ifDescr/ifAlias could quote a secret, also in hex
                walk = {oid: _hide_in_octets(tag, value, self.secrets) for oid, (tag, value) in walk.items()}
            result.snmp = walk
            result.timings["snmp"] = round(seconds, 3)
            self._add_error(result, error)
            self._part_done(result, "snmp")

    def _add_error(self, result: Collected, error: str | None) -> None:
        if not error:
            return
        for secret in self.secrets:  # belt and braces: no message may carry a secret
            error = error.replace(secret, "<removed>")
        result.error = f"{result.error}; {error}" if result.error else error

    def _part_done(self, result: Collected, half: str) -> None:
        self.pending[result.device] -= 1
        self.changed.set()
        if self.pending[result.device]:
            self.progress.half_done(result.device, half)
            return
        result.timings["total"] = round(time.monotonic() - self.started, 3)
        seconds = self.progress.finish(result.device, result.error)
        log.debug("collected %s in %.2fs: %s", result.device, seconds, result.error or "ok")


def collect_live(inventory: Inventory, device_names: Iterable[str] | None = None, concurrency: int = 20,
                 timeout: float = 30.0, progress: ProgressCallback | None = None,
                 snmp_timeout: float = 2.0, snmp_retries: int = 1,
                 environ: dict[str, str] | None = None, walk_snmp: bool = True) -> dict[str, Collected]:
    """Collect every named device (default: all) over SSH and SNMP; {name: Collected} in inventory order.
    `walk_snmp=False` reads the configurations only (every credential is still checked first).

    Never raises for a device that cannot be reached: its Collected carries the reason in `error`.
    Raises InputError (before any connection) for missing environment variables or commands.
    `progress` hears each device's steps and its end (collect/progress.py); nothing here prints.

    Every device has a wall-clock budget (SessionWatch: one `timeout` per step, connecting counting
    twice); past it the device is an error naming the step, and the run goes on without it. The threads
    are daemons and nothing here waits without a timeout, so SIGINT/SIGTERM end a run at once.
    """
    jobs = plan_jobs(inventory, device_names, environ)
    secrets = secrets_of(jobs)
    if not walk_snmp:
        jobs = [replace(job, snmp=None) for job in jobs]
    tracker = _Tracker(jobs, progress, secrets)
    concurrency = max(1, concurrency)
    snmp_jobs = [job for job in jobs if job.snmp is not None]
    snmp_thread = None
    if snmp_jobs:
        snmp_thread = threading.Thread(target=asyncio.run, name="ecpartner-snmp", daemon=True,
                                       args=(_walk_all(snmp_jobs, tracker, concurrency, timeout, snmp_timeout,
                                                       snmp_retries),))
        snmp_thread.start()
    _ssh_all(jobs, tracker, concurrency, timeout, secrets)
    while snmp_thread is not None and snmp_thread.is_alive():
        snmp_thread.join(_WATCH_TICK_S)   # every walk ends within its budget
    return tracker.results


_WATCH_TICK_S = 0.1


def _ssh_all(jobs: list[Job], tracker: _Tracker, concurrency: int, timeout: float, secrets: set[str]) -> None:
    """At most `concurrency` sessions at once, each on a daemon thread; a watchdog loop here gives up on
    a session past its budget (the device becomes an error naming the step) and frees its slot."""
    queue = list(reversed(jobs))
    devices = {job.device.name: job.device for job in jobs}
    running: dict[str, SessionWatch] = {}
    while queue or running:
        while queue and len(running) < concurrency:
            job = queue.pop()
            name = job.device.name
            tracker.progress.step(name, "ssh", "connect")
            watch = running[name] = SessionWatch(timeout, len(job.commands),
                                                 on_step=partial(tracker.progress.step, name, "ssh"))
            threading.Thread(target=_ssh_one, args=(job, tracker, timeout, secrets, watch), daemon=True,
                             name=f"ecpartner-ssh-{job.device.name}").start()
        tracker.changed.wait(_WATCH_TICK_S)
        tracker.changed.clear()
        now = time.monotonic()
        for name, watch in list(running.items()):
            if name in tracker.ssh_finished:
                del running[name]
            elif why := watch.overrun(now):
                device = devices[name]
                tracker.ssh_done(Collected(device=name, error=f"ssh {device.host}:{device.port}: {why}; "
                                                              f"session abandoned"))
                watch.abandon()
                del running[name]


def _ssh_one(job: Job, tracker: _Tracker, timeout: float, secrets: set[str], watch: SessionWatch) -> None:
    d = job.device
    try:
        result = collect_ssh(d.name, d.host, d.port, d.platform, job.login, job.commands, timeout, secrets, watch)
    except Exception as e:  # a bug must not leave the device pending forever
        result = Collected(device=d.name, error=f"ssh {d.host}:{d.port}: internal error: {type(e).__name__}")
        log.debug("collecting %s", d.name, exc_info=True)
    tracker.ssh_done(result)


def _walk_all(jobs: list[Job], tracker: _Tracker, concurrency: int, budget_timeout: float,
              timeout: float, retries: int):
    """The SNMP half of every device, each walk bounded by the device's budget."""
    walks = [WalkJob(job.device.name, job.device.host, job.device.snmp.port, job.snmp,
                     device_budget(budget_timeout, len(job.commands))) for job in jobs]

    def done(name: str, walked: Walked) -> None:
        tracker.snmp_done(name, walked.walk, walked.error, walked.seconds)

    return walk_fleet(walks, concurrency, timeout, retries, done=done,
                      begin=lambda name: tracker.progress.step(name, "snmp", "snmp"))
