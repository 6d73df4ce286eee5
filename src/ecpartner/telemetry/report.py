"""`telemetry report`: per hosted connection the mean, 95th percentile and peak in/out bps and pps,
utilization against the purchased bandwidth, drop ratio, and the telemetry findings; as HTML (inline SVG
plots in a grid: one per circuit, its connections summed against its capacity, then one per connection),
Markdown, CSV, JSON or Prometheus text exposition.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ecpartner.display import csv_cell, html_text, markdown_text
from ecpartner.findings import Finding, summarize
from ecpartner.inventory import Inventory
from ecpartner.timefmt import iso_utc
from ecpartner.telemetry import rates as R
from ecpartner.telemetry.plot import circuit_inputs, plot_inputs, svg, usable_intervals
from ecpartner.telemetry.timeutil import iso_from_ms
from ecpartner.telemetry.window import TelemetryWindow

FORMATS = ("html", "markdown", "csv", "json", "prometheus")
CSV_FIELDS = ("hosted_connection", "circuit", "tenant", "status", "device", "interface", "bandwidth_bps",
              "samples", "intervals", "dropped_intervals",
              "mean_in_bps", "p95_in_bps", "peak_in_bps", "mean_out_bps", "p95_out_bps", "peak_out_bps",
              "mean_in_pps", "p95_in_pps", "peak_in_pps", "mean_out_pps", "p95_out_pps", "peak_out_pps",
              "utilization_in", "utilization_out", "drop_ratio", "findings")


def connection_rows(window: TelemetryWindow, findings: list[Finding]) -> list[dict[str, Any]]:
    problems: dict[str, list[str]] = {}
    for f in findings:
        if f.is_problem:
            problems.setdefault(f.subject["hosted_connection"], []).append(f"{f.rule}: {f.message}")
    rows = []
    for ct in window.connections:
        s, hc = ct.stats, ct.connection
        row: dict[str, Any] = {
            "hosted_connection": hc.key, "circuit": hc.circuit, "tenant": hc.tenant, "status": hc.status,
            "device": ct.device, "interface": ct.interface, "bandwidth_bps": hc.bandwidth,
            "samples": s.samples, "intervals": s.intervals, "dropped_intervals": dict(sorted(s.dropped.items())),
        }
        for column in R.RATE_COLUMNS:
            for kind, values in (("mean", s.mean), ("p95", s.p95), ("peak", s.peak)):
                row[f"{kind}_{column}"] = _round(values.get(column))
        row["utilization_in"] = _round(ct.utilization("in_bps"), 4)
        row["utilization_out"] = _round(ct.utilization("out_bps"), 4)
        row["drop_ratio"] = _round(s.drop_ratio, 6)
        row["findings"] = problems.get(hc.key, [])
        rows.append(row)
    return rows


def _round(value, digits: int = 1):
    return None if value is None else round(float(value), digits)


def render(fmt: str, inventory: Inventory, window: TelemetryWindow, findings: list[Finding],
           zone: ZoneInfo | None = None) -> str:
    """The report; `zone` is the time zone of the HTML plots' time axes (default UTC)."""
    rows = connection_rows(window, findings)
    if fmt == "json":
        return render_json(inventory, window, rows, findings)
    if fmt == "csv":
        return render_csv(rows)
    if fmt == "markdown":
        return render_markdown(inventory, window, rows, findings)
    if fmt == "prometheus":
        return render_prometheus(window, findings)
    if fmt == "html":
        return render_html(inventory, window, rows, findings, zone or ZoneInfo("UTC"))
    raise ValueError(f"unknown report format {fmt!r}")


def _window_info(window: TelemetryWindow) -> dict[str, Any]:
    return {"source": window.source, "kind": window.kind, "choice": window.choice, "since_seconds": window.since_s,
            "start": iso_from_ms(window.start_ms), "end": iso_from_ms(window.end_ms)}


def _from(window: TelemetryWindow) -> str:
    """'store telemetry.sqlite (chosen over the series ...)': what the numbers stand on."""
    return window.described() + (f" ({window.choice})" if window.choice else "")


def render_json(inventory, window, rows, findings) -> str:
    doc = {"inventory": str(inventory.path), "generated_at": _now(), "window": _window_info(window),
           "summary": summarize(findings).to_dict(), "connections": rows,
           "findings": [f.to_dict() for f in findings]}
    return json.dumps(doc, indent=2) + "\n"


def render_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = dict(row)
        flat["dropped_intervals"] = ";".join(f"{k}={v}" for k, v in row["dropped_intervals"].items())
        flat["findings"] = " | ".join(row["findings"])
        writer.writerow({k: "" if flat[k] is None else csv_cell(flat[k]) for k in CSV_FIELDS})
    return out.getvalue()


def _rate(value, unit: str = "bps") -> str:
    if value is None:
        return "-"
    if unit == "pps":
        return f"{value:,.0f}"
    for scale, suffix in ((10**9, "G"), (10**6, "M"), (10**3, "k")):
        if value >= scale:
            return f"{value / scale:.2f} {suffix}"
    return f"{value:.0f}"


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1%}"


def _table_rows(rows) -> list[list[str]]:
    out = []
    for r in rows:
        out.append([r["hosted_connection"], r["device"], r["interface"], _rate(r["bandwidth_bps"]),
                    f"{_rate(r['mean_in_bps'])} / {_rate(r['p95_in_bps'])} / {_rate(r['peak_in_bps'])}",
                    f"{_rate(r['mean_out_bps'])} / {_rate(r['p95_out_bps'])} / {_rate(r['peak_out_bps'])}",
                    f"{_rate(r['p95_in_pps'], 'pps')} / {_rate(r['p95_out_pps'], 'pps')}",
                    f"{_pct(r['utilization_in'])} / {_pct(r['utilization_out'])}",
                    "-" if r["drop_ratio"] is None else f"{r['drop_ratio']:.4%}",
                    str(r["samples"]),
                    ", ".join(f"{n} {R.SHOWN.get(why, why)}" for why, n in r["dropped_intervals"].items()) or "-"])
    return out


HEADERS = ["hosted connection", "device", "interface", "bandwidth", "in bps mean / p95 / peak",
           "out bps mean / p95 / peak", "p95 pps in / out", "utilization in / out", "drop ratio", "samples",
           "intervals left out"]


def render_markdown(inventory, window, rows, findings) -> str:
    info = _window_info(window)
    summary = summarize(findings)
    md = markdown_text
    lines = [f"# Telemetry report: {md(inventory.partner.name)}", "",
             f"Window {info['start']} to {info['end']} (the {window.since_s / 3600:g} h before the newest sample), "
             f"from the {md(_from(window))}.", "",
             f"Findings: {summary.passed} pass, {summary.failed} fail, {summary.errors} error, "
             f"{summary.warnings} warnings.", "",
             "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for cells in _table_rows(rows):
        lines.append("| " + " | ".join(md(c) for c in cells) + " |")
    problems = [f for f in findings if f.is_problem]
    lines += ["", "## Findings", ""]
    if not problems:
        lines.append("Every telemetry rule passed.")
    for f in problems:
        lines.append(f"- **{md(f.rule)}** {md(f.status)}/{md(f.severity)} {md(f.subject['hosted_connection'])} "
                     f"({md(f.subject['device'])} {md(f.subject['interface'])}): {md(f.message)}")
    return "\n".join(lines) + "\n"


def render_prometheus(window: TelemetryWindow, findings: list[Finding]) -> str:
    """The exporter's metrics of this window, for node_exporter's textfile collector (no timestamps: it
    rejects them)."""
    from ecpartner.telemetry.metrics import Snapshot, exposition   # prometheus_client: only for this format

    return exposition(Snapshot(window, findings))


# ---------------------------------------------------------------------------- HTML

_CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}th{background:#f0f0f0}.problem{color:#b00020}
.warning{color:#a05a00}svg{max-width:100%;height:auto}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:1.5em 2em;margin:1em 0 2em}
.plots h3{font-size:14px;margin:0 0 .3em}.plots ul{margin:.2em 0;padding-left:1.2em;font-size:13px}"""


def render_html(inventory, window, rows, findings, zone: ZoneInfo) -> str:
    info = _window_info(window)
    summary = summarize(findings)
    e = html_text
    parts = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
             f"<title>Telemetry report: {e(inventory.partner.name)}</title><style>{_CSS}</style></head><body>",
             f"<h1>Telemetry report: {e(inventory.partner.name)}</h1>",
             f"<p>Window {e(info['start'])} to {e(info['end'])} (the {window.since_s / 3600:g} h before the newest "
             f"sample), from the {e(_from(window))}. Plot times in {e(zone.key)}. Generated {e(_now())}.</p>",
             f"<p>Findings: {summary.passed} pass, {summary.failed} fail, {summary.errors} error, "
             f"{summary.warnings} warnings.</p>",
             "<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in HEADERS) + "</tr>"]
    for cells in _table_rows(rows):
        parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
    parts.append("</table>")
    usable = usable_intervals(window)
    circuits = circuit_inputs(window, usable=usable)
    if circuits:
        parts.append("<h2>Circuits: their connections summed</h2><div class=\"plots\">")
        for circuit, data in circuits:
            parts.append(f"<section><h3>circuit {e(circuit.id)} &mdash; {e(circuit.device)} {e(circuit.interface)}"
                         f"</h3>{svg(data, zone)}</section>")
        parts.append("</div>")
    by_key = {f.subject["hosted_connection"]: [] for f in findings}
    for f in findings:
        by_key[f.subject["hosted_connection"]].append(f)
    parts.append("<h2>Hosted connections</h2><div class=\"plots\">")
    for ct, data in zip(window.connections, plot_inputs(window, usable=usable)):
        key = ct.connection.key
        parts.append(f"<section><h3>{e(key)} &mdash; {e(ct.device)} {e(ct.interface)}, "
                     f"{e(ct.connection.bandwidth_text)}, {e(ct.connection.status)}</h3>")
        items = [f for f in by_key.get(key, []) if f.is_problem]
        if items:
            parts.append("<ul>" + "".join(
                f"<li class=\"{'warning' if f.severity == 'warning' else 'problem'}\">{e(f.rule)}: {e(f.message)}</li>"
                for f in items) + "</ul>")
        parts.append("<p>No usable interval to plot.</p>" if data is None else svg(data, zone))
        parts.append("</section>")
    parts.append("</div></body></html>")
    return "\n".join(parts) + "\n"


def _now() -> str:
    return iso_utc(datetime.now(timezone.utc))
