"""The HTML report's plots: well-formed SVG of the expected size, the peak drawn where it belongs, peaks
kept by downsampling, every text escaped, nothing carried over from one connection to the next."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ecpartner.inventory_loader import load_inventory
from ecpartner.telemetry.plot import (BOTTOM_AXIS, CAP_COLOUR, HEIGHT, LEFT, RIGHT, TOP_AXIS, WIDTH, downsample_minmax,
                                     nice_ceiling, plot_inputs, svg)
from ecpartner.telemetry.window import load_window, recorded_states

DEMO = Path(__file__).parents[2] / "fixtures" / "demo"
SVG = ""   # inline SVG in HTML5: no namespace


@pytest.fixture(scope="module")
def demo_inputs():
    inventory = load_inventory(DEMO / "inventory.yaml")
    window = load_window(inventory, None, "24h", states=recorded_states(inventory))
    inputs = plot_inputs(window)
    assert len(inputs) == len(window.connections)
    return {ct.connection.key: data for ct, data in zip(window.connections, inputs)}


def _points(element) -> np.ndarray:
    """Pixel coordinates of a polyline or polygon (drawn in tenths of a pixel under scale(.1))."""
    assert element.get("transform") == "scale(.1)"
    return np.array(element.get("points").split(), dtype=float).reshape(-1, 2) / 10


def _level(root, colour: str) -> float:
    """y of the horizontal line of `colour` across the whole data area (a limit or a p95), not the legend's."""
    (y,) = {float(line.get("y1")) for line in root.iter(f"{SVG}line") if line.get("stroke") == colour
            and (line.get("x1"), line.get("x2")) == (str(LEFT), str(RIGHT)) and line.get("stroke-dasharray")}
    return y


def test_downsampling_keeps_the_peak_and_the_trough_and_bounds_the_points():
    rng = np.random.default_rng(7)
    x = np.arange(20_000, dtype=float)
    y = rng.uniform(100, 200, len(x))
    y[12_345], y[777] = 5_000.0, 1.0                # one-sample spike and dip
    dx, dy = downsample_minmax(x, y, buckets=300)
    assert len(dx) <= 2 * 300 + 2
    assert dy.max() == 5_000.0 and dy.min() == 1.0
    assert 12_345.0 in dx and 777.0 in dx
    assert np.all(np.diff(dx) > 0)                   # still in time order
    assert np.array_equal(dy, y[dx.astype(int)])     # only real samples, each at its own time


def test_short_series_are_left_alone():
    x, y = np.arange(10.0), np.arange(10.0) ** 2
    dx, dy = downsample_minmax(x, y, buckets=300)
    assert np.array_equal(dx, x) and np.array_equal(dy, y)


def test_plot_is_well_formed_svg_of_the_expected_size(demo_inputs):
    root = ET.fromstring(svg(demo_inputs["pc-hc02"]))
    assert root.tag == f"{SVG}svg" and (root.get("width"), root.get("height")) == (str(WIDTH), str(HEIGHT))
    lines = root.findall(f"{SVG}polyline")
    assert [line.get("stroke") for line in lines] == ["#1f77b4", "#ff7f0e"]      # in, out
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "pc-hc02  hz-acc-01 GigabitEthernet0/0/1.101" in texts and "bandwidth 500M" in texts
    assert "Mbit/s" in texts and "drops/s" in texts
    for line in lines:                                  # inside the data area, in time order
        xy = _points(line)
        assert LEFT - 0.05 <= xy[:, 0].min() and xy[:, 0].max() <= RIGHT + 0.05
        assert np.all(np.diff(xy[:, 0]) >= 0) and TOP_AXIS[0] <= xy[:, 1].min() and xy[:, 1].max() <= TOP_AXIS[1]


def test_the_peak_is_drawn_at_its_value_above_the_bandwidth_line(demo_inputs):
    data = demo_inputs["pc-hc02"]                     # out ~620M on 500M: above its bandwidth
    assert data.out_bps.max() > data.limit_bps and data.t_start < data.t_end
    root = ET.fromstring(svg(data))
    out = _points(root.findall(f"{SVG}polyline")[1])
    cap = _level(root, CAP_COLOUR)
    top = nice_ceiling(max(data.limit_bps, data.in_bps.max(), data.out_bps.max()) / 1e6 * 1.05)
    height = TOP_AXIS[1] - TOP_AXIS[0]
    assert out[:, 1].min() == pytest.approx(TOP_AXIS[1] - data.out_bps.max() / 1e6 / top * height, abs=0.06)
    assert cap == pytest.approx(TOP_AXIS[1] - 500 / top * height, abs=0.06) and out[:, 1].min() < cap   # above it
    peak_at = data.out_t[np.argmax(data.out_bps)]
    x_peak = LEFT + (peak_at - data.t_start) / (data.t_end - data.t_start) * (RIGHT - LEFT)
    assert out[np.argmin(out[:, 1]), 0] == pytest.approx(x_peak, abs=0.06)


def test_drops_are_an_area_on_the_lower_axes_only_where_there_are_drops(demo_inputs):
    root = ET.fromstring(svg(demo_inputs["pc-hc01"]))       # the demo's dropping connection
    area = _points(root.find(f"{SVG}polygon"))
    assert area[:, 1].max() == BOTTOM_AXIS[1] and area[:, 1].min() < BOTTOM_AXIS[1] - 10
    quiet = demo_inputs["pc-hc02"]
    flat = ET.fromstring(svg(replace(quiet, drops_per_s=np.zeros_like(quiet.drops_per_s))))
    assert _points(flat.find(f"{SVG}polygon"))[:, 1].min() == BOTTOM_AXIS[1]      # nothing above the baseline


def test_every_text_is_escaped_and_plots_carry_nothing_over(demo_inputs):
    hostile = replace(demo_inputs["pc-hc01"], title='pc-x <script>alert(1)</script> & "q"', limit_label="<b>1G")
    text = svg(hostile)
    assert "<script>" not in text and "<b>" not in text
    root = ET.fromstring(text)                          # still well-formed
    assert 'pc-x <script>alert(1)</script> & "q"' in [t.text for t in root.iter(f"{SVG}text")]
    first, other = svg(demo_inputs["pc-hc01"]), svg(demo_inputs["pc-hc02"])
    assert svg(demo_inputs["pc-hc01"]) == first != other


def test_a_single_interval_still_has_a_time_axis(demo_inputs):
    data = demo_inputs["pc-hc02"]
    one = replace(data, t_end=data.t_start, in_t=data.in_t[:1], in_bps=data.in_bps[:1], out_t=data.out_t[:1],
                  out_bps=data.out_bps[:1], drop_t=data.drop_t[:1], drops_per_s=data.drops_per_s[:1])
    root = ET.fromstring(svg(one))
    assert _points(root.findall(f"{SVG}polyline")[0])[0, 0] == pytest.approx((LEFT + RIGHT) / 2, abs=0.06)


@pytest.mark.parametrize("value, expected", [(0.0, 0.0), (1.0, 1.0), (1.05, 1.2), (1.1, 1.2), (231.0, 250.0),
                                             (735.0, 800.0), (8.1, 10.0), (0.0042, 0.005)])
def test_axis_tops_are_nice_numbers_at_or_above_the_value(value, expected):
    assert nice_ceiling(value) == pytest.approx(expected)
