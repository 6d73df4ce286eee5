"""The check pipeline: inventory -> collect -> parse -> rules -> findings, one stage after the other."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

from ecpartner.collect import collect_fleet
from ecpartner.findings import Finding
from ecpartner.gc_pause import gc_paused
from ecpartner.inventory import Inventory
from ecpartner.parse import build_states
from ecpartner.rules import DEVICES, TELEMETRY, Context, all_rules, evaluate
from ecpartner.telemetry.sources import sample_source

log = logging.getLogger("ecpartner")


@contextmanager
def stage(name: str, timings: dict[str, float]):
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started
    log.info("%s: %.3fs", name, timings[name])


def run_check(inventory: Inventory, only: list[str] | None = None, live: bool = False, fixtures: str | None = None,
              concurrency: int = 20, timeout: float = 30.0, db: str | None = None, since: str = "24h",
              timings: dict[str, float] | None = None) -> list[Finding]:
    timings = {} if timings is None else timings
    rules = all_rules()
    rule_ids = only or [r.id for r in rules.values() if r.in_check]
    needs = set().union(*(rules[r].needs for r in rule_ids))
    ctx = Context(inventory=inventory)
    if DEVICES in needs:     # telemetry rules too: the states name the interface each connection is on
        with stage("collect", timings):
            collected = collect_fleet(inventory, live=live, fixtures_dir=fixtures,
                                      concurrency=concurrency, timeout=timeout)
        with stage("parse", timings):
            ctx.states, ctx.failures = build_states(inventory, collected)
    if TELEMETRY in needs and sample_source(inventory, db, fixtures) is not None:
        from ecpartner.telemetry.window import load_window   # pandas: loaded only when there are samples

        with stage("telemetry", timings):   # None (rules stay silent) with fewer than two samples in the window
            ctx.telemetry = load_window(inventory, db, since, fixtures_dir=fixtures, states=ctx.states)
    with stage("rules", timings), gc_paused():      # a finding per rule and subject: 160,000 on 20,000 connections
        return evaluate(ctx, rule_ids)
