"""The Prometheus metrics: `telemetry poll --textfile` (atomic, no timestamps, for node_exporter) and
`telemetry run --listen` (HTTP, raw counters stamped with the time the device was read), on the demo fleet."""

from __future__ import annotations

import socket
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from helpers.rig import free_port

from ecpartner.cli import main
from ecpartner.telemetry.metrics import METRICS, PREFIX
from ecpartner.telemetry.store import Store


def _families(text: str) -> dict:
    return {f.name: f for f in text_string_to_metric_families(text)}


def _one(family, **labels):
    found = [s for s in family.samples if all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(found) == 1, (family.name, labels, found)
    return found[0]


def test_poll_textfile_writes_every_metric_of_the_store(demo_copy, capsys):
    textfile = demo_copy.parent / "prom" / "ecpartner.prom"
    textfile.parent.mkdir()
    for _ in range(3):
        assert main(["telemetry", "poll", str(demo_copy), "--textfile", str(textfile)]) == 0
    assert [p.name for p in textfile.parent.iterdir()] == ["ecpartner.prom"]     # renamed into place, nothing left
    families = _families(textfile.read_text())
    declared = {PREFIX + name.removesuffix("_total") for name in METRICS}
    assert set(families) == declared
    assert all(s.timestamp is None for f in families.values() for s in f.samples)   # textfile collectors reject them
    # raw counters are counters (`_total`) holding exactly the newest stored value
    with Store(demo_copy.parent / "telemetry.sqlite") as store:
        samples = store.load()
    frame = samples.frame
    sid = samples.sids_by_key()[("hz-acc-01", "GigabitEthernet0/0/1.100")]
    newest = frame[frame["sid"] == sid].sort_values("time_ms").iloc[-1]
    octets = _one(families["ecpartner_interface_in_octets"], hosted_connection="pc-hc01")
    assert families["ecpartner_interface_in_octets"].type == "counter" and octets.name.endswith("_total")
    assert octets.value == float(newest["in_octets"])
    assert octets.labels == {"hosted_connection": "pc-hc01", "circuit": "pc-hz01", "region": "cn-hangzhou",
                             "tenant": "1987654321098765", "device": "hz-acc-01",
                             "interface": "GigabitEthernet0/0/1.100"}
    # the current rate is the newest interval's: bytes moved over the 300 s between the last two samples
    previous = frame[frame["sid"] == sid].sort_values("time_ms").iloc[-2]
    rate = _one(families["ecpartner_hosted_connection_in_bits_per_second"], hosted_connection="pc-hc01")
    assert rate.value == pytest.approx((int(newest["in_octets"]) - int(previous["in_octets"])) * 8 / 300)
    assert _one(families["ecpartner_hosted_connection_bandwidth_bits_per_second"],
                hosted_connection="pc-hc02").value == 500e6
    assert _one(families["ecpartner_circuit_capacity_bits_per_second"], circuit="pc-hz01").value > 0
    assert {s.labels["device"]: s.value for s in families["ecpartner_device_up"].samples} == {
        d: 1.0 for d in ("bj-h3c-01", "hz-acc-01", "hz-acc-02", "qd-xr-01", "sh-acc-01", "sz-eos-01", "zjk-mx-01")}
    assert _one(families["ecpartner_poll_samples_stored"]).value == 27
    # every finding is a sample; the disabled pc-hc03 passing traffic is an error to alert on
    finding = _one(families["ecpartner_finding"], rule="telemetry-disabled-traffic", hosted_connection="pc-hc03")
    assert (finding.labels["status"], finding.labels["severity"], finding.value) == ("fail", "error", 1.0)
    assert _one(families["ecpartner_finding"], rule="carrier-eligible", circuit="pc-sh02").labels["status"] == "fail"
    rules = {s.labels["rule"] for s in families["ecpartner_finding"].samples}
    assert {"telemetry-utilization", "vlan-unique", "circuit-capacity"} <= rules
    assert "config-drift" not in rules          # configuration rules are `check`'s: a poll reads no configuration


def test_listen_must_be_host_and_port(demo_copy, capsys):
    for bad in ("9717", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:70000"):
        assert main(["telemetry", "run", str(demo_copy), "--every", "5m", "--listen", bad]) == 2
        assert f"--listen: {bad!r} is not HOST:PORT (e.g. 127.0.0.1:9717)" in capsys.readouterr().err


@pytest.mark.live    # serves HTTP on 127.0.0.1
def test_listen_on_a_port_in_use_is_bad_input(demo_copy, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["telemetry", "run", str(demo_copy), "--every", "5m", "--listen", f"127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert f"--listen 127.0.0.1:{port}: cannot serve metrics there: " in err and "Traceback" not in err


@pytest.mark.live    # serves HTTP on 127.0.0.1
def test_run_listen_serves_counters_stamped_with_their_sample_time(demo_copy, monkeypatch, capsys):
    def three_polls(poll, *args, **kwargs):   # the schedule, minus the waiting
        for _ in range(3):
            poll()

    monkeypatch.setattr("ecpartner.commands.telemetry.run_schedule", three_polls)
    port = free_port()
    assert main(["telemetry", "run", str(demo_copy), "--every", "5m", "--listen", f"127.0.0.1:{port}"]) == 0
    assert f"telemetry metrics served on http://127.0.0.1:{port}/metrics" in capsys.readouterr().err
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        families = _families(answer.read().decode())
    octets = _one(families["ecpartner_interface_in_octets"], hosted_connection="pc-hc01")
    # the third replayed sample time of the demo series: 2026-11-25T08:10:00+08:00
    assert octets.timestamp == 1795565400.0
    assert _one(families["ecpartner_hosted_connection_in_bits_per_second"], hosted_connection="pc-hc01").timestamp is None
