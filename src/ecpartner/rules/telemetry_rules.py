"""The telemetry rules (contract section 5): they read `ctx.telemetry`, a TelemetryWindow, and yield
nothing when there is none (fewer than two samples in the window). One finding per enabled hosted
connection per rule, subject naming its circuit, id, device and interface. They need the device states
too: the window names each connection's interface from the parsed configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from ecpartner.findings import ERROR, FAIL, PASS, SEV_ERROR, SEV_WARNING, Finding, subject
from ecpartner.inventory import format_bandwidth
from ecpartner.rules.registry import DEVICES, INVENTORY, TELEMETRY, Context, rule

if TYPE_CHECKING:   # the window module loads pandas: only a run that has samples pays for it
    from ecpartner.telemetry.window import ConnectionTelemetry

REQUIREMENT = "Traffic monitoring"
NEEDS = (INVENTORY, DEVICES, TELEMETRY)


def _enabled(ctx: Context) -> Iterator[ConnectionTelemetry]:
    window = ctx.telemetry      # a TelemetryWindow, or None
    if window is None:
        return
    for ct in window.connections:
        if ct.connection.status == "enabled":
            yield ct


def _subject(ct: ConnectionTelemetry) -> dict:
    return subject(ct.circuit.id, ct.connection.key, ct.device, ct.interface)


def _no_data(rule_id: str, ct: ConnectionTelemetry, severity: str) -> Finding | None:
    """An ERROR finding when the window has nothing to judge this connection by."""
    if ct.sid is None:
        why = f"no samples for {ct.device} {ct.interface} in the telemetry window"
    elif ct.stats.intervals == 0:
        dropped = ", ".join(f"{n} {status}" for status, n in sorted(ct.stats.dropped.items())) or "none"
        why = (f"no usable interval for {ct.device} {ct.interface} in the telemetry window "
               f"({ct.stats.samples} samples; intervals dropped: {dropped})")
    else:
        return None
    return Finding(rule_id, ERROR, severity, _subject(ct), why, expected="at least two usable samples",
                   actual=ct.stats.samples)


def _bps(value: float) -> str:
    if value >= 10**9:
        return f"{value / 10**9:.2f} Gbit/s"
    if value >= 10**6:
        return f"{value / 10**6:.1f} Mbit/s"
    return f"{value / 10**3:.1f} kbit/s"


@rule("telemetry-utilization", REQUIREMENT, needs=NEEDS)
def utilization(ctx: Context) -> Iterator[Finding]:
    warn = ctx.inventory.thresholds.utilization_warn
    for ct in _enabled(ctx):
        if (missing := _no_data("telemetry-utilization", ct, SEV_ERROR)) is not None:
            yield missing
            continue
        bandwidth = ct.connection.bandwidth
        p95 = {d: ct.stats.p95[f"{d}_bps"] for d in ("in", "out")}
        direction = max(p95, key=p95.get)
        worst = p95[direction]
        actual = {"p95_in_bps": round(p95["in"]), "p95_out_bps": round(p95["out"]),
                  "utilization": round(worst / bandwidth, 4)}
        shown = f"95th percentile {direction} {_bps(worst)} of {ct.connection.bandwidth_text} ({worst / bandwidth:.0%})"
        if worst > bandwidth:
            yield Finding("telemetry-utilization", FAIL, SEV_ERROR, _subject(ct),
                          f"{shown}: above the purchased bandwidth, the rate limit is not enforced",
                          expected=f"at most {format_bandwidth(bandwidth)}", actual=actual)
        elif worst > warn * bandwidth:
            yield Finding("telemetry-utilization", FAIL, SEV_WARNING, _subject(ct),
                          f"{shown}: above {warn:.0%} of the purchased bandwidth",
                          expected=f"at most {warn:.0%} of {format_bandwidth(bandwidth)}", actual=actual)
        else:
            yield Finding("telemetry-utilization", PASS, SEV_ERROR, _subject(ct), shown,
                          expected=f"at most {warn:.0%} of {format_bandwidth(bandwidth)}", actual=actual)


@rule("telemetry-drops", REQUIREMENT, needs=NEEDS)
def drops(ctx: Context) -> Iterator[Finding]:
    limit = ctx.inventory.thresholds.max_drop_ratio
    for ct in _enabled(ctx):
        if (missing := _no_data("telemetry-drops", ct, SEV_WARNING)) is not None:
            yield missing
            continue
        ratio = ct.stats.drop_ratio
        if ratio is None:
            yield Finding("telemetry-drops", PASS, SEV_WARNING, _subject(ct), "no packets in the window, none dropped",
                          expected=f"dropped/total at most {limit:g}", actual=0.0)
            continue
        shown = f"{ct.stats.discards} of {ct.stats.packets + ct.stats.discards} packets dropped ({ratio:.4%})"
        status = FAIL if ratio > limit else PASS
        yield Finding("telemetry-drops", status, SEV_WARNING, _subject(ct),
                      shown + (f": above the {limit:g} limit" if status == FAIL else ""),
                      expected=f"dropped/total at most {limit:g}", actual=round(ratio, 6))


@rule("telemetry-counters-advance", REQUIREMENT, needs=NEEDS)
def counters_advance(ctx: Context) -> Iterator[Finding]:
    for ct in _enabled(ctx):
        if (missing := _no_data("telemetry-counters-advance", ct, SEV_WARNING)) is not None:
            yield missing
            continue
        moved = ct.stats.octets + ct.stats.packets
        if moved == 0:
            yield Finding("telemetry-counters-advance", FAIL, SEV_WARNING, _subject(ct),
                          f"counters did not move over {ct.stats.intervals} intervals: monitoring data is not "
                          "being counted, or the tenant sends nothing", expected="counters that advance", actual=0)
        else:
            yield Finding("telemetry-counters-advance", PASS, SEV_WARNING, _subject(ct),
                          f"{ct.stats.octets} octets and {ct.stats.packets} packets counted over "
                          f"{ct.stats.intervals} intervals", expected="counters that advance", actual=moved)
