"""The plots of the HTML telemetry report: inline SVG, fast enough for a thousand connections.

A plot shows in/out bps over time with a limit as a dashed line (a connection's bandwidth, or for the
aggregate plot of a circuit, the sum of its connections, the circuit's capacity), the 95th percentile of
each direction as a dotted line of its colour, and drops per second below. The time axis has its ticks on
whole hours of the report's time zone, named under the axis. A plot without a non-zero in/out sample says
"no traffic" instead of showing an empty frame.

Series are cut down to two points (min and max) per pixel column first, so peaks stay visible; the plot is
then plain SVG text written here (polylines, a polygon, grid lines, tick labels), so one plot costs about a
millisecond: no figure, no rasteriser, no PNG encoder, and the browser draws it sharp at any zoom. Every
text in it (the connection, device and interface names) is XML-escaped.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np

from ecpartner.display import html_text
from ecpartner.inventory import Circuit, format_bandwidth
from ecpartner.telemetry import rates as R
from ecpartner.telemetry.window import TelemetryWindow

WIDTH, HEIGHT = 560, 300                    # pixels of the whole plot
LEFT, RIGHT = 56, 550                       # the data area, horizontally
LEGEND_Y = 27                               # baseline of the legend row, under the title
TOP_AXIS = (36, 206)                        # y of the bps axes' top and bottom edges
BOTTOM_AXIS = (218, 270)                    # ... of the drops axes
TICK_Y = BOTTOM_AXIS[1] + 12                # baseline of the time tick labels
ZONE_Y = TICK_Y + 13                        # ... of the time zone's name
PLOT_PX = RIGHT - LEFT                      # width of the data area in pixels: the downsampling buckets
MS_PER_DAY = 86_400_000.0                   # times are days since 1970-01-01 (as matplotlib's dates were)
IN_COLOUR, OUT_COLOUR, CAP_COLOUR, DROP_COLOUR = "#1f77b4", "#ff7f0e", "#d62728", "#d62728"
CAP_DASH, P95_DASH = "4 3", "1.5 2"
NO_TRAFFIC = "no traffic"
_DIVISIONS = {1.0: 5, 1.2: 4, 1.5: 3, 2.0: 4, 2.5: 5, 3.0: 3, 4.0: 4, 5.0: 5, 6.0: 3, 8.0: 4}
# Time tick steps in hours, on whole local hours: the first that gives at most MAX_TICKS ticks is used
# (from a day on, ticks fall on local midnights).
_HOUR_STEPS = (1, 2, 3, 6, 12, 24, 48, 168, 336, 672)
MAX_TICKS = 7
_QUARTER_HOUR_S = 900                       # every zone's offset is a whole number of quarter hours


@dataclass(frozen=True)
class PlotData:
    """What one plot needs, already downsampled; p95 values are the statistics' own, over every interval."""
    title: str
    limit_bps: float                # the connection's bandwidth, or the circuit's capacity
    limit_label: str                # 'bandwidth 500M', 'capacity 10G'
    t_start: float                  # days since 1970 of the first and last interval ends
    t_end: float
    in_t: np.ndarray
    in_bps: np.ndarray
    out_t: np.ndarray
    out_bps: np.ndarray
    drop_t: np.ndarray
    drops_per_s: np.ndarray
    p95_in_bps: float | None = None
    p95_out_bps: float | None = None
    aggregate: bool = False         # a circuit's sum of its connections

    @property
    def idle(self) -> bool:
        """No non-zero in or out sample (downsampling keeps every bucket's maximum: none is lost)."""
        return not (np.any(self.in_bps) or np.any(self.out_bps))


@dataclass(frozen=True)
class Usable:
    """The window's usable intervals as arrays, grouped by series then time: what every plot is cut from."""
    sid: np.ndarray
    end_ms: np.ndarray
    when: np.ndarray                # end_ms as days since 1970
    in_bps: np.ndarray
    out_bps: np.ndarray
    drops_per_s: np.ndarray

    def of(self, sid: int) -> slice:
        return slice(int(np.searchsorted(self.sid, sid, "left")), int(np.searchsorted(self.sid, sid, "right")))


def usable_intervals(window: TelemetryWindow) -> Usable:
    rates = window.rates
    ok = (rates["status"] == R.OK).to_numpy()

    def column(name: str, dtype=None) -> np.ndarray:
        return rates[name].to_numpy(dtype=dtype)[ok]

    sid, end_ms = column("sid"), column("end_ms")
    # grouped by series once, not one scan per connection; rates of a store's samples already are
    if ((sid[1:] > sid[:-1]) | ((sid[1:] == sid[:-1]) & (end_ms[1:] > end_ms[:-1]))).all():
        order = slice(None)
    else:
        order = np.lexsort((end_ms, sid))
    drops = (column("d_in_discards", "float64") + column("d_out_discards", "float64")) / column("dt_s", "float64")
    end_ms = end_ms[order]
    return Usable(sid[order], end_ms, end_ms / MS_PER_DAY, column("in_bps", "float64")[order],
                  column("out_bps", "float64")[order], drops[order])


def downsample_minmax(x: np.ndarray, y: np.ndarray, buckets: int = PLOT_PX) -> tuple[np.ndarray, np.ndarray]:
    """At most 2 points per bucket of consecutive points: the lowest and the highest, in time order.

    Every local extreme a pixel column could show survives, so a one-sample peak stays on the plot.
    """
    n = len(y)
    if n <= 2 * buckets:
        return x, y
    width = -(-n // buckets)                         # ceil: points per bucket
    full = n // width * width
    blocks = y[:full].reshape(-1, width)
    base = np.arange(0, full, width)
    lo, hi = base + blocks.argmin(axis=1), base + blocks.argmax(axis=1)
    keep = [np.column_stack([np.minimum(lo, hi), np.maximum(lo, hi)]).ravel()]   # bucket after bucket: sorted
    if full < n:                                     # the short last bucket
        tail = y[full:]
        keep.append(np.array([full + min(tail.argmin(), tail.argmax()), full + max(tail.argmin(), tail.argmax())]))
    index = np.concatenate(keep)
    index = index[np.r_[True, index[1:] != index[:-1]]]   # a flat bucket gives one point
    return x[index], y[index]


def _plot_data(title: str, limit_bps: float, limit_label: str, t: np.ndarray, in_bps: np.ndarray,
               out_bps: np.ndarray, drops: np.ndarray, p95_in: float | None, p95_out: float | None,
               buckets: int, aggregate: bool = False) -> PlotData:
    return PlotData(title, float(limit_bps), limit_label, float(t[0]), float(t[-1]),
                    *downsample_minmax(t, in_bps, buckets), *downsample_minmax(t, out_bps, buckets),
                    *downsample_minmax(t, drops, buckets), p95_in, p95_out, aggregate)


def plot_inputs(window: TelemetryWindow, buckets: int = PLOT_PX, usable: Usable | None = None) -> list[PlotData | None]:
    """One entry per connection of the window, in its order; None where there is no usable interval."""
    u = usable_intervals(window) if usable is None else usable
    out: list[PlotData | None] = []
    for ct in window.connections:
        rows = u.of(ct.sid) if ct.sid is not None else slice(0, 0)
        if rows.start == rows.stop:
            out.append(None)
            continue
        hc = ct.connection
        out.append(_plot_data(f"{hc.key}  {ct.device} {ct.interface}", hc.bandwidth, f"bandwidth {hc.bandwidth_text}",
                              u.when[rows], u.in_bps[rows], u.out_bps[rows], u.drops_per_s[rows],
                              ct.stats.p95.get("in_bps"), ct.stats.p95.get("out_bps"), buckets))
    return out


def circuit_inputs(window: TelemetryWindow, buckets: int = PLOT_PX,
                   usable: Usable | None = None) -> list[tuple[Circuit, PlotData]]:
    """One aggregate plot per circuit with usable intervals, in the window's order of first appearance: at
    each interval end, the sum of its connections' in bps, out bps and drops (a connection's unusable
    interval adds nothing there), against the circuit's capacity."""
    u = usable_intervals(window) if usable is None else usable
    circuits: dict[str, tuple[Circuit, set[int]]] = {}
    for ct in window.connections:
        entry = circuits.setdefault(ct.circuit.id, (ct.circuit, set()))
        if ct.sid is not None:
            entry[1].add(ct.sid)          # a set: two connections on one interface count its traffic once
    out = []
    for circuit, sids in circuits.values():
        rows = np.concatenate([np.arange(s.start, s.stop) for s in map(u.of, sorted(sids))] or [np.arange(0)])
        if not len(rows):
            continue
        times, group = np.unique(u.end_ms[rows], return_inverse=True)
        sums = [np.bincount(group, weights=v[rows], minlength=len(times)) for v in (u.in_bps, u.out_bps, u.drops_per_s)]
        out.append((circuit, _plot_data(f"circuit {circuit.id}  {circuit.device} {circuit.interface}", circuit.capacity,
                                        f"capacity {format_bandwidth(circuit.capacity)}", times / MS_PER_DAY, *sums,
                                        float(np.percentile(sums[0], 95)), float(np.percentile(sums[1], 95)),
                                        buckets, aggregate=True)))
    return out


def svg(data: PlotData, zone: ZoneInfo = ZoneInfo("UTC")) -> str:
    """The plot as an <svg> element, its time axis in `zone`."""
    scale, unit = (10**9, "Gbit/s") if data.limit_bps >= 10**9 else (10**6, "Mbit/s")
    highest = max(data.limit_bps, _max(data.in_bps), _max(data.out_bps)) / scale
    top = nice_ceiling(highest * 1.05)      # the limit's line always shows, with air above it
    drops_top = nice_ceiling(_max(data.drops_per_s) * 1.05) or 1.0
    left, right = data.t_start, data.t_end
    if right <= left:                       # a single interval: give it some width
        left, right = left - 1 / 288, right + 1 / 288

    def x(t: np.ndarray) -> np.ndarray:
        return LEFT + (t - left) * (PLOT_PX / (right - left))

    def y(v: np.ndarray, axis: tuple[int, int], high: float) -> np.ndarray:
        return axis[1] - np.clip(v / high, 0, 1.02) * (axis[1] - axis[0])

    what = "sum of the connections' in/out bps on" if data.aggregate else "in/out bps of"
    # inline in HTML5: no xmlns needed (the report names no URL at all)
    parts = [f'<svg width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'font-family="sans-serif" font-size="9" role="img">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
             f'<title>{what} {html_text(data.title)}</title>',
             f'<text x="{LEFT}" y="13" font-size="11">{html_text(data.title)}</text>',
             _legend(data, scale)]
    for axis, high, label in ((TOP_AXIS, top, unit), (BOTTOM_AXIS, drops_top, "drops/s")):
        parts.append(_y_grid(axis, high, label))
    parts.append(_time_grid(left, right, zone))
    bottom_y = y(np.asarray(data.drops_per_s, dtype=float), BOTTOM_AXIS, drops_top)
    if len(data.drop_t):
        xs, ys = _steps(x(np.asarray(data.drop_t, dtype=float)), bottom_y, BOTTOM_AXIS[1])
        parts.append(f'<polygon transform="scale(.1)" fill="{DROP_COLOUR}" fill-opacity="0.6" points="{_points(xs, ys)}"/>')
    if data.idle:
        parts.append(f'<text x="{(LEFT + RIGHT) / 2:.0f}" y="{(TOP_AXIS[0] + TOP_AXIS[1]) / 2 + 5:.0f}" '
                     f'text-anchor="middle" font-size="14" fill="#777">{NO_TRAFFIC}</text>')
    else:
        for t, v, p95, colour in ((data.in_t, data.in_bps, data.p95_in_bps, IN_COLOUR),
                                  (data.out_t, data.out_bps, data.p95_out_bps, OUT_COLOUR)):
            if len(t):
                parts.append(f'<polyline transform="scale(.1)" fill="none" stroke="{colour}" stroke-width="10" '
                             f'points="{_points(x(np.asarray(t, dtype=float)), y(np.asarray(v, dtype=float) / scale, TOP_AXIS, top))}"/>')
            if p95 is not None:
                parts.append(_level(float(y(np.array([p95 / scale]), TOP_AXIS, top)[0]), colour, P95_DASH))
    parts.append(_level(float(y(np.array([data.limit_bps / scale]), TOP_AXIS, top)[0]), CAP_COLOUR, CAP_DASH))
    parts.append("</svg>")
    return "".join(parts)


def _level(py: float, colour: str, dash: str) -> str:
    """A horizontal line across the data area: the limit, or a 95th percentile."""
    return f'<line x1="{LEFT}" x2="{RIGHT}" y1="{py:.1f}" y2="{py:.1f}" stroke="{colour}" stroke-dasharray="{dash}"/>'


_TENTHS = [str(n) for n in range(10 * max(WIDTH, HEIGHT) + 1)]   # every coordinate a plot can have, printed


def _points(xs: np.ndarray, ys: np.ndarray) -> str:
    """SVG points in tenths of a pixel (drawn under scale(.1)): integers print 4x faster than floats, and
    taking them from a table of printed numbers is 3x faster again."""
    tenths = np.rint(np.column_stack([xs, ys]) * 10).astype(np.int64).ravel()
    text = _TENTHS.__getitem__ if len(tenths) and 0 <= tenths.min() and tenths.max() < len(_TENTHS) else str
    return " ".join(map(text, tenths.tolist()))


def _steps(xs: np.ndarray, ys: np.ndarray, base: float) -> tuple[np.ndarray, np.ndarray]:
    """The area under a step line where each value holds up to its own time (like step="pre")."""
    sx = np.repeat(xs, 2)[:-1]              # t0, t0, t1, t1, ..., tn
    sy = np.repeat(ys, 2)[1:]               # y0, y1, y1, y2, ..., yn
    return np.concatenate([[xs[0]], sx, [xs[-1]]]), np.concatenate([[base], sy, [base]])


def _legend(data: PlotData, scale: int) -> str:
    suffix = "G" if scale == 10**9 else "M"
    items = [("in", IN_COLOUR, None), ("out", OUT_COLOUR, None)]
    if not data.idle:
        items += [(f"p95 {direction} {value / scale:.3g}{suffix}", colour, P95_DASH)
                  for direction, value, colour in (("in", data.p95_in_bps, IN_COLOUR), ("out", data.p95_out_bps, OUT_COLOUR))
                  if value is not None]
    items.append((data.limit_label, CAP_COLOUR, CAP_DASH))
    parts, at = [], LEFT
    for label, colour, dash in items:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{at}" x2="{at + 16}" y1="{LEGEND_Y - 3}" y2="{LEGEND_Y - 3}" stroke="{colour}"{dashed}/>'
                     f'<text x="{at + 19}" y="{LEGEND_Y}">{html_text(label)}</text>')
        at += 19 + 5 * len(label) + 12
    return "".join(parts)


def _y_grid(axis: tuple[int, int], high: float, label: str) -> str:
    parts = [f'<rect x="{LEFT}" y="{axis[0]}" width="{PLOT_PX}" height="{axis[1] - axis[0]}" fill="none" stroke="#444"/>',
             f'<text transform="translate(12 {(axis[0] + axis[1]) / 2:.0f}) rotate(-90)" text-anchor="middle">'
             f'{html_text(label)}</text>']
    # divisions that give round labels for each nice_ceiling step (0, 0.3, 0.6, 0.9, 1.2); the short drops axis: 0 and top
    ticks = _DIVISIONS.get(round(high / 10.0 ** np.floor(np.log10(high)), 1), 4) if axis == TOP_AXIS and high > 0 else 1
    for k in range(ticks + 1):
        value = high * k / ticks
        py = axis[1] - (axis[1] - axis[0]) * k / ticks
        if 0 < k < ticks:
            parts.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{py:.1f}" y2="{py:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 3}" y="{py + 3:.1f}" text-anchor="end">{value:g}</text>')
    return "".join(parts)


@functools.lru_cache(maxsize=64)
def time_ticks(left: float, right: float, zone: ZoneInfo) -> tuple[tuple[float, str], ...]:
    """(days since 1970, 'MM-DD HH:MM' in `zone`) of each tick between left and right: whole local hours,
    every `step` hours of the local clock (from a day on: local midnights). Local whole hours are found
    among the quarter hours of UTC, so zones an odd half or quarter hour off UTC and DST changes are right.
    Cached: the plots of one report mostly share their window."""
    span_h = (right - left) * 24
    step = next((s for s in _HOUR_STEPS if span_h / s <= MAX_TICKS), _HOUR_STEPS[-1])
    first = int(np.ceil(left * 86400 / _QUARTER_HOUR_S)) * _QUARTER_HOUR_S
    ticks = []
    for at in range(first, int(np.floor(right * 86400)) + 1, _QUARTER_HOUR_S):
        local = datetime.fromtimestamp(at, timezone.utc).astimezone(zone)
        if local.minute or local.second:
            continue
        if (local.hour % step == 0) if step < 24 else (local.hour == 0 and local.toordinal() % (step // 24) == 0):
            ticks.append((at / 86400, local.strftime("%m-%d %H:%M")))
    return tuple(ticks)


def _time_grid(left: float, right: float, zone: ZoneInfo) -> str:
    parts = []
    for tick, label in time_ticks(left, right, zone):
        px = LEFT + (tick - left) * (PLOT_PX / (right - left))
        for top, bottom in (TOP_AXIS, BOTTOM_AXIS):
            parts.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top}" y2="{bottom}" stroke="#ddd"/>')
        parts.append(f'<text x="{px:.1f}" y="{TICK_Y}" text-anchor="middle">{label}</text>')
    parts.append(f'<text x="{RIGHT}" y="{ZONE_Y}" text-anchor="end">time zone {html_text(zone.key)}</text>')
    return "".join(parts)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is >= value (0 for 0)."""
    if value <= 0 or not np.isfinite(value):
        return 0.0
    power = 10.0 ** np.floor(np.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= value * (1 - 1e-12):
            return float(step * power)
    return float(10 * power)


def _max(values: np.ndarray) -> float:
    return float(np.nanmax(values)) if len(values) else 0.0
