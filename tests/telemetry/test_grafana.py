"""The Grafana dashboard (grafana/ecpartner-telemetry.json) is built over the exporter's metric names: every
query names metrics the exporter serves, with labels those metrics carry, and each has data on the demo.
(tests/telemetry/test_prometheus_live.py runs every query against a real Prometheus.)"""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families

from helpers.grafana import METRIC, queries

from ecpartner.cli import main

SELECTOR = re.compile(r"\b(ecpartner_[a-z0-9_]+)\{([^}]*)\}")
LABEL = re.compile(r"(\w+)\s*(?:=~|!~|!=|=)")
BY = re.compile(r"\bby\s*\(([^)]*)\)")


def _served(demo_copy) -> dict[str, set[str]]:
    """metric name as queried (counters with `_total`) -> its label names, as `telemetry poll --textfile`
    writes them after three polls of the demo. A replayed poll reads no device: the per-device poll
    duration is declared without samples (the live Prometheus test has it)."""
    textfile = demo_copy.parent / "ecpartner.prom"
    for _ in range(3):
        assert main(["telemetry", "poll", str(demo_copy), "--textfile", str(textfile)]) == 0
    served: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(textfile.read_text()):
        name = family.name + ("_total" if family.type == "counter" else "")
        served[name] = set()
        for sample in family.samples:
            served[name].update(sample.labels)
        if name != "ecpartner_device_poll_duration_seconds":
            assert family.samples, f"{name}: no sample on the demo"
    return served


def test_every_dashboard_query_names_served_metrics_and_their_labels(demo_copy):
    served = _served(demo_copy)
    found = queries()
    assert len(found) >= 15
    for where, expr in found:
        names = METRIC.findall(expr)
        assert names, f"{where}: {expr!r} names no ecpartner metric"
        for name in names:
            assert name in served, f"{where}: {name} is not served by the exporter (served: {sorted(served)})"
        for name, matchers in SELECTOR.findall(expr):
            for label in LABEL.findall(matchers):
                assert label in served[name] or not served[name], f"{where}: {name} has no label {label!r}"
        for grouping in BY.findall(expr):
            for label in filter(None, (x.strip() for x in grouping.split(","))):
                assert all(label in served[n] for n in names), f"{where}: by ({label}) is not a label of {names}"


def test_the_dashboard_has_what_a_noc_reads():
    exprs = " ".join(expr for _, expr in queries())
    for wanted in ("rate(ecpartner_interface_in_octets_total", "rate(ecpartner_interface_out_octets_total",
                   "ecpartner_hosted_connection_bandwidth_bits_per_second", "ecpartner_hosted_connection_p95_in",
                   "rate(ecpartner_interface_in_discards_total", "ecpartner_circuit_capacity_bits_per_second",
                   'ecpartner_finding{status!="pass"}', "ecpartner_device_up"):
        assert wanted in exprs, wanted
