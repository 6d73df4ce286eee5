"""`telemetry run --live` against the demo fleet served on 127.0.0.1 (FakeNOS answering its recorded
configurations, snmpsim serving its recordings, whose counters grow: tests/telemetry/make_demo_snmprec.py)
shows the recordings' rates: every stored interval, and the report's means, are the configured `numeric`
rates within the timing margin the run itself measured. The demo's known problems are the only ones.
What `make demo-live` runs (tests/helpers/demo_live.py)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from ecpartner.cli import main
from ecpartner.telemetry.rates import interval_rates
from ecpartner.telemetry.store import Store

from helpers.demo import DEMO, served_rates
from helpers.demo_live import served_demo, telemetry_run

pytestmark = [pytest.mark.live, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

POLLS = 5
# The demo is built with these monitoring-enabled failures: a connection no subinterface carries, and an
# interface the agent does not have. A live poll names them and samples everything else.
KNOWN_PROBLEMS = {
    "ecpartner: device hz-acc-02: no interface of TenGigabitEthernet0/1/0 carries VLAN 302 (pc-hc10) in its "
    "configuration: not sampled",
    "ecpartner: device hz-acc-01: interface XGigabitEthernet0/0/1.1000 not found by ifName or ifDescr",
}
# rate column -> what one counted unit is worth in it (an octet is 8 bits)
UNITS = {"in_bps": 8, "out_bps": 8, "in_pps": 1, "out_pps": 1}


def within(measured: float, truth: float, margin: float, seconds: float, unit: int, rounded: float = 0.0) -> bool:
    """`measured` is `truth` off by at most `margin` of it, a counter's whole unit at each end (snmpsim
    counts whole units) and what `measured` was rounded by."""
    return abs(measured - truth) <= truth * margin + 2 * unit / seconds + rounded


def test_telemetry_run_live_on_the_served_demo_shows_the_recordings_rates(tmp_path, capsys):
    db = tmp_path / "live.sqlite"
    with served_demo(tmp_path) as inventory:
        code = telemetry_run(inventory, db, tmp_path / "run.log", POLLS, every="4s")
    log = (tmp_path / "run.log").read_text(errors="replace")
    assert code == 143, log[-3000:]            # it ran until stopped, as systemd stops it (SIGTERM)
    assert "Traceback" not in log, log[-3000:]
    assert log.splitlines()[-1] == "ecpartner: interrupted by SIGTERM"
    assert {line for line in log.splitlines() if line.startswith("ecpartner: device")} == KNOWN_PROBLEMS

    with Store(db) as store:
        samples = store.load()
    with sqlite3.connect(db) as connection:
        starts = sorted(started for (started,) in connection.execute("SELECT started_ms FROM polls"))
    frame = samples.frame
    # A sample is stamped in the middle of the GET that read it, and that GET began after its poll began:
    # the agent counted it at most (stamp - poll start) away from its stamp.
    slack = {row: (t - max(s for s in starts if s <= t)) / 1000 for row, t in frame["time_ms"].items()}
    assert len(starts) >= POLLS and frame.groupby("sid").size().min() >= POLLS

    rates = interval_rates(samples)
    assert set(rates["status"]) == {"ok"}, rates["status"].value_counts()
    growing = 0
    for r in rates.itertuples():
        device, interface = samples.series[r.sid]
        truth = served_rates(device, interface)
        margin = (slack[r.start_row] + slack[r.end_row]) / r.dt_s
        for column, unit in UNITS.items():
            assert within(getattr(r, column), truth[column], margin, r.dt_s, unit), (
                device, interface, column, getattr(r, column), truth[column], f"margin {margin:.1%}")
        growing += truth["in_bps"] > 0

    # the report shows them: each connection's mean over the run, against the run's first and last sample
    assert main(["telemetry", "report", str(DEMO / "inventory.yaml"), "--db", str(db), "--since", "1h",
                 "--format", "json"]) == 1              # the demo's error findings
    report = json.loads(capsys.readouterr().out)
    shown = 0
    for row in report["connections"]:
        group = frame[[samples.series[sid] == (row["device"], row["interface"]) for sid in frame["sid"]]]
        if group.empty:
            assert row["hosted_connection"] in {"pc-hc04", "pc-hc10"}     # the two known problems
            continue
        first, last = group["time_ms"].idxmin(), group["time_ms"].idxmax()
        seconds = (group["time_ms"][last] - group["time_ms"][first]) / 1000
        margin = (slack[first] + slack[last]) / seconds
        truth = served_rates(row["device"], row["interface"])
        for column, unit in UNITS.items():   # the report rounds to a tenth
            assert within(row[f"mean_{column}"], truth[column], margin, seconds, unit, 0.05), (row, column)
        shown += 1
    assert growing > 0 and shown == len(samples.series)
    disabled = {f["subject"]["hosted_connection"]: f["status"] for f in report["findings"]
                if f["rule"] == "telemetry-disabled-traffic"}
    assert disabled["pc-hc03"] == "fail" and disabled["pc-bj-hc04"] == "pass"   # traffic on a disabled one
