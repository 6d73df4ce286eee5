"""The telemetry rules (contract section 5): they read `ctx.telemetry`, a TelemetryWindow, and yield
nothing when there is none (no store and no series). One finding per enabled hosted connection per rule
(per disabled one for telemetry-disabled-traffic),
subject naming its circuit, id, device and interface. They need the device states too: the window names
each connection's interface from the parsed configuration.

Every message ends with what the verdict stands on: the source (store path or series files), how it
was chosen when there were two, and the number of usable intervals. A 95th percentile of fewer than
MIN_PERCENTILE_INTERVALS intervals is no verdict: status error "not enough samples", severity warning
(a store that has just started is not a compliance problem, but nobody should read a verdict from it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from ecpartner.findings import ERROR, FAIL, PASS, SEV_ERROR, SEV_WARNING, Finding, subject
from ecpartner.inventory import format_bandwidth
from ecpartner.rules.registry import DEVICES, INVENTORY, TELEMETRY, Context, rule
from ecpartner.telemetry.statuses import SHOWN

if TYPE_CHECKING:   # the window module loads pandas: only a run that has samples pays for it
    from ecpartner.telemetry.window import ConnectionTelemetry

REQUIREMENT = "Traffic monitoring"
NEEDS = (INVENTORY, DEVICES, TELEMETRY)
MIN_PERCENTILE_INTERVALS = 12     # an hour of 5-minute polls: below that a "95th percentile" is one sample


def _enabled(ctx: Context, status: str = "enabled") -> Iterator[ConnectionTelemetry]:
    window = ctx.telemetry      # a TelemetryWindow, or None
    if window is None:
        return
    for ct in window.connections:
        if ct.connection.status == status:
            yield ct


def _subject(ct: ConnectionTelemetry) -> dict:
    return subject(ct.circuit.id, ct.connection.key, ct.device, ct.interface,
                   region=ct.circuit.region, tenant=ct.connection.tenant)


def _basis(ctx: Context, ct: ConnectionTelemetry) -> str:
    """What a verdict stands on, appended to every telemetry message."""
    window = ctx.telemetry
    chosen = f", {window.choice}" if window.choice else ""
    n = ct.stats.intervals
    return f" [source: {window.described()}{chosen}; {n} interval{'' if n == 1 else 's'}]"


def _finding(ctx: Context, rule_id: str, status: str, severity: str, ct: ConnectionTelemetry, message: str,
             expected, actual) -> Finding:
    return Finding(rule_id, status, severity, _subject(ct), message + _basis(ctx, ct),
                   expected=expected, actual=actual)


def _not_enough(ctx: Context, rule_id: str, ct: ConnectionTelemetry, needed: int) -> Finding:
    times = ctx.telemetry.sample_times
    have = (f"the window holds {times} sample time{'' if times == 1 else 's'}" if times < 2
            else f"{ct.stats.intervals} usable interval{'' if ct.stats.intervals == 1 else 's'} "
                 f"for {ct.device} {ct.interface}")
    return _finding(ctx, rule_id, ERROR, SEV_WARNING, ct,
                    f"not enough samples: {have}, at least {needed} needed for a verdict",
                    expected=f"at least {needed} usable intervals", actual=ct.stats.intervals)


def _no_data(ctx: Context, rule_id: str, ct: ConnectionTelemetry, severity: str, needed: int = 1) -> Finding | None:
    """An ERROR finding when the window has nothing (or too little) to judge this connection by."""
    if ctx.telemetry.sample_times < 2:      # a store that has been polled once: nothing is wrong yet
        return _not_enough(ctx, rule_id, ct, needed)
    if ct.sid is None:
        why = f"no samples for {ct.device} {ct.interface} in the telemetry window"
    elif ct.stats.intervals == 0 and ct.stats.dropped:
        dropped = ", ".join(f"{n} {SHOWN.get(status, status)}" for status, n in sorted(ct.stats.dropped.items()))
        why = (f"no usable interval for {ct.device} {ct.interface} in the telemetry window "
               f"({ct.stats.samples} samples; intervals dropped: {dropped})")
    elif ct.stats.intervals < needed:
        return _not_enough(ctx, rule_id, ct, needed)
    else:
        return None
    return _finding(ctx, rule_id, ERROR, severity, ct, why, expected="at least two usable samples",
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
        if (missing := _no_data(ctx, "telemetry-utilization", ct, SEV_ERROR, MIN_PERCENTILE_INTERVALS)) is not None:
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
            yield _finding(ctx, "telemetry-utilization", FAIL, SEV_ERROR, ct,
                           f"{shown}: above the purchased bandwidth, the rate limit is not enforced",
                           expected=f"at most {format_bandwidth(bandwidth)}", actual=actual)
        elif worst > warn * bandwidth:
            yield _finding(ctx, "telemetry-utilization", FAIL, SEV_WARNING, ct,
                           f"{shown}: above {warn:.0%} of the purchased bandwidth",
                           expected=f"at most {warn:.0%} of {format_bandwidth(bandwidth)}", actual=actual)
        else:
            yield _finding(ctx, "telemetry-utilization", PASS, SEV_ERROR, ct, shown,
                           expected=f"at most {warn:.0%} of {format_bandwidth(bandwidth)}", actual=actual)


@rule("telemetry-drops", REQUIREMENT, needs=NEEDS)
def drops(ctx: Context) -> Iterator[Finding]:
    limit = ctx.inventory.thresholds.max_drop_ratio
    for ct in _enabled(ctx):
        if (missing := _no_data(ctx, "telemetry-drops", ct, SEV_WARNING)) is not None:
            yield missing
            continue
        ratio = ct.stats.drop_ratio
        if ratio is None:
            yield _finding(ctx, "telemetry-drops", PASS, SEV_WARNING, ct, "no packets in the window, none dropped",
                           expected=f"dropped/total at most {limit:g}", actual=0.0)
            continue
        shown = f"{ct.stats.discards} of {ct.stats.packets + ct.stats.discards} packets dropped ({ratio:.4%})"
        status = FAIL if ratio > limit else PASS
        yield _finding(ctx, "telemetry-drops", status, SEV_WARNING, ct,
                       shown + (f": above the {limit:g} limit" if status == FAIL else ""),
                       expected=f"dropped/total at most {limit:g}", actual=round(ratio, 6))


@rule("telemetry-counters-advance", REQUIREMENT, needs=NEEDS)
def counters_advance(ctx: Context) -> Iterator[Finding]:
    for ct in _enabled(ctx):
        if (missing := _no_data(ctx, "telemetry-counters-advance", ct, SEV_WARNING)) is not None:
            yield missing
            continue
        moved = ct.stats.octets + ct.stats.packets
        if moved == 0:
            yield _finding(ctx, "telemetry-counters-advance", FAIL, SEV_WARNING, ct,
                           "counters did not move: monitoring data is not being counted, or the tenant sends "
                           "nothing", expected="counters that advance", actual=0)
        else:
            yield _finding(ctx, "telemetry-counters-advance", PASS, SEV_WARNING, ct,
                           f"{ct.stats.octets} octets and {ct.stats.packets} packets counted",
                           expected="counters that advance", actual=moved)


@rule("telemetry-disabled-traffic", REQUIREMENT, needs=NEEDS)
def disabled_traffic(ctx: Context) -> Iterator[Finding]:
    """A disabled connection holds its resources but must carry nothing: traffic means the tenant's
    interface was left up (the guide's Disable step shuts it down) and the service is still given away."""
    for ct in _enabled(ctx, "disabled"):
        if (missing := _no_data(ctx, "telemetry-disabled-traffic", ct, SEV_WARNING)) is not None:
            yield missing     # no samples: whether it passes traffic cannot be told
            continue
        moved = ct.stats.octets + ct.stats.packets
        if moved:
            rates = ", ".join(f"{d} {_bps(ct.stats.mean[f'{d}_bps'] or 0.0)}" for d in ("in", "out"))
            yield _finding(ctx, "telemetry-disabled-traffic", FAIL, SEV_ERROR, ct,
                           f"disabled, yet {ct.stats.octets} octets and {ct.stats.packets} packets passed "
                           f"(mean {rates}): the interface still forwards the tenant's traffic",
                           expected="no traffic on a disabled connection", actual=moved)
        else:
            yield _finding(ctx, "telemetry-disabled-traffic", PASS, SEV_ERROR, ct, "disabled, and no traffic passed",
                           expected="no traffic on a disabled connection", actual=0)
