"""Telemetry verdicts say what they stand on: the source (store or series), how it was chosen when
both exist, and the number of intervals; a 95th percentile of fewer than 12 intervals is no verdict.

The demo fleet carries a day of series (288 five-minute intervals); `telemetry poll` beside it starts a
store. Before this was fixed, one poll silently switched `check` from the day of series to the store,
and two polls turned pc-hc02's p95 from 673.6 into 580.0 Mbit/s, measured on one interval.
"""

from __future__ import annotations

import json
import re

import pytest

from ecpartner.cli import main
from ecpartner.inventory_loader import load_inventory
from ecpartner.rules.telemetry_rules import MIN_PERCENTILE_INTERVALS

from helpers.demo import DEMO_SERIES

TELEMETRY = "telemetry-utilization,telemetry-drops,telemetry-counters-advance"


def check(capsys, inventory, *extra) -> tuple[int, list[dict], str]:
    code = main(["check", str(inventory), "--only", TELEMETRY, "--format", "json", *map(str, extra)])
    out, err = capsys.readouterr()
    return code, (json.loads(out)["findings"] if out else []), err


def of(findings: list[dict], rule: str, connection: str) -> dict:
    [f] = [f for f in findings if f["rule"] == rule and f["subject"]["hosted_connection"] == connection]
    return f


def poll(capsys, inventory, times: int = 1) -> None:
    for _ in range(times):
        assert main(["telemetry", "poll", str(inventory)]) == 0
    capsys.readouterr()


def test_one_poll_beside_the_series_does_not_replace_it(demo_copy, capsys):
    series = demo_copy.parent / "telemetry"
    code, before, _ = check(capsys, demo_copy)
    hc02 = of(before, "telemetry-utilization", "pc-hc02")
    assert hc02["message"].startswith("95th percentile out 673.6 Mbit/s of 500M")
    assert hc02["message"].endswith(f"[source: series {series}/*.csv; 288 intervals]")     # the only source
    for n in (1, 2):
        poll(capsys, demo_copy)
        code, after, _ = check(capsys, demo_copy)
        hc02 = of(after, "telemetry-utilization", "pc-hc02")
        assert hc02["status"] == "fail" and "673.6 Mbit/s" in hc02["message"]
        assert (f"[source: series {series}/*.csv, by default the one with more samples in the window: {DEMO_SERIES * 289} "
                f"against {DEMO_SERIES * n} in the store {demo_copy.parent / 'telemetry.sqlite'} (--telemetry store "
                "reads that one); 288 intervals]") in hc02["message"]
        assert [(f["rule"], f["status"], f["severity"]) for f in after] == \
            [(f["rule"], f["status"], f["severity"]) for f in before]           # the same verdicts


def test_the_store_chosen_with_too_few_samples_is_not_a_verdict(demo_copy, capsys):
    store = demo_copy.parent / "telemetry.sqlite"
    poll(capsys, demo_copy)
    code, findings, _ = check(capsys, demo_copy, "--telemetry", "store")
    assert code == 0 and findings                                  # one sample time: nothing to judge by yet
    assert {(f["status"], f["severity"]) for f in findings} == {("error", "warning")}
    assert all(f["message"].startswith("not enough samples: the window holds 1 sample time") for f in findings)
    assert all(f"[source: store {store}, chosen over the series " in f["message"] for f in findings)
    poll(capsys, demo_copy)
    code, findings, _ = check(capsys, demo_copy, "--telemetry", "store")
    hc02 = of(findings, "telemetry-utilization", "pc-hc02")
    assert (hc02["status"], hc02["severity"]) == ("error", "warning")      # was a 580.0 Mbit/s "verdict"
    assert hc02["message"].startswith("not enough samples: 1 usable interval for hz-acc-01 "
                                      "GigabitEthernet0/0/1.101, at least 12 needed for a verdict")
    assert hc02["message"].endswith("; 1 interval]") and hc02["actual"] == 1
    # the drop ratio and the counters judge any interval, and say how many they had
    drops = of(findings, "telemetry-drops", "pc-hc01")
    assert drops["status"] in ("pass", "fail") and drops["message"].endswith("; 1 interval]")


def test_series_chosen_explicitly_and_a_store_named_with_db(demo_copy, capsys):
    poll(capsys, demo_copy, 2)
    _, findings, _ = check(capsys, demo_copy, "--telemetry", "series")
    hc02 = of(findings, "telemetry-utilization", "pc-hc02")
    assert "673.6 Mbit/s" in hc02["message"] and ", chosen over the store " in hc02["message"]
    _, findings, _ = check(capsys, demo_copy, "--db", demo_copy.parent / "telemetry.sqlite")   # naming it: a choice
    assert of(findings, "telemetry-utilization", "pc-hc02")["message"].startswith("not enough samples")


def test_the_store_wins_by_default_when_it_has_more_samples(demo_copy, capsys):
    """A store that has polled longer than the recorded series is the better evidence."""
    poll(capsys, demo_copy, 13)                                        # an hour: 12 intervals
    for path in (demo_copy.parent / "telemetry").glob("*.csv"):       # the series: its first half hour only
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(lines[:1] + [line for line in lines[1:] if line < "2026-11-25T08:30"]))
    _, findings, _ = check(capsys, demo_copy)
    msg = of(findings, "telemetry-utilization", "pc-hc02")["message"]
    assert msg.startswith("95th percentile out ")                     # 12 intervals: a verdict
    assert msg.endswith(f"[source: store {demo_copy.parent / 'telemetry.sqlite'}, by default the one with more "
                        f"samples in the window: {DEMO_SERIES * 13} against {DEMO_SERIES * 6} in the series {demo_copy.parent / 'telemetry'}/*.csv "
                        "(--telemetry series reads that one); 12 intervals]")


@pytest.mark.parametrize("since, verdict", [("55m", False), ("1h", True)])
def test_a_percentile_needs_twelve_intervals(demo_copy, capsys, since, verdict):
    assert MIN_PERCENTILE_INTERVALS == 12
    _, findings, _ = check(capsys, demo_copy, "--since", since)
    hc02 = of(findings, "telemetry-utilization", "pc-hc02")
    intervals = 12 if verdict else 11
    assert hc02["message"].endswith(f"; {intervals} intervals]")
    if verdict:
        assert hc02["status"] == "fail" and hc02["message"].startswith("95th percentile out ")
    else:
        assert (hc02["status"], hc02["severity"]) == ("error", "warning")
        assert hc02["message"].startswith("not enough samples: 11 usable intervals")
        assert hc02["expected"] == "at least 12 usable intervals"
        # drops and counters need no percentile: they still judge 11 intervals
        assert of(findings, "telemetry-drops", "pc-hc01")["status"] == "fail"


def test_every_telemetry_finding_names_source_and_intervals(demo_copy, capsys):
    _, findings, _ = check(capsys, demo_copy)
    enabled = [hc for hc in load_inventory(demo_copy).hosted_connections if hc.status == "enabled"]
    assert len(findings) == 3 * len(enabled)                             # three rules, every enabled connection
    assert all(re.search(r" \[source: series \S+/telemetry/\*\.csv; \d+ intervals?\]$", f["message"])
               for f in findings)


def test_a_choice_of_a_missing_source_is_bad_input(demo_copy, capsys):
    code, _, err = check(capsys, demo_copy, "--telemetry", "store")
    assert code == 2 and "--telemetry store: no telemetry store at " in err and "telemetry poll" in err
    for path in (demo_copy.parent / "telemetry").glob("*.csv"):
        path.unlink()
    code, _, err = check(capsys, demo_copy, "--telemetry", "series")
    assert code == 2 and "--telemetry series: no recorded series " in err
    assert "Traceback" not in err


def test_telemetry_report_takes_the_same_choice(demo_copy, capsys):
    poll(capsys, demo_copy, 2)
    assert main(["telemetry", "report", str(demo_copy), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["window"]["source"] == f"{demo_copy.parent / 'telemetry'}/*.csv"
    assert doc["window"]["kind"] == "series" and "more samples" in doc["window"]["choice"]
    # one interval judges no percentile, but it shows the disabled pc-hc03 passing traffic: exit 1 for that alone
    assert main(["telemetry", "report", str(demo_copy), "--format", "json", "--telemetry", "store"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["window"]["kind"] == "store"
    assert {f["status"] for f in doc["findings"] if f["rule"] == "telemetry-utilization"} == {"error"}
    assert [(f["rule"], f["subject"]["hosted_connection"]) for f in doc["findings"]
            if f["severity"] == "error" and f["status"] != "pass"] == [("telemetry-disabled-traffic", "pc-hc03")]


def test_a_stalled_sysuptime_is_named_in_the_finding(demo_copy, capsys):
    """Every sample of pc-hc01 carries one sysUpTime: the finding says sysUpTime did not advance."""
    series = demo_copy.parent / "telemetry" / "hz-acc-01.csv"
    lines = series.read_text().splitlines()
    frozen = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[2] == "GigabitEthernet0/0/1.100":
            cells[-2] = "812345600"
        frozen.append(",".join(cells))
    series.write_text("\n".join(frozen) + "\n")
    _, findings, _ = check(capsys, demo_copy)
    drops = of(findings, "telemetry-drops", "pc-hc01")
    assert drops["status"] == "error"
    assert "intervals dropped: 288 sysUpTime did not advance" in drops["message"] and "clock" not in drops["message"]
