"""`--format html`: one self-contained page organised the way a NOC thinks (issue 14.4).

It opens on the partner's circuits, those with problems first: per circuit a capacity bar (allocated against
capacity, by status), its VLAN map (used, reserved, free), its own problems and its connections with
theirs; then every problem in one table, pivots by device and by tenant, and the per-rule counts. Passes are counted, not listed
(listing 160,000 of them made a 61 MB page). A filter box narrows every table; a click on a column
heading sorts it.

Nothing loads from outside the page: inline CSS and one inline script, which the Content-Security-Policy
admits by its hash only, so no script that got into the page some other way could run. Every text value
goes through html.escape: device text is untrusted. Written in pieces: the page is never whole in memory.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from datetime import datetime
from typing import Any, Iterator

from ecpartner.display import html_text as escape
from ecpartner.findings import PASS, SEV_ERROR, Finding, summarize
from ecpartner.inventory import VLAN_MAX, format_bandwidth, format_vlan_ranges
from ecpartner.timefmt import iso_utc
from ecpartner.report.common import (baseline_mark, exit_meaning, group_by_rule, in_batches, jsonable,
                                     problems_first, subject_text)

DEFAULT_POOL = ((2, VLAN_MAX),)        # as plan --vlan auto: VLAN 1 only when a pool says so
STATUSES = ("enabled", "pending", "disabled")     # what holds capacity on a circuit (all but deleted)

_SCRIPT = """
(function () {
  var box = document.getElementById('filter'), timer = null, texts = null;
  var rows = Array.prototype.slice.call(document.querySelectorAll('table.rows tbody tr'));
  var circuits = Array.prototype.slice.call(document.querySelectorAll('section.circuit'));
  function apply() {
    var q = box.value.trim().toLowerCase(), n = 0;
    if (texts === null) {     // read once: 20,000 rows are too many to read at every key
      texts = new Map();
      rows.forEach(function (tr) { texts.set(tr, tr.textContent.toLowerCase()); });
    }
    rows.forEach(function (tr) {
      tr.hidden = q !== '' && texts.get(tr).indexOf(q) < 0;
      if (!tr.hidden) { n++; }
    });
    circuits.forEach(function (s) {
      var head = s.querySelector('h3').textContent.toLowerCase();
      var shown = s.querySelectorAll('tbody tr:not([hidden])').length;
      s.hidden = q !== '' && head.indexOf(q) < 0 && shown === 0;
    });
    document.getElementById('shown').textContent = q === '' ? '' : n + ' rows match';
  }
  box.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  document.querySelectorAll('table.rows th').forEach(function (th) {
    th.addEventListener('click', function () {
      var table = th.closest('table'), body = table.tBodies[0], i = th.cellIndex;
      var up = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
      function key(tr) {
        var c = tr.cells[i], v = c.getAttribute('data-v');
        return v !== null ? parseFloat(v) : c.textContent.toLowerCase();
      }
      Array.prototype.slice.call(body.rows).sort(function (a, b) {
        var x = key(a), y = key(b), r = x < y ? -1 : x > y ? 1 : 0;
        return up ? r : -r;
      }).forEach(function (tr) { body.appendChild(tr); });
    });
  });
})();
"""
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
_CSP = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_SCRIPT_HASH}'"
_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
table.rows th { cursor: pointer; background: #f4f4f4; }
th[aria-sort=ascending]::after { content: " \\25B2"; } th[aria-sort=descending]::after { content: " \\25BC"; }
td[data-v] { text-align: right; }
td.text { white-space: pre-wrap; }
tr.sev-error td { background: #fde2e2; }
tr.sev-warning td { background: #fff4d6; }
.verdict-0 { color: #1a7f37; } .verdict-1, .verdict-3 { color: #b42318; }
section { margin-top: 1.5em; }
section.circuit { border-top: 1px solid #ddd; padding-top: .5em; }
section.circuit, #devices, #tenants { content-visibility: auto; contain-intrinsic-size: auto 30em; }  /* lay out what is seen */
.bar { display: flex; width: 30em; height: 1.1em; border: 1px solid #888; background: #f7f7f7; }
.bar span { display: block; height: 100%; }
.bar .enabled { background: #2e7d32; } .bar .pending { background: #f9a825; } .bar .disabled { background: #9e9e9e; }
.bar.over { border-color: #b42318; border-width: 2px; }
.legend span { padding: 0 .4em; } .legend .enabled { color: #2e7d32; } .legend .pending { color: #f9a825; }
.legend .disabled { color: #9e9e9e; } .mark-new { font-weight: bold; color: #b42318; }
#filter { width: 30em; padding: .3em; }
"""


def render(findings: list[Finding], inventory_path: str, generated_at: datetime, **options) -> str:
    return "".join(chunks(findings, inventory_path, generated_at, **options))


def chunks(findings: list[Finding], inventory_path: str, generated_at: datetime, baseline: dict | None = None,
           inventory: Any = None) -> Iterator[str]:
    """`inventory` (the loaded Inventory) gives the circuit, device and tenant views; without it the page
    has the problems and the rule counts only."""
    return in_batches(_lines(findings, inventory_path, generated_at, baseline, inventory), 500)


def _lines(findings, inventory_path, generated_at, baseline, inventory) -> Iterator[str]:
    s = summarize(findings)
    title = f"ecpartner check: {inventory_path}"
    yield from [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>{escape(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>Generated {escape(iso_utc(generated_at))}</p>",
        f'<p class="verdict-{s.exit_code}"><strong>{s.passed} pass, {s.failed} fail, {s.errors} error, '
        f"{s.warnings} warnings: exit code {s.exit_code}, {escape(exit_meaning(s.exit_code))}</strong></p>",
    ]
    problems = problems_first(findings)
    if baseline is not None:
        new = sum(1 for f in problems if baseline_mark(baseline, f) == "new")
        yield (f"<p>Baseline {escape(baseline['path'])}: <span class=\"mark-new\">{new} new</span>, "
               f"{len(problems) - new} known, {len(baseline['resolved'])} resolved problems</p>")
        if baseline["resolved"]:
            yield (f"<details><summary>{len(baseline['resolved'])} resolved since the baseline</summary><ul>"
                   + "".join(f"<li>{escape(d.get('rule'))} {escape(subject_text(_subject_of(d)))}: "
                             f"{escape(d.get('message'))}</li>" for d in baseline["resolved"]) + "</ul></details>")
    views = inventory is not None
    nav = (["circuits"] if views else []) + ["problems"] + (["devices", "tenants"] if views else []) + ["rules"]
    yield "<p>" + " · ".join(f'<a href="#{n}">{n}</a>' for n in nav) + "</p>"
    yield ('<p><input id="filter" type="search" placeholder="filter: a device, circuit, tenant, rule, VLAN, '
           'word of a message" aria-label="filter rows"> <span id="shown"></span></p>')

    index = _Index(findings) if views else None
    if views:
        yield from _circuits(inventory, index, baseline)
    yield from _problems(problems, baseline)
    if views:
        yield from _devices(inventory, index)
        yield from _tenants(inventory, index)
    yield from _rules(findings)
    yield from [f"<script>{_SCRIPT}</script>", "</body>", "</html>"]


# ------------------------------------------------------------------ sections

def _problems(problems: list[Finding], baseline: dict | None) -> Iterator[str]:
    yield f'<section id="problems"><h2>Problems ({len(problems)})</h2>'
    if not problems:
        yield "<p>None: every rule held on every subject.</p></section>"
        return
    mark_head = "<th>Baseline</th>" if baseline is not None else ""
    yield ('<table class="rows" id="problem-table"><thead><tr><th>Severity</th><th>Status</th><th>Rule</th>'
           f"<th>Subject</th><th>Message</th><th>Expected</th><th>Actual</th>{mark_head}</tr></thead><tbody>")
    for f in problems:
        mark = _mark_cell(baseline, f) if baseline is not None else ""
        # the remediation (the lines that make it pass) folds under the message: one row per finding, so
        # sorting and filtering keep it with its finding
        fix = (f"<details><summary>remediation</summary><pre>{_pre_lines(f.remediation)}</pre></details>"
               if f.remediation else "")
        yield (f'<tr class="sev-{_tone(f)}"><td>{escape(f.severity)}</td><td>{escape(f.status)}</td>'
               f"<td>{escape(f.rule)}</td><td>{escape(subject_text(f.subject))}</td>"
               f'<td class="text">{escape(f.message)}{fix}</td>'
               f"{_text(human(f.expected))}{_text(human(f.actual))}{mark}</tr>")
    yield "</tbody></table></section>"


def _circuits(inv, index: "_Index", baseline: dict | None) -> Iterator[str]:
    circuits = sorted(inv.circuits.values(), key=lambda c: (-index.problems_of("circuit", c.id), c.id))
    yield f'<section id="circuits"><h2>Circuits ({len(circuits)})</h2>'
    yield ('<p class="legend">Capacity bars: <span class="enabled">■ enabled</span><span class="pending">■ pending'
           '</span><span class="disabled">■ disabled</span> (every status but deleted holds capacity)</p>')
    for c in circuits:
        yield from _circuit(inv, c, index, baseline)
    yield "</section>"


def _circuit(inv, c, index: "_Index", baseline: dict | None) -> Iterator[str]:
    conns = inv.connections_on(c.id)
    holding = [h for h in conns if h.counts]
    by_status = {st: sum(h.bandwidth for h in holding if h.status == st) for st in STATUSES}
    allocated = sum(h.bandwidth for h in holding)
    share = allocated / c.capacity if c.capacity else 0.0
    scale = max(allocated, c.capacity) or 1
    bar = "".join(f'<span class="{st}" style="width:{100 * bw / scale:.2f}%" title="{st} {format_bandwidth(bw)}"></span>'
                  for st, bw in by_status.items() if bw)
    over = " over" if allocated > c.capacity else ""
    problems = index.problems_of("circuit", c.id)
    yield (f'<section class="circuit" id="circuit-{escape(c.id)}"><h3>{escape(c.id)} · {escape(c.region)} · '
           f"{escape(c.access_point)} · {escape(c.device)} {escape(c.interface)} · {escape(c.status)}"
           f" · {problems} problems</h3>")
    yield (f'<div class="bar{over}" data-allocated="{allocated}" data-capacity="{c.capacity}" '
           f'title="{format_bandwidth(allocated) if allocated else "0"} of {format_bandwidth(c.capacity)}">{bar}</div>')
    parts = ", ".join(f"{st} {format_bandwidth(bw)}" for st, bw in by_status.items() if bw) or "nothing"
    yield (f"<p>Allocated {format_bandwidth(allocated) if allocated else '0'} of {format_bandwidth(c.capacity)} "
           f"({100 * share:.0f}%{', over capacity' if over else ''}): {escape(parts)}.</p>")
    used, reserved, free = _vlan_map(inv, c, holding)
    yield (f'<p class="vlans">VLANs used: {escape(format_vlan_ranges(used) or "none")} · reserved: '
           f'{escape(format_vlan_ranges(reserved) or "none")} · free: {escape(format_vlan_ranges(free) or "none")}</p>')
    own = [f for f in index.by("circuit", c.id) if f.is_problem and f.subject.get("hosted_connection") is None]
    if own:
        yield "<ul>" + "".join(f'<li class="sev-{_tone(f)}">{escape(f.rule)}: {escape(f.message)}</li>' for f in own) + "</ul>"
    if not conns:
        yield "<p>No hosted connections.</p></section>"
        return
    tenants = inv.tenants
    yield ('<table class="rows"><thead><tr><th>Connection</th><th>Tenant</th><th>VLAN</th><th>Bandwidth</th>'
           "<th>Status</th><th>Problems</th><th>Passes</th></tr></thead><tbody>")
    for h in sorted(conns, key=lambda h: (-index.problems_of("hosted_connection", h.key), h.vlan)):
        found = index.by("hosted_connection", h.key)
        bad = problems_first([f for f in found if f.is_problem])
        passes = len(found) - len(bad)
        tenant = tenants.get(h.tenant)
        cell = "<br>".join(f'<span class="sev-{_tone(f)}">{escape(f.rule)}{_mark_text(baseline, f)}: '
                           f"{escape(f.message)}</span>" for f in bad) or "none"
        yield (f'<tr class="{"sev-" + _tone(bad[0]) if bad else "ok"}"><td>{escape(h.key)}</td>'
               f"<td>{escape(tenant.name if tenant else h.tenant)}</td>"
               f'<td data-v="{h.vlan}">{h.vlan}</td>'
               f'<td data-v="{h.bandwidth}">{escape(h.bandwidth_text)}</td><td>{escape(h.status)}</td>'
               f'<td>{cell}</td><td data-v="{passes}">{passes}</td></tr>')
    yield "</tbody></table></section>"


def _vlan_map(inv, c, holding) -> tuple[tuple, tuple, tuple]:
    """(used, reserved, free) VLAN ranges of a circuit: used by its non-deleted connections, reserved by
    the circuit's (else the partner's) reserved_vlans, free = the rest of its pool (else the partner's)."""
    used = {h.vlan for h in holding}
    reserved_ranges = c.reserved_vlans if c.reserved_vlans is not None else (inv.partner.reserved_vlans or ())
    reserved = {v for lo, hi in reserved_ranges for v in range(lo, hi + 1)} - used
    pool = c.vlan_pool or inv.partner.vlan_pool or DEFAULT_POOL
    free = {v for lo, hi in pool for v in range(lo, hi + 1)} - used - reserved
    return _ranges(used), _ranges(reserved), _ranges(free)


def _ranges(vlans: set[int]) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for v in sorted(vlans):
        if out and v == out[-1][1] + 1:
            out[-1][1] = v
        else:
            out.append([v, v])
    return tuple((lo, hi) for lo, hi in out)


def _devices(inv, index: "_Index") -> Iterator[str]:
    yield f'<section id="devices"><h2>By device ({len(inv.devices)})</h2>'
    yield ('<table class="rows"><thead><tr><th>Device</th><th>Platform</th><th>Role</th><th>Circuits</th>'
           "<th>Problems</th><th>Passes</th><th>Failing rules</th></tr></thead><tbody>")
    circuits = defaultdict(int)
    for c in inv.circuits.values():
        circuits[c.device] += 1
    for d in sorted(inv.devices.values(), key=lambda d: (-index.problems_of("device", d.name), d.name)):
        found = index.by("device", d.name)
        bad = [f for f in found if f.is_problem]
        rules = sorted({f.rule for f in bad})
        yield (f'<tr class="{"sev-" + _worst(bad) if bad else "ok"}"><td>{escape(d.name)}</td>'
               f"<td>{escape(d.platform)}</td><td>{escape(d.role)}</td>"
               f'<td data-v="{circuits[d.name]}">{circuits[d.name]}</td>'
               f'<td data-v="{len(bad)}">{len(bad)}</td>'
               f'<td data-v="{len(found) - len(bad)}">{len(found) - len(bad)}</td>'
               f"<td>{escape(', '.join(rules)) or 'none'}</td></tr>")
    yield "</tbody></table></section>"


def _tenants(inv, index: "_Index") -> Iterator[str]:
    connections = defaultdict(int)
    for h in inv.hosted_connections:
        connections[h.tenant] += 1
    yield f'<section id="tenants"><h2>By tenant ({len(inv.tenants)})</h2>'
    yield ('<table class="rows"><thead><tr><th>Tenant</th><th>Account</th><th>Site</th><th>HA</th>'
           "<th>Connections</th><th>Problems</th><th>Passes</th><th>Failing rules</th></tr></thead><tbody>")
    for t in sorted(inv.tenants.values(), key=lambda t: (-index.problems_of("tenant", t.account_id), t.name)):
        found = index.by("tenant", t.account_id)
        bad = [f for f in found if f.is_problem]
        n = connections[t.account_id]
        yield (f'<tr class="{"sev-" + _worst(bad) if bad else "ok"}"><td>{escape(t.name)}</td>'
               f"<td>{escape(t.account_id)}</td><td>{escape(t.site)}</td><td>{'yes' if t.ha else 'no'}</td>"
               f'<td data-v="{n}">{n}</td><td data-v="{len(bad)}">{len(bad)}</td>'
               f'<td data-v="{len(found) - len(bad)}">{len(found) - len(bad)}</td>'
               f"<td>{escape(', '.join(sorted({f.rule for f in bad}))) or 'none'}</td></tr>")
    yield "</tbody></table></section>"


def _rules(findings: list[Finding]) -> Iterator[str]:
    yield '<section id="rules"><h2>Rules</h2>'
    yield ('<table class="rows"><thead><tr><th>Rule</th><th>Requirement</th><th>Pass</th><th>Fail</th>'
           "<th>Error</th></tr></thead><tbody>")
    for g in group_by_rule(findings):
        yield (f'<tr id="{_anchor(g.rule)}"><td>{escape(g.rule)}</td><td>{escape(g.requirement)}</td>'
               + "".join(f'<td data-v="{n}">{n}</td>' for n in (g.passed, g.failed, g.errors)) + "</tr>")
    yield "</tbody></table></section>"


# ------------------------------------------------------------------ helpers

class _Index:
    """Findings by subject key (circuit, hosted_connection, device, tenant): each view looks its objects up."""

    def __init__(self, findings: list[Finding]) -> None:
        self._by: dict[tuple[str, Any], list[Finding]] = defaultdict(list)
        for f in findings:
            for key in ("circuit", "hosted_connection", "device", "tenant"):
                value = f.subject.get(key)
                if value is not None:
                    self._by[key, value].append(f)

    def by(self, key: str, value: Any) -> list[Finding]:
        return self._by.get((key, value), [])

    def problems_of(self, key: str, value: Any) -> int:
        return sum(1 for f in self.by(key, value) if f.status != PASS)


def human(value: Any) -> str:
    """Expected and actual as a person reads them ('in: 200000000; out: -', 'pc-hc13, pc-hc15'), not as JSON."""
    plain = jsonable(value)
    if plain is None:
        return "-"
    if isinstance(plain, bool):
        return "yes" if plain else "no"
    if isinstance(plain, dict):
        return "; ".join(f"{k}: {human(v)}" for k, v in plain.items()) or "-"
    if isinstance(plain, list):
        return ", ".join(human(v) for v in plain) or "none"
    return str(plain)


def _subject_of(d: dict) -> dict:
    """A baseline finding's subject (read from a file: anything but a dict counts as none)."""
    return d.get("subject") if isinstance(d.get("subject"), dict) else {}


def _tone(f: Finding) -> str:
    return "error" if f.severity == SEV_ERROR else "warning"


def _worst(found: list[Finding]) -> str:
    return "error" if any(f.severity == SEV_ERROR for f in found) else "warning"


def _mark_cell(baseline: dict | None, f: Finding) -> str:
    mark = baseline_mark(baseline, f)
    return f'<td class="mark-{mark}">{mark}</td>'


def _mark_text(baseline: dict | None, f: Finding) -> str:
    mark = baseline_mark(baseline, f)
    return f' <span class="mark-{mark}">({mark})</span>' if mark else ""


def _text(value: str) -> str:
    return f'<td class="text">{escape(value)}</td>'


def _pre_lines(text: str) -> str:
    """Configuration lines for <pre>: each escaped, the line breaks kept."""
    return "\n".join(escape(line) for line in text.splitlines())


def _anchor(rule: str) -> str:
    return escape("rule-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in rule))
