"""Prometheus metrics of the telemetry (issue 13): what `telemetry run --listen` serves, `telemetry poll
--textfile` writes and `telemetry report --format prometheus` prints, through `prometheus_client`.

One `Snapshot` (the store's window after a poll, the findings on it, what the poll saw) is turned into
metric families on every scrape; nothing is computed while Prometheus waits. Raw counters are counters
(`..._total`, so `rate()` works) carrying the time the device was read, when served over HTTP: a scrape
between two polls repeats the sample Prometheus already holds instead of restamping it, so `rate()` sees
the device's intervals, not the scrape grid. node_exporter's textfile collector rejects timestamps: the
textfile and the report leave them out.

Every metric name is in METRICS (the Grafana dashboard's test reads it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from ecpartner.display import safe
from ecpartner.findings import Finding
from ecpartner.telemetry.series import COUNTERS
from ecpartner.telemetry.window import ConnectionTelemetry, TelemetryWindow

PREFIX = "ecpartner_"
CONNECTION_LABELS = ("hosted_connection", "circuit", "region", "tenant", "device", "interface")
FINDING_LABELS = ("rule", "severity", "status", "circuit", "hosted_connection", "device", "interface", "region",
                  "tenant")
_RATES = (("in_bps", "in_bits_per_second", "Inbound rate over the newest usable interval."),
          ("out_bps", "out_bits_per_second", "Outbound rate over the newest usable interval."),
          ("in_pps", "in_packets_per_second", "Inbound packet rate over the newest usable interval."),
          ("out_pps", "out_packets_per_second", "Outbound packet rate over the newest usable interval."))
# name -> (type, help); the counters are exposed with `_total` appended
METRICS: dict[str, tuple[str, str]] = {
    **{f"interface_{c}_total": ("counter", f"Raw {c.replace('_', ' ')} counter of the interface, as the device "
                                           "counts it (IF-MIB; wraps and resets show as counter resets).")
       for c in COUNTERS},
    **{f"hosted_connection_{name}": ("gauge", text) for _, name, text in _RATES},
    "hosted_connection_p95_in_bits_per_second": ("gauge", "95th percentile of the inbound interval rates over the window."),
    "hosted_connection_p95_out_bits_per_second": ("gauge", "95th percentile of the outbound interval rates over the window."),
    "hosted_connection_bandwidth_bits_per_second": ("gauge", "Purchased bandwidth of the hosted connection."),
    "hosted_connection_p95_utilization_ratio": ("gauge", "95th percentile of the busier direction over the window, "
                                                         "divided by the bandwidth."),
    "hosted_connection_drop_ratio": ("gauge", "Dropped / total packets over the window."),
    "hosted_connection_last_sample_timestamp_seconds": ("gauge", "End of the newest usable interval."),
    "circuit_capacity_bits_per_second": ("gauge", "Capacity of the dedicated circuit."),
    "device_up": ("gauge", "1 when the last poll read the device, 0 when it could not."),
    "device_poll_duration_seconds": ("gauge", "How long the last poll took to read the device."),
    "poll_duration_seconds": ("gauge", "How long the last poll took, every device included."),
    "poll_samples_stored": ("gauge", "Samples the last poll stored."),
    "poll_problems": ("gauge", "Devices or interfaces the last poll could not read."),
    "last_poll_timestamp_seconds": ("gauge", "When the last poll started."),
    "finding": ("gauge", "A rule's verdict on a subject: 1 per finding with these labels (status pass, fail or "
                         "error; alert on status!=\"pass\")."),
}


@dataclass
class PollInfo:
    """What one poll saw, for the device and poll metrics."""
    started_s: float
    seconds: float
    stored: int
    problems: int
    devices: dict[str, str | None] = field(default_factory=dict)   # device -> why it could not be read, or None
    device_seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Snapshot:
    window: TelemetryWindow | None
    findings: list[Finding] = field(default_factory=list)
    poll: PollInfo | None = None


def _label(value) -> str:
    return "" if value is None else safe(str(value))   # no raw control character reaches a scraper


def _connection_labels(ct: ConnectionTelemetry) -> list[str]:
    return [_label(v) for v in (ct.connection.key, ct.circuit.id, ct.circuit.region, ct.connection.tenant,
                                ct.device, ct.interface)]


def families(snapshot: Snapshot, timestamps: bool = False) -> list:
    """Every metric family of a snapshot (an empty family is still declared)."""
    fam: dict[str, CounterMetricFamily | GaugeMetricFamily] = {}

    def family(name: str, labels) -> CounterMetricFamily | GaugeMetricFamily:
        kind, text = METRICS[name]
        if kind == "counter":
            fam[name] = CounterMetricFamily(PREFIX + name.removesuffix("_total"), text, labels=labels)
        else:
            fam[name] = GaugeMetricFamily(PREFIX + name, text, labels=labels)
        return fam[name]

    window = snapshot.window
    connections = window.connections if window is not None else []
    raw = {c: family(f"interface_{c}_total", CONNECTION_LABELS) for c in COUNTERS}
    if window is not None and len(window.samples):
        by_sid = {ct.sid: ct for ct in connections if ct.sid is not None}
        frame = window.samples.frame
        newest = frame.sort_values(["sid", "time_ms"], kind="stable").drop_duplicates("sid", keep="last")
        for row in newest.itertuples(index=False):
            ct = by_sid.get(int(row.sid))
            device, interface = window.samples.series[int(row.sid)]
            labels = (_connection_labels(ct) if ct is not None
                      else ["", "", "", "", _label(device), _label(interface)])   # a series no connection claims
            stamp = row.time_ms / 1000 if timestamps else None
            for c in COUNTERS:
                raw[c].add_metric(labels, float(getattr(row, c)), timestamp=stamp)
    with_data = [ct for ct in connections if ct.stats.latest_ms is not None]
    for column, name, _ in _RATES:
        f = family(f"hosted_connection_{name}", CONNECTION_LABELS)
        for ct in with_data:
            f.add_metric(_connection_labels(ct), ct.stats.latest[column])
    for direction in ("in", "out"):
        f = family(f"hosted_connection_p95_{direction}_bits_per_second", CONNECTION_LABELS)
        for ct in with_data:
            f.add_metric(_connection_labels(ct), ct.stats.p95[f"{direction}_bps"])
    f = family("hosted_connection_bandwidth_bits_per_second", CONNECTION_LABELS)
    for ct in connections:
        f.add_metric(_connection_labels(ct), ct.connection.bandwidth)
    f = family("hosted_connection_p95_utilization_ratio", CONNECTION_LABELS)
    for ct in with_data:
        f.add_metric(_connection_labels(ct), max(ct.utilization("in_bps"), ct.utilization("out_bps")))
    f = family("hosted_connection_drop_ratio", CONNECTION_LABELS)
    for ct in with_data:
        if ct.stats.drop_ratio is not None:
            f.add_metric(_connection_labels(ct), ct.stats.drop_ratio)
    f = family("hosted_connection_last_sample_timestamp_seconds", CONNECTION_LABELS)
    for ct in with_data:
        f.add_metric(_connection_labels(ct), ct.stats.latest_ms / 1000)
    f = family("circuit_capacity_bits_per_second", ("circuit", "region", "device", "interface"))
    for circuit in {ct.circuit.id: ct.circuit for ct in connections}.values():
        f.add_metric([_label(circuit.id), _label(circuit.region), _label(circuit.device), _label(circuit.interface)],
                     circuit.capacity)

    poll = snapshot.poll
    up = family("device_up", ("device",))
    took = family("device_poll_duration_seconds", ("device",))
    for name in ("poll_duration_seconds", "poll_samples_stored", "poll_problems", "last_poll_timestamp_seconds"):
        family(name, ())
    if poll is not None:
        for device, why in sorted(poll.devices.items()):
            up.add_metric([_label(device)], 0 if why else 1)
        for device, seconds in sorted(poll.device_seconds.items()):
            took.add_metric([_label(device)], seconds)
        for name, value in (("poll_duration_seconds", poll.seconds), ("poll_samples_stored", poll.stored),
                            ("poll_problems", poll.problems), ("last_poll_timestamp_seconds", poll.started_s)):
            fam[name].add_metric([], value)

    counts: dict[tuple[str, ...], int] = {}
    for finding in snapshot.findings:
        s = finding.subject
        key = tuple(_label(v) for v in (finding.rule, finding.severity, finding.status, s.get("circuit"),
                                        s.get("hosted_connection"), s.get("device"), s.get("interface"),
                                        s.get("region"), s.get("tenant")))
        counts[key] = counts.get(key, 0) + 1   # two findings with one subject (rare) count, never collide
    f = family("finding", FINDING_LABELS)
    for key, n in counts.items():
        f.add_metric(list(key), n)
    return list(fam.values())


class _Collector:
    def __init__(self, exporter: Exporter):
        self.exporter = exporter

    def collect(self):
        with self.exporter.lock:
            snapshot = self.exporter.snapshot
        return families(snapshot, self.exporter.timestamps)


class Exporter:
    """A registry serving the newest snapshot; `publish` swaps it in whole (a scrape sees one poll, never
    half of two)."""

    def __init__(self, timestamps: bool = True):
        self.lock = threading.Lock()
        self.snapshot = Snapshot(None)
        self.timestamps = timestamps
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_Collector(self))

    def publish(self, snapshot: Snapshot) -> None:
        with self.lock:
            self.snapshot = snapshot


def exposition(snapshot: Snapshot, timestamps: bool = False) -> str:
    """The text exposition format of one snapshot (no timestamps by default: for textfile collectors)."""
    exporter = Exporter(timestamps)
    exporter.publish(snapshot)
    return generate_latest(exporter.registry).decode("utf-8")
