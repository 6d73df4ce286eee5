"""The per-connection plots of the HTML telemetry report: inline SVG, fast enough for a thousand connections.

Each plot shows in/out bps over time with the bandwidth cap as a dashed line, and drops per second
below. Series are cut down to two points (min and max) per pixel column first, so peaks stay visible;
the plot is then plain SVG text written here (polylines, a polygon, grid lines, tick labels), so one
plot costs about a millisecond: no figure, no rasteriser, no PNG encoder, and the browser draws it
sharp at any zoom. Every text in it (the connection, device and interface names) is XML-escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from ecpartner.display import html_text
from ecpartner.telemetry import rates as R
from ecpartner.telemetry.window import TelemetryWindow

WIDTH, HEIGHT = 560, 288                    # pixels of the whole plot
LEFT, RIGHT = 56, 550                       # the data area, horizontally
TOP_AXIS = (24, 196)                        # y of the bps axes' top and bottom edges
BOTTOM_AXIS = (208, 262)                    # ... of the drops axes
PLOT_PX = RIGHT - LEFT                      # width of the data area in pixels: the downsampling buckets
MS_PER_DAY = 86_400_000.0                   # times are days since 1970-01-01 (as matplotlib's dates were)
IN_COLOUR, OUT_COLOUR, CAP_COLOUR, DROP_COLOUR = "#1f77b4", "#ff7f0e", "#d62728", "#d62728"
_DIVISIONS = {1.0: 5, 1.2: 4, 1.5: 3, 2.0: 4, 2.5: 5, 3.0: 3, 4.0: 4, 5.0: 5, 6.0: 3, 8.0: 4}
# Time tick steps in days: the first that gives at most 7 ticks is used.
_TIME_STEPS = [m / 1440 for m in (5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 43200)]


@dataclass(frozen=True)
class PlotData:
    """What one plot needs, already downsampled."""
    title: str
    bandwidth_bps: float
    bandwidth_text: str
    t_start: float                  # days since 1970 of the first and last interval ends
    t_end: float
    in_t: np.ndarray
    in_bps: np.ndarray
    out_t: np.ndarray
    out_bps: np.ndarray
    drop_t: np.ndarray
    drops_per_s: np.ndarray


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
    keep = [np.minimum(lo, hi), np.maximum(lo, hi)]
    if full < n:                                     # the short last bucket
        tail = y[full:]
        keep.append(np.array([full + tail.argmin(), full + tail.argmax()]))
    index = np.unique(np.concatenate(keep))          # sorted; a flat bucket gives one point
    return x[index], y[index]


def plot_inputs(window: TelemetryWindow, buckets: int = PLOT_PX) -> list[PlotData | None]:
    """One entry per connection of the window, in its order; None where there is no usable interval."""
    ok = window.rates[(window.rates["status"] == R.OK).to_numpy()]
    sid = ok["sid"].to_numpy()
    end_ms = ok["end_ms"].to_numpy()
    order = np.lexsort((end_ms, sid))                # grouped by series once, not one scan per connection
    sid, end_ms = sid[order], end_ms[order]
    when = end_ms / MS_PER_DAY
    in_bps = ok["in_bps"].to_numpy(dtype="float64")[order]
    out_bps = ok["out_bps"].to_numpy(dtype="float64")[order]
    drops = ((ok["d_in_discards"].to_numpy(dtype="float64") + ok["d_out_discards"].to_numpy(dtype="float64"))
             / ok["dt_s"].to_numpy(dtype="float64"))[order]

    out: list[PlotData | None] = []
    for ct in window.connections:
        if ct.sid is None:
            out.append(None)
            continue
        a, b = np.searchsorted(sid, ct.sid, "left"), np.searchsorted(sid, ct.sid, "right")
        if a == b:
            out.append(None)
            continue
        t = when[a:b]
        hc = ct.connection
        out.append(PlotData(f"{hc.key}  {ct.device} {ct.interface}", float(hc.bandwidth), hc.bandwidth_text,
                            float(t[0]), float(t[-1]),
                            *downsample_minmax(t, in_bps[a:b], buckets),
                            *downsample_minmax(t, out_bps[a:b], buckets),
                            *downsample_minmax(t, drops[a:b], buckets)))
    return out


def svg(data: PlotData) -> str:
    """The plot of one connection as an <svg> element."""
    scale, unit = (10**9, "Gbit/s") if data.bandwidth_bps >= 10**9 else (10**6, "Mbit/s")
    highest = max(data.bandwidth_bps, _max(data.in_bps), _max(data.out_bps)) / scale
    top = nice_ceiling(highest * 1.05)      # the bandwidth line always shows, with air above it
    drops_top = nice_ceiling(_max(data.drops_per_s) * 1.05) or 1.0
    left, right = data.t_start, data.t_end
    if right <= left:                       # a single interval: give it some width
        left, right = left - 1 / 288, right + 1 / 288

    def x(t: np.ndarray) -> np.ndarray:
        return LEFT + (t - left) * (PLOT_PX / (right - left))

    def y(v: np.ndarray, axis: tuple[int, int], high: float) -> np.ndarray:
        return axis[1] - np.clip(v / high, 0, 1.02) * (axis[1] - axis[0])

    # inline in HTML5: no xmlns needed (the report names no URL at all)
    parts = [f'<svg width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'font-family="sans-serif" font-size="9" role="img">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
             f'<title>in/out bps of {html_text(data.title)}</title>',
             f'<text x="{LEFT}" y="14" font-size="11">{html_text(data.title)}</text>',
             _legend(data.bandwidth_text)]
    for axis, high, label in ((TOP_AXIS, top, unit), (BOTTOM_AXIS, drops_top, "drops/s")):
        parts.append(_y_grid(axis, high, label))
    parts.append(_time_grid(left, right))
    bottom_y = y(np.asarray(data.drops_per_s, dtype=float), BOTTOM_AXIS, drops_top)
    if len(data.drop_t):
        xs, ys = _steps(x(np.asarray(data.drop_t, dtype=float)), bottom_y, BOTTOM_AXIS[1])
        parts.append(f'<polygon transform="scale(.1)" fill="{DROP_COLOUR}" fill-opacity="0.6" points="{_points(xs, ys)}"/>')
    for t, v, colour in ((data.in_t, data.in_bps, IN_COLOUR), (data.out_t, data.out_bps, OUT_COLOUR)):
        if len(t):
            parts.append(f'<polyline transform="scale(.1)" fill="none" stroke="{colour}" stroke-width="10" '
                         f'points="{_points(x(np.asarray(t, dtype=float)), y(np.asarray(v, dtype=float) / scale, TOP_AXIS, top))}"/>')
    cap = float(y(np.array([data.bandwidth_bps / scale]), TOP_AXIS, top)[0])
    parts.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{cap:.1f}" y2="{cap:.1f}" stroke="{CAP_COLOUR}" '
                 'stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return "".join(parts)


def _points(xs: np.ndarray, ys: np.ndarray) -> str:
    """SVG points in tenths of a pixel (drawn under scale(.1)): integers print 4x faster than floats."""
    return " ".join(map(str, np.rint(np.column_stack([xs, ys]) * 10).astype(np.int64).ravel().tolist()))


def _steps(xs: np.ndarray, ys: np.ndarray, base: float) -> tuple[np.ndarray, np.ndarray]:
    """The area under a step line where each value holds up to its own time (like step="pre")."""
    sx = np.repeat(xs, 2)[:-1]              # t0, t0, t1, t1, ..., tn
    sy = np.repeat(ys, 2)[1:]               # y0, y1, y1, y2, ..., yn
    return np.concatenate([[xs[0]], sx, [xs[-1]]]), np.concatenate([[base], sy, [base]])


def _legend(bandwidth_text: str) -> str:
    items, parts, at = [("in", IN_COLOUR, ""), ("out", OUT_COLOUR, ""),
                        (f"bandwidth {bandwidth_text}", CAP_COLOUR, ' stroke-dasharray="4 3"')], [], RIGHT - 190
    for label, colour, dash in items:
        parts.append(f'<line x1="{at}" x2="{at + 16}" y1="17" y2="17" stroke="{colour}"{dash}/>'
                     f'<text x="{at + 19}" y="20">{html_text(label)}</text>')
        at += 19 + 7 * len(label) + 10
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


def _time_grid(left: float, right: float) -> str:
    step = next((s for s in _TIME_STEPS if (right - left) / s <= 7), _TIME_STEPS[-1])
    parts = []
    for tick in np.arange(np.ceil(left / step) * step, right + 1e-9, step):
        px = LEFT + (tick - left) * (PLOT_PX / (right - left))
        when = datetime.fromtimestamp(float(tick) * 86400, timezone.utc).strftime("%m-%d %H:%M")
        for top, bottom in (TOP_AXIS, BOTTOM_AXIS):
            parts.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top}" y2="{bottom}" stroke="#ddd"/>')
        parts.append(f'<text x="{px:.1f}" y="{BOTTOM_AXIS[1] + 12}" text-anchor="middle">{when}</text>')
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
