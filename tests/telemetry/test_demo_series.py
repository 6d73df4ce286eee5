"""The bundled demo series (fixtures/demo/telemetry/): findings, rates against the generator's truth,
and the report in every format."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecpartner.cli import main
from ecpartner.findings import ERROR, FAIL, PASS, SEV_ERROR, SEV_WARNING
from ecpartner.inventory_loader import load_inventory
from ecpartner.telemetry import rates as R
from ecpartner.check import telemetry_findings
from ecpartner.telemetry.window import load_window, recorded_states

HERE = Path(__file__).parent
DEMO = HERE.parents[1] / "fixtures" / "demo"
_spec = importlib.util.spec_from_file_location("make_demo_series", HERE / "make_demo_series.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)


@pytest.fixture(scope="module")
def demo():
    inventory = load_inventory(DEMO / "inventory.yaml")
    window = load_window(inventory, None, "24h", states=recorded_states(inventory))
    return inventory, window


def test_committed_series_are_what_the_generator_writes():
    for name, text in gen.render_by_device().items():
        assert (DEMO / "telemetry" / name).read_text(encoding="utf-8") == text, f"re-run {gen.__file__}"
    assert sum(p.stat().st_size for p in (DEMO / "telemetry").glob("*.csv")) < 2_000_000


def test_findings_tell_each_story(demo):
    inventory, window = demo
    findings = telemetry_findings(inventory, window)
    enabled = [hc.key for hc in inventory.hosted_connections if hc.status == "enabled"]
    for rule in ("telemetry-utilization", "telemetry-drops", "telemetry-counters-advance"):
        assert sorted(f.subject["hosted_connection"] for f in findings if f.rule == rule) == sorted(enabled)
    problems = {(f.rule, f.subject["hosted_connection"], f.status, f.severity) for f in findings if f.is_problem}
    assert problems == {
        ("telemetry-utilization", "pc-hc02", FAIL, SEV_ERROR),        # out ~620M on a 500M connection
        ("telemetry-utilization", "pc-hc09", FAIL, SEV_WARNING),      # p95 ~94% of 200M
        ("telemetry-drops", "pc-hc01", FAIL, SEV_WARNING),            # 0.5% of inbound policed
        ("telemetry-counters-advance", "pc-hc15", FAIL, SEV_WARNING),  # never moves
        ("telemetry-utilization", "pc-szhc02", FAIL, SEV_ERROR),      # Arista: no inbound policy, above 500M
        ("telemetry-utilization", "pc-zjkhc02", FAIL, SEV_WARNING),   # Junos: p95 96% of 1G
        ("telemetry-disabled-traffic", "pc-hc03", FAIL, SEV_ERROR),   # disabled, not shut, 8M in
        ("telemetry-disabled-traffic", "pc-bj-hc04", ERROR, SEV_WARNING),   # no samples recorded: no verdict
        ("telemetry-disabled-traffic", "pc-szhc04", ERROR, SEV_WARNING),
        ("telemetry-disabled-traffic", "pc-qdhc04", ERROR, SEV_WARNING),
    }
    disabled = [hc.key for hc in inventory.hosted_connections if hc.status == "disabled"]
    assert sorted(f.subject["hosted_connection"] for f in findings if f.rule == "telemetry-disabled-traffic") == \
        sorted(disabled)
    zjk = next(f for f in findings if f.rule == "telemetry-disabled-traffic" and f.subject["hosted_connection"] == "pc-zjkhc03")
    assert (zjk.status, zjk.actual) == (PASS, 0) and "288 intervals" in zjk.message   # disabled and silent: a pass
    hc04 = [f for f in findings if f.subject["hosted_connection"] == "pc-hc04"]
    assert [f.status for f in hc04] == [PASS, PASS, PASS]
    hc02 = next(f for f in findings if f.rule == "telemetry-utilization" and f.subject["hosted_connection"] == "pc-hc02")
    assert hc02.subject == {"circuit": "pc-hz01", "hosted_connection": "pc-hc02", "device": "hz-acc-01",
                            "interface": "GigabitEthernet0/0/1.101", "region": "cn-hangzhou",
                            "tenant": "1100000000000002"}
    assert hc02.requirement == "Traffic monitoring" and hc02.actual["utilization"] > 1.3
    # XGigabitEthernet0/0/1.1000 carries VLAN 100: found through the parsed configuration, not the name.
    hc04 = next(ct for ct in window.connections if ct.connection.key == "pc-hc04")
    assert hc04.interface == "XGigabitEthernet0/0/1.1000" and hc04.stats.intervals == 288


def test_rates_equal_the_generated_truth_through_wrap_reboot_and_clear(demo):
    _inventory, window = demo
    truth = gen.truth()
    first_in_window = gen.SAMPLES - 289            # the 24 h window holds the last 289 samples
    for (device, interface), rates in truth.items():
        sid = window.samples.sids_by_key()[(device, interface)]
        got = window.rates_of(sid).reset_index(drop=True)
        k = first_in_window + np.arange(len(got))   # interval k ends at sample k + 1
        ok = got["status"] == R.OK
        for column in ("in_bps", "out_bps"):
            np.testing.assert_allclose(got.loc[ok, column].to_numpy(), rates[column][k[ok]], rtol=1e-9, atol=1e-6)
        dropped = {k: v for k, v in got.loc[~ok, "status"].value_counts().items() if v}
        if device == "hz-acc-02":
            assert dropped == {R.REBOOT: 1} and k[~ok][0] == gen.REBOOT_AT - 1
        elif interface == "GigabitEthernet0/0/1.10":
            assert dropped == {R.CLEARED: 1} and k[~ok][0] == gen.CLEAR_AT - 1
        else:
            assert dropped == {}


def test_the_32_bit_series_really_wraps_and_is_counted_through(demo):
    _inventory, window = demo
    frame = window.samples.frame
    sid = window.samples.sids_by_key()[("hz-acc-02", "TenGigabitEthernet0/1/0.302")]
    octets = frame.loc[frame["sid"] == sid, "in_octets"].to_numpy()
    assert (frame.loc[frame["sid"] == sid, "counter_bits"] == 32).all()
    assert (octets[1:] < octets[:-1]).sum() > 20     # wrapped many times... (uint64: compare, never subtract)
    hc10 = next(ct for ct in window.connections if ct.connection.key == "pc-hc10")
    assert hc10.stats.intervals == 287               # ...and only the reboot interval is lost
    assert 39e6 < hc10.stats.mean["in_bps"] < 41e6


def test_report_json_and_exit_code(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["telemetry", "report", str(DEMO / "inventory.yaml"), "--format", "json", "--output", str(out)]) == 1
    doc = json.loads(out.read_text())
    assert doc["window"]["end"] == "2026-11-26T01:00:00Z" and doc["window"]["start"] == "2026-11-25T01:00:00Z"
    rows = {r["hosted_connection"]: r for r in doc["connections"]}
    assert rows["pc-hc02"]["utilization_out"] > 1.3 and rows["pc-hc02"]["findings"]
    assert rows["pc-hc08"]["dropped_intervals"] == {"reboot": 1}
    assert rows["pc-hc01"]["drop_ratio"] == pytest.approx(0.0028, abs=2e-4)
    assert doc["summary"]["exit_code"] == 1 and doc["summary"]["fail"] == 7   # pc-hc03's traffic while disabled too


def test_report_html_is_self_contained_with_one_plot_per_connection(tmp_path):
    out = tmp_path / "r.html"
    main(["telemetry", "report", str(DEMO / "inventory.yaml"), "--format", "html", "--output", str(out)])
    text = out.read_text()
    images = re.findall(r'<svg [^>]*><rect [^>]*/><title>in/out bps of ([^ <]+)  [^<]*</title>(.*?)</svg>', text, re.S)
    # every enabled or disabled connection; pending pc-hc05 and pc-hc07 carry no traffic yet, deleted pc-hc11 none
    # (a disabled one only where the series sampled it: pc-hc03 and pc-zjkhc03 do, pc-bj-hc04 is not in them)
    connections = load_inventory(DEMO / "inventory.yaml").hosted_connections
    enabled = {hc.key for hc in connections if hc.status == "enabled"}
    disabled = {hc.key for hc in connections if hc.status == "disabled"}
    plotted = {key for key, _ in images}
    assert enabled <= plotted <= enabled | disabled and {"pc-hc03", "pc-zjkhc03"} <= plotted
    assert "pc-bj-hc04" not in plotted
    # in and out drawn in each, but where nothing moved: pc-hc15's counters never do, disabled pc-zjkhc03 carries none
    idle = {key for key, body in images if ">no traffic</text>" in body}
    assert idle == {"pc-hc15", "pc-zjkhc03"}
    assert all(body.count("<polyline ") == (0 if key in idle else 2) for key, body in images)
    assert "http://" not in text and "https://" not in text and "<script" not in text
    assert "pc-hc05" not in text and "pc-hc07" not in text


def test_report_prometheus_exposition(capsys):
    """The report's prometheus format is the exporter's exposition of the window (no timestamps: a textfile
    collector rejects them), and every family parses."""
    from prometheus_client.parser import text_string_to_metric_families

    assert main(["telemetry", "report", str(DEMO / "inventory.yaml"), "--format", "prometheus"]) == 1
    text = capsys.readouterr().out
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert all(s.timestamp is None for f in families.values() for s in f.samples)
    out = [s for s in families["ecpartner_hosted_connection_out_bits_per_second"].samples
           if s.labels["hosted_connection"] == "pc-hc02"]
    assert len(out) == 1 and 5e8 < out[0].value < 7.5e8
    assert out[0].labels == {"hosted_connection": "pc-hc02", "circuit": "pc-hz01", "region": "cn-hangzhou",
                             "tenant": "1100000000000002", "device": "hz-acc-01",
                             "interface": "GigabitEthernet0/0/1.101"}
    assert families["ecpartner_interface_in_octets"].type == "counter"
    failing = {(s.labels["rule"], s.labels["hosted_connection"]) for s in families["ecpartner_finding"].samples
               if s.labels["status"] == "fail" and s.labels["severity"] == "error"}
    assert failing == {("telemetry-utilization", "pc-hc02"), ("telemetry-utilization", "pc-szhc02"),
                       ("telemetry-disabled-traffic", "pc-hc03")}


def test_report_csv_and_markdown(capsys):
    main(["telemetry", "report", str(DEMO / "inventory.yaml"), "--format", "csv"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("hosted_connection,circuit,tenant,status,device,interface,bandwidth_bps")
    counted = [hc for hc in load_inventory(DEMO / "inventory.yaml").hosted_connections
               if hc.status in ("enabled", "disabled")]
    assert len(lines) == 1 + len(counted)            # every enabled or disabled connection
    main(["telemetry", "report", str(DEMO / "inventory.yaml"), "--format", "markdown", "--since", "2h"])
    text = capsys.readouterr().out
    assert "Window 2026-11-25T23:00:00Z to 2026-11-26T01:00:00Z" in text
    assert "| pc-hc08 | hz-acc-02 | TenGigabitEthernet0/1/0.300 |" in text


def test_no_telemetry_is_a_precise_input_error(tmp_path, capsys):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text((DEMO / "inventory.yaml").read_text())
    assert main(["telemetry", "report", str(inventory)]) == 2
    assert "no telemetry samples: nothing to report yet" in capsys.readouterr().err
    assert main(["telemetry", "report", str(inventory), "--since", "soon"]) == 2
    assert "--since: 'soon' is not a duration" in capsys.readouterr().err


def test_rules_without_telemetry_say_nothing_and_missing_series_are_errors(demo):
    from ecpartner.rules import Context, evaluate
    from ecpartner.telemetry.window import build_window

    inventory, window = demo
    only = ["telemetry-utilization", "telemetry-drops", "telemetry-counters-advance"]
    assert evaluate(Context(inventory=inventory, telemetry=None), only=only) == []
    # Without pc-hc14's interface in the series, its three findings say why they could not evaluate.
    samples = window.samples
    gone = samples.sids_by_key()[("sh-acc-01", "GigabitEthernet0/0/2")]
    samples = type(samples)(samples.frame[samples.frame["sid"] != gone], samples.series, samples.source)
    partial = build_window(inventory, samples, window.since_s, window.start_ms, window.end_ms,
                           recorded_states(inventory))
    findings = [f for f in evaluate(Context(inventory=inventory, telemetry=partial), only=only)
                if f.subject["hosted_connection"] == "pc-hc14"]
    assert [(f.rule, f.status) for f in findings] == [(rule, ERROR) for rule in only]
    assert findings[0].message.startswith("no samples for sh-acc-01 GigabitEthernet0/0/2 in the telemetry window [")
    assert findings[0].severity == SEV_ERROR and findings[1].severity == SEV_WARNING


def test_the_window_counts_its_sample_times_once_for_every_finding(monkeypatch):
    """Each telemetry finding asks how many sample times the window holds: counted once, not per connection
    (per connection it made a 1,000-connection report spend 70 s in pandas.unique)."""
    inventory = load_inventory(DEMO / "inventory.yaml")
    window = load_window(inventory, None, "24h", states=recorded_states(inventory))
    calls = []
    original = pd.Series.nunique
    monkeypatch.setattr(pd.Series, "nunique", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    findings = telemetry_findings(inventory, window)
    assert len(findings) > 30 and len(calls) <= 1
