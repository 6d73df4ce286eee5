"""The HTML telemetry report as a NOC reads it: plots in a grid, time ticks on whole hours of a chosen time
zone (named on the axis), the 95th percentile beside the bandwidth line, "no traffic" for an idle series,
and one plot per circuit summing its connections against its capacity. Each is read back from the SVG."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from ecpartner.cli import main
from ecpartner.errors import InputError
from ecpartner.inventory_loader import load_inventory
from ecpartner.telemetry import rates as R
from ecpartner.telemetry.plot import (CAP_COLOUR, IN_COLOUR, LEFT, NO_TRAFFIC, OUT_COLOUR, PLOT_PX, RIGHT, TICK_Y,
                                     TOP_AXIS, PlotData, circuit_inputs, downsample_minmax, nice_ceiling,
                                     plot_inputs, svg)
from ecpartner.telemetry.window import load_window, recorded_states

DEMO = Path(__file__).parents[2] / "fixtures" / "demo"
DAY_S = 86400


@pytest.fixture(scope="module")
def demo():
    inventory = load_inventory(DEMO / "inventory.yaml")
    window = load_window(inventory, None, "24h", states=recorded_states(inventory))
    return inventory, window, dict(zip((ct.connection.key for ct in window.connections), plot_inputs(window)))


def _levels(root, colour: str) -> list[float]:
    """y of every horizontal line of `colour` across the whole data area (not the legend's short ones)."""
    return [float(line.get("y1")) for line in root.iter("line") if line.get("stroke") == colour
            and (line.get("x1"), line.get("x2")) == (str(LEFT), str(RIGHT))]


def _y_of(value_bps: float, data: PlotData) -> float:
    scale = 10**9 if data.limit_bps >= 10**9 else 10**6
    top = nice_ceiling(max(data.limit_bps, data.in_bps.max(), data.out_bps.max()) / scale * 1.05)
    return TOP_AXIS[1] - value_bps / scale / top * (TOP_AXIS[1] - TOP_AXIS[0])


def _window_plot(start: datetime, hours: float) -> PlotData:
    """A plot of a steady series over [start, start + hours]: only its time axis matters here."""
    t = np.linspace(start.timestamp(), start.timestamp() + hours * 3600, 50) / DAY_S
    ones = np.full(len(t), 1e8)
    return PlotData("x", 1e9, "bandwidth 1G", float(t[0]), float(t[-1]), t, ones, t, ones, t, ones * 0)


def _ticks(root, data: PlotData) -> list[tuple[datetime, str]]:
    """(UTC moment under the tick, its label) of every time tick label."""
    out = []
    for text in root.iter("text"):
        if text.get("y") == str(TICK_Y):
            days = data.t_start + (float(text.get("x")) - LEFT) / PLOT_PX * (data.t_end - data.t_start)
            out.append((datetime.fromtimestamp(round(days * DAY_S / 60) * 60, timezone.utc), text.text))   # to the minute
    return out


@pytest.mark.parametrize("zone, start, hours, step_h", [
    ("UTC", datetime(2026, 11, 25, 0, 7, tzinfo=timezone.utc), 24, 6),
    ("Asia/Kolkata", datetime(2026, 11, 25, 3, 10, tzinfo=timezone.utc), 24, 6),           # UTC+05:30
    ("Asia/Kathmandu", datetime(2026, 11, 25, 3, 10, tzinfo=timezone.utc), 5, 1),          # UTC+05:45
    ("America/New_York", datetime(2026, 10, 31, 13, 0, tzinfo=timezone.utc), 48, 12),      # DST ends Nov 1
    ("Australia/Adelaide", datetime(2026, 4, 1, 0, 0, tzinfo=timezone.utc), 7 * 24, 24),   # +10:30 -> +9:30, Apr 5
    ("Europe/Berlin", datetime(2026, 3, 20, 0, 0, tzinfo=timezone.utc), 30 * 24, 168),     # a month: weekly
])
def test_time_ticks_are_whole_hours_of_the_zone_it_names(zone, start, hours, step_h):
    data = _window_plot(start, hours)
    root = ET.fromstring(svg(data, ZoneInfo(zone)))
    ticks = _ticks(root, data)
    # the oracle: every whole minute of the window, kept where the zone's clock shows a whole hour of the step
    expected = []
    for minute in range(int(hours * 60) + 1):
        local = (start + timedelta(minutes=minute)).astimezone(ZoneInfo(zone))
        days = (local.date() - datetime(1970, 1, 1).date()).days
        on_step = local.hour % step_h == 0 if step_h < 24 else local.hour == 0 and (days + 719163) % (step_h // 24) == 0
        if local.minute == 0 and on_step:
            expected.append((local.astimezone(timezone.utc).replace(second=0), local.strftime("%m-%d %H:%M")))
    expected = [(when, label) for when, label in expected if when >= start]
    assert 2 <= len(ticks) <= 7
    assert [label for _, label in ticks] == [label for _, label in expected]
    for (when, _), (truth, _) in zip(ticks, expected):           # each tick drawn at its own moment
        assert abs((when - truth).total_seconds()) < (data.t_end - data.t_start) * DAY_S / PLOT_PX
    assert f"time zone {zone}" in [t.text for t in root.iter("text")]


def test_half_hour_zone_ticks_fall_on_half_past_utc():
    data = _window_plot(datetime(2026, 11, 25, 0, 0, tzinfo=timezone.utc), 24)
    ticks = _ticks(ET.fromstring(svg(data, ZoneInfo("Asia/Kolkata"))), data)
    assert ticks and all(when.minute == 30 and label.endswith(":00") for when, label in ticks)
    assert (datetime(2026, 11, 25, 0, 30, tzinfo=timezone.utc), "11-25 06:00") in ticks


def test_p95_lines_are_drawn_at_the_computed_p95_of_each_direction(demo):
    _, window, plots = demo
    ct = next(c for c in window.connections if c.connection.key == "pc-hc02")
    data = plots["pc-hc02"]
    ok = window.rates[(window.rates["sid"] == ct.sid) & (window.rates["status"] == R.OK)]
    for column, colour in (("in_bps", IN_COLOUR), ("out_bps", OUT_COLOUR)):
        p95 = float(np.percentile(ok[column].to_numpy(dtype=float), 95))
        assert ct.stats.p95[column] == pytest.approx(p95)
        (y,) = _levels(ET.fromstring(svg(data)), colour)
        assert y == pytest.approx(_y_of(p95, data), abs=0.06)
    texts = [t.text for t in ET.fromstring(svg(data)).iter("text")]
    assert f"p95 out {ct.stats.p95['out_bps'] / 1e6:.3g}M" in texts and "bandwidth 500M" in texts


def test_an_idle_series_says_no_traffic_and_a_busy_one_does_not(demo):
    _, _, plots = demo
    idle = ET.fromstring(svg(plots["pc-hc15"]))                 # the demo's counters that never move
    assert NO_TRAFFIC in [t.text for t in idle.iter("text")] and not idle.findall("polyline")
    assert _levels(idle, CAP_COLOUR)                             # the frame still has its scale
    busy = plots["pc-hc02"]
    assert NO_TRAFFIC not in svg(busy)
    zeros = replace(busy, in_bps=np.zeros_like(busy.in_bps), out_bps=np.zeros_like(busy.out_bps))
    assert NO_TRAFFIC in svg(zeros)
    # one non-zero sample in a long idle week survives the downsampling: traffic, drawn
    t = np.arange(2016) / 288
    spike = np.zeros(len(t))
    spike[1234] = 5e6
    st, sv = downsample_minmax(t, spike)
    one = replace(zeros, t_start=0.0, t_end=float(t[-1]), in_t=st, in_bps=sv)
    assert NO_TRAFFIC not in svg(one) and len(ET.fromstring(svg(one)).findall("polyline")) == 2


def test_a_circuit_plot_sums_its_connections_against_its_capacity(demo):
    inventory, window, _ = demo
    circuits = dict((c.id, data) for c, data in circuit_inputs(window))
    assert set(circuits) == {ct.circuit.id for ct in window.connections if ct.sid is not None}
    data = circuits["pc-hz01"]                                  # pc-hc01, pc-hc02 and pc-hc03 (disabled, 8M in)
    sids = {ct.sid for ct in window.connections if ct.circuit.id == "pc-hz01"}
    assert len(sids) == 3
    ok = window.rates[window.rates["sid"].isin(sids) & (window.rates["status"] == R.OK)]
    truth = ok.groupby("end_ms")[["in_bps", "out_bps"]].sum()
    assert len(truth) <= 2 * PLOT_PX                              # a day: nothing downsampled
    assert np.allclose(data.in_t * 86_400_000, truth.index.to_numpy(dtype=float))
    assert np.allclose(data.in_bps, truth["in_bps"]) and np.allclose(data.out_bps, truth["out_bps"])
    assert data.in_bps.max() > max(ok[ok["sid"] == s]["in_bps"].max() for s in sids)   # a sum, not one of them
    assert data.p95_out_bps == pytest.approx(np.percentile(truth["out_bps"], 95))
    root = ET.fromstring(svg(data))
    capacity = inventory.circuits["pc-hz01"].capacity
    assert data.limit_bps == capacity and data.limit_label == "capacity 1G"
    (cap,) = _levels(root, CAP_COLOUR)
    assert cap == pytest.approx(_y_of(capacity, data), abs=0.06)
    assert "capacity 1G" in [t.text for t in root.iter("text")]


def test_html_report_lays_plots_out_in_a_grid_in_the_chosen_zone(tmp_path):
    out = tmp_path / "r.html"
    main(["telemetry", "report", str(DEMO / "inventory.yaml"), "--output", str(out), "--tz", "Asia/Kolkata"])
    text = out.read_text()
    assert re.search(r"\.plots\{display:grid;", text) and "<link" not in text and "src=" not in text
    grids = re.findall(r'<div class="plots">(.*?)</div>', text, re.S)
    assert len(grids) == 2                                       # circuits, then connections
    circuits, connections = (re.findall(r"<title>([^<]*)</title>", g) for g in grids)
    assert all(t.startswith("sum of the connections' in/out bps on circuit ") for t in circuits)
    assert len(circuits) == len({hc.circuit for hc in load_inventory(DEMO / "inventory.yaml").hosted_connections
                                 if hc.status in ("enabled", "disabled") and hc.key != "pc-bj-hc04"})
    assert all(t.startswith("in/out bps of ") for t in connections)
    assert text.count("time zone Asia/Kolkata") == len(circuits) + len(connections)
    assert "time zone UTC" not in text


def test_the_partner_timezone_is_the_default_and_a_bad_one_is_refused_at_its_line(tmp_path, capsys):
    source = (DEMO / "inventory.yaml").read_text()
    assert "timezone:" not in source
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    for name in ("devices", "telemetry"):
        shutil.copytree(DEMO / name, fleet / name)
    inventory = fleet / "inventory.yaml"
    inventory.write_text(source.replace("  site: china\n", "  site: china\n  timezone: Asia/Shanghai\n", 1))
    out = tmp_path / "r.html"
    main(["telemetry", "report", str(inventory), "--output", str(out)])
    assert "time zone Asia/Shanghai" in out.read_text() and "time zone UTC" not in out.read_text()
    main(["telemetry", "report", str(inventory), "--output", str(out), "--tz", "UTC"])    # the option wins
    assert "time zone UTC" in out.read_text() and "Asia/Shanghai" not in out.read_text()

    line = source[:source.index("  site: china\n")].count("\n") + 2
    inventory.write_text(source.replace("  site: china\n", "  site: china\n  timezone: Asia/Peking\n", 1))
    with pytest.raises(InputError) as e:
        load_inventory(inventory)
    assert str(e.value) == (f"{inventory}:{line}: partner.timezone: 'Asia/Peking' is not an IANA time zone name "
                            "(e.g. UTC, Asia/Shanghai, Europe/Berlin)")
    out.unlink()
    with pytest.raises(SystemExit) as exit_code:
        main(["telemetry", "report", str(DEMO / "inventory.yaml"), "--output", str(out), "--tz", "+08:00"])
    assert exit_code.value.code == 2
    assert "argument --tz: '+08:00' is not an IANA time zone name" in capsys.readouterr().err
    assert not out.exists()
