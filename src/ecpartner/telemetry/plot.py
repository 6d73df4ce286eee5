"""The per-connection plots of the HTML telemetry report, fast enough for a thousand connections.

Each plot shows in/out bps over time with the bandwidth cap as a dashed line, and drops per second
below. Making a matplotlib figure costs far more than drawing one (axes, ticks and text objects are
built and laid out from scratch), so one Agg figure is built per process and reused: every plot only
swaps the data of existing artists, sets limits and texts, and prints a PNG. Series are cut down to
two points (min and max) per pixel column first, so peaks stay visible. With many connections the
plots are drawn by a pool of processes; results come back in input order.
"""

from __future__ import annotations

import io
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import timezone

import numpy as np

from ecpartner.telemetry import rates as R
from ecpartner.telemetry.window import TelemetryWindow

FIG_SIZE_IN = (7.0, 3.6)
DPI = 80
LEFT, RIGHT, TOP, BOTTOM = 0.1, 0.98, 0.92, 0.1
PLOT_PX = int(FIG_SIZE_IN[0] * DPI * (RIGHT - LEFT))    # width of the data area in pixels
PARALLEL_FROM = 40          # fewer plots than this are not worth starting processes for
MS_PER_DAY = 86_400_000.0   # matplotlib dates are days since 1970-01-01


@dataclass(frozen=True)
class PlotData:
    """What one plot needs, already downsampled: small and picklable, to send to a worker process."""
    title: str
    bandwidth_bps: float
    bandwidth_text: str
    t_start: float                  # matplotlib date numbers of the first and last interval ends
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


class ConnectionPlotter:
    """One reusable figure: two stacked axes sharing the time axis.

    Axes, ticks, labels, grid and legend (the costly part: mostly text) depend only on the limits, the
    unit and the bandwidth, and limits are rounded to "nice" values, so connections of the same
    bandwidth usually share them: that background is drawn once, kept, and only the data, the cap line
    and the title are drawn on it.
    """

    BACKGROUNDS_KEPT = 32                          # 0.6 MB each

    def __init__(self) -> None:
        import matplotlib.dates as mdates
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure       # no pyplot: no global figure registry, no GUI backend
        from matplotlib.patches import Polygon

        self.fig = Figure(figsize=FIG_SIZE_IN, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.top, self.bottom = self.fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
        self.fig.subplots_adjust(left=LEFT, right=RIGHT, top=TOP, bottom=BOTTOM, hspace=0.12)
        self.drop_area = Polygon(np.zeros((1, 2)), closed=True, color="tab:red", alpha=0.6, linewidth=0)
        self.bottom.add_patch(self.drop_area)
        (self.in_line,) = self.top.plot([], [], label="in", linewidth=1)
        (self.out_line,) = self.top.plot([], [], label="out", linewidth=1)
        self.cap_line = self.top.axhline(1, color="red", linestyle="--", linewidth=1, label="bandwidth")
        # Above the data, right of the title: never hides a line, so it can be part of the background.
        self.legend = self.top.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, fontsize=7,
                                      frameon=False, borderaxespad=0.2, handlelength=1.8, columnspacing=1.2)
        self.title = self.top.set_title(" ", fontsize=9, loc="left")
        self.bottom.set_ylabel("drops/s", fontsize=8)
        self.bottom.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M", tz=timezone.utc))
        for ax in (self.top, self.bottom):
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
            ax.set_autoscale_on(False)              # limits are set by hand for every plot
        # Drawn for every plot, in this order, over the kept background.
        self.per_plot = [self.drop_area, self.in_line, self.out_line, self.cap_line, self.title]
        for artist in self.per_plot:
            artist.set_animated(True)               # left out of the background
        self.backgrounds: dict[tuple, object] = {}

    def png(self, data: PlotData) -> bytes:
        from PIL import Image

        scale, unit = (10**9, "Gbit/s") if data.bandwidth_bps >= 10**9 else (10**6, "Mbit/s")
        self.in_line.set_data(data.in_t, data.in_bps / scale)
        self.out_line.set_data(data.out_t, data.out_bps / scale)
        self.cap_line.set_ydata([data.bandwidth_bps / scale] * 2)
        self.legend.get_texts()[2].set_text(f"bandwidth {data.bandwidth_text}")
        self.title.set_text(data.title)
        self.drop_area.set_xy(_steps_polygon(data.drop_t, data.drops_per_s))

        highest = max(data.bandwidth_bps, _max(data.in_bps), _max(data.out_bps)) / scale
        top = nice_ceiling(highest * 1.05)         # the bandwidth line always shows, with air above it
        drops_top = nice_ceiling(_max(data.drops_per_s) * 1.05) or 1.0
        left, right = data.t_start, data.t_end
        if right <= left:                           # a single interval: give it some width
            left, right = left - 1 / 288, right + 1 / 288
        self.top.set_ylabel(unit)
        self.top.set_ylim(0, top)
        self.bottom.set_ylim(0, drops_top)
        self.top.set_xlim(left, right)
        key = (unit, top, drops_top, left, right, data.bandwidth_text)
        background = self.backgrounds.pop(key, None)
        if background is None:
            self.canvas.draw()
            if len(self.backgrounds) >= self.BACKGROUNDS_KEPT:
                self.backgrounds.pop(next(iter(self.backgrounds)))   # the least recently used
            background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(background)
        self.backgrounds[key] = background          # (re)inserted last: most recently used
        renderer = self.canvas.get_renderer()
        for artist in self.per_plot:
            artist.draw(renderer)
        image = Image.frombuffer("RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="png", compress_level=1)   # 6 is twice as slow, 3% smaller
        return buf.getvalue()


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


def _steps_polygon(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The area under a step line where each value holds up to its own time (like step="pre")."""
    xs = np.repeat(t, 2)[:-1]                       # t0, t0, t1, t1, ..., tn
    ys = np.repeat(y, 2)[1:]                        # y0, y1, y1, y2, ..., yn
    return np.column_stack([np.concatenate([[t[0]], xs, [t[-1]]]), np.concatenate([[0.0], ys, [0.0]])])


_PLOTTER: ConnectionPlotter | None = None


def _png_in_this_process(data: PlotData | None) -> bytes | None:
    global _PLOTTER
    if data is None:
        return None
    if _PLOTTER is None:
        _PLOTTER = ConnectionPlotter()
    return _PLOTTER.png(data)


def render_pngs(inputs: list[PlotData | None], workers: int | None = None,
                parallel_from: int = PARALLEL_FROM) -> list[bytes | None]:
    """PNG bytes for each input, in the same order (None stays None)."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    count = sum(data is not None for data in inputs)
    if workers <= 1 or count < parallel_from:
        return [_png_in_this_process(data) for data in inputs]
    chunk = max(1, -(-len(inputs) // (workers * 4)))
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(_png_in_this_process, inputs, chunksize=chunk))
    except (OSError, NotImplementedError, BrokenProcessPool):
        # No process pool here (a sandbox without semaphores, a killed worker): slower, same result.
        return [_png_in_this_process(data) for data in inputs]
