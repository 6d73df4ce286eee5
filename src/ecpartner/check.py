"""The check pipelines: inventory -> collect -> parse -> rules -> findings, one stage after the other
(`run_check`), and the telemetry rules on a window of samples (`telemetry_findings`, `build_report`)."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path

from ecpartner.collect import collect_fleet
from ecpartner.collect.progress import ProgressCallback
from ecpartner.errors import InputError
from ecpartner.findings import Finding, exit_code
from ecpartner.gc_pause import gc_paused
from ecpartner.inventory import Inventory
from ecpartner.parse import build_states
from ecpartner.remediate import attach
from ecpartner.rules import CLOUD, DEVICES, INVENTORY, TELEMETRY, Context, all_rules, evaluate
from ecpartner.telemetry.sources import default_path, sample_sources
from ecpartner.timefmt import time_zone

TELEMETRY_RULES = ("telemetry-utilization", "telemetry-drops", "telemetry-counters-advance",
                   "telemetry-disabled-traffic")

log = logging.getLogger("ecpartner")


@contextmanager
def stage(name: str, timings: dict[str, float]):
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started
    log.info("%s: %.3fs", name, timings[name])


def run_check(inventory: Inventory, only: list[str] | None = None, live: bool = False, fixtures: str | None = None,
              concurrency: int = 20, timeout: float = 30.0, db: str | None = None, since: str = "24h",
              timings: dict[str, float] | None = None, telemetry: str | None = None,
              cloud: bool = False, remedies: dict | None = None,
              progress: ProgressCallback | None = None) -> list[Finding]:
    """`telemetry` ("store" | "series" | None: the one with more samples) picks the telemetry rules' source;
    `cloud`: read Alibaba Cloud live for the cloud rules (else the recorded cloud/ of the fleet, if any);
    `remedies`, when given, receives each remediated finding's Remedy (by id) for `remediate`'s files;
    `progress` hears a live collection's devices (collect/progress.py)."""
    timings = {} if timings is None else timings
    rules = all_rules()
    rule_ids = only or [r.id for r in rules.values() if r.in_check]
    needs = set().union(*(rules[r].needs for r in rule_ids))
    ctx = Context(inventory=inventory)
    if DEVICES in needs:     # telemetry rules too: the states name the interface each connection is on
        with stage("collect", timings):
            collected = collect_fleet(inventory, live=live, fixtures_dir=fixtures,
                                      concurrency=concurrency, timeout=timeout, progress=progress)
        with stage("parse", timings):
            ctx.states, ctx.failures = build_states(inventory, collected)
        del collected       # the raw texts are parsed: no need to hold them through the rules (50 MB at 20,000)
    if TELEMETRY in needs and (sample_sources(inventory, db, fixtures) or telemetry):
        from ecpartner.telemetry.window import load_window   # pandas: loaded only when there are samples

        with stage("telemetry", timings):   # no source at all: None, and the telemetry rules stay silent
            ctx.telemetry = load_window(inventory, db, since, fixtures_dir=fixtures, states=ctx.states,
                                        choice=telemetry)
    if CLOUD in needs:
        with stage("cloud", timings):
            ctx.cloud = cloud_picture(inventory, live=cloud, fixtures=fixtures, timeout=timeout)
    with stage("rules", timings), gc_paused():      # a finding per rule and subject: 160,000 on 20,000 connections
        findings = evaluate(ctx, rule_ids)
    if ctx.states:
        with stage("remediation", timings):
            found = attach(inventory, ctx.states, findings)
        if remedies is not None:
            remedies.update(found)
    return findings


def cloud_picture(inventory: Inventory, live: bool = False, fixtures: str | None = None,
                  timeout: float = 30.0) -> dict | None:
    """region -> RegionCloud: read live, or replayed from the fleet's cloud/ (None: no cloud data, rules silent)."""
    fleet_dir = Path(fixtures) if fixtures else inventory.base_dir
    if not live and not (fleet_dir / "cloud").is_dir():
        return None
    from ecpartner.collect import cloud

    if live:
        return {region: got.picture() for region, got in cloud.collect_cloud(inventory, timeout=timeout).items()}
    return cloud.load_recorded(fleet_dir, inventory)


def telemetry_findings(inventory: Inventory, window) -> list[Finding]:
    """The telemetry rules on one window (what `telemetry report` judges)."""
    return evaluate(Context(inventory=inventory, telemetry=window), only=TELEMETRY_RULES)


def exported_findings(inventory: Inventory, window) -> list[Finding]:
    """What the metrics exporter publishes as `ecpartner_finding`: the inventory rules and the telemetry rules
    on the store's window. The configuration rules need every device's configuration read, which `check`
    does (a poll reads only the devices that carry connections)."""
    rules = all_rules()
    inventory_only = [r.id for r in rules.values() if r.in_check and not (r.needs - {INVENTORY})]
    return evaluate(Context(inventory=inventory, telemetry=window), only=inventory_only + list(TELEMETRY_RULES))


def build_report(inventory: Inventory, db: str | Path | None, since: str, fmt: str,
                 states: dict | None = None, telemetry: str | None = None, tz: str | None = None) -> tuple[str, int]:
    """The report text and the exit code its findings give; `states` (default: the recorded fleet's, if
    any) say which interface carries each connection; `telemetry` picks the source as for run_check; `tz`
    (an IANA name, default the partner's `timezone`) is the time zone of the plots' time axes."""
    zone = time_zone(inventory.partner.timezone if tz is None else tz)   # both checked where they were read
    from ecpartner.telemetry.report import render
    from ecpartner.telemetry.window import load_window, recorded_states   # pandas: only when reporting

    window = load_window(inventory, db, since, states=recorded_states(inventory) if states is None else states,
                         choice=telemetry)
    if window is None:
        raise InputError(f"{default_path(inventory.path)} or {inventory.base_dir / 'telemetry'}/*.csv: "
                         "no telemetry samples: nothing to report yet")
    if window.sample_times < 2:
        raise InputError(f"{window.source}: fewer than two samples in the last {since}: nothing to report yet")
    findings = telemetry_findings(inventory, window)
    return render(fmt, inventory, window, findings, zone), exit_code(findings)
