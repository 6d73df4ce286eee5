"""The HTML report's plots: valid PNGs of the expected size, peaks kept by downsampling, a reused
figure that carries nothing over from one connection to the next, and parallel output in input order."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

from ecpartner.inventory_loader import load_inventory
from ecpartner.telemetry.plot import (DPI, FIG_SIZE_IN, ConnectionPlotter, downsample_minmax, nice_ceiling, plot_inputs,
                                     render_pngs)
from ecpartner.telemetry.window import load_window, recorded_states

DEMO = Path(__file__).parents[2] / "fixtures" / "demo"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo_inputs():
    inventory = load_inventory(DEMO / "inventory.yaml")
    window = load_window(inventory, None, "24h", states=recorded_states(inventory))
    inputs = plot_inputs(window)
    assert len(inputs) == len(window.connections)
    return {ct.connection.key: data for ct, data in zip(window.connections, inputs)}


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


def test_plot_is_a_valid_png_of_the_expected_size(demo_inputs):
    png = ConnectionPlotter().png(demo_inputs["pc-hc02"])
    assert png[:8] == PNG_MAGIC
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert image.shape[:2] == (round(FIG_SIZE_IN[1] * DPI), round(FIG_SIZE_IN[0] * DPI))
    assert image[..., :3].std() > 0.05               # not a blank canvas


def test_the_peak_of_a_connection_is_in_its_plot_data(demo_inputs):
    data = demo_inputs["pc-hc02"]                     # out ~620M on 500M: above its bandwidth
    assert data.out_bps.max() > data.bandwidth_bps
    assert data.t_start < data.t_end


def test_reused_figure_carries_nothing_over(demo_inputs):
    plotter = ConnectionPlotter()
    first = plotter.png(demo_inputs["pc-hc01"])
    other = plotter.png(demo_inputs["pc-hc02"])
    again = plotter.png(demo_inputs["pc-hc01"])
    assert first == again and first != other


def test_parallel_rendering_keeps_the_input_order(demo_inputs):
    inputs = list(demo_inputs.values())
    serial = render_pngs(inputs, workers=1)
    parallel = render_pngs(inputs, workers=2, parallel_from=1)
    assert parallel == serial
    assert [png is None for png in serial] == [data is None for data in inputs]


@pytest.mark.parametrize("value, expected", [(0.0, 0.0), (1.0, 1.0), (1.05, 1.2), (1.1, 1.2), (231.0, 250.0),
                                             (735.0, 800.0), (8.1, 10.0), (0.0042, 0.005)])
def test_axis_tops_are_nice_numbers_at_or_above_the_value(value, expected):
    assert nice_ceiling(value) == pytest.approx(expected)
