"""Telemetry benchmark: 1,000 tenant interfaces x 7 days of 5-minute samples (about 2 million rows).

Measures:
- ingest: rows/s appended to a fresh SQLite store, one transaction per poll (1,000 rows), as `poll` does,
  beside its floor in the same run: a plain `executemany` of the same rows, one transaction per poll, into a
  table with the same uniqueness (series, time) and the same pragmas. Runs alternate reference and store
  (--ingest-repeat pairs, medians, ratio); only the writes are timed, not making the rows;
- report: `telemetry report --since 7d` over the whole week (load, rates, statistics, rules, render)
  in every format, html included (1,000 inline SVG plots); median of --repeat runs.

    python bench/bench_telemetry.py [--interfaces 1000] [--days 7] [--repeat 3] [--ingest-repeat 1]
                                    [--formats json,csv,markdown,prometheus,html] [--cli] [--db EXISTING.sqlite]
                                    [--keep DIR]

--keep DIR leaves the store (DIR/t0.sqlite) and its inventory (DIR/inventory.yaml) there, for timing the
CLI from outside, e.g. `telemetry report DIR/inventory.yaml --db DIR/t0.sqlite --since 7d --format html`
of two trees side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ecpartner.inventory import Circuit, Device, HostedConnection, Inventory, Partner, Tenant, Thresholds
from ecpartner.check import build_report
from ecpartner.telemetry.series import COUNTERS
from ecpartner.telemetry.store import Store

STEP_S = 300
T0_MS = 1_795_996_800_000          # 2026-11-28T00:00:00Z
PER_CIRCUIT = 10
REPORT_FORMATS = ("json", "csv", "markdown", "prometheus", "html")


def write_inventory(inventory: Inventory) -> Path:
    """The same inventory as a YAML file, for runs through the CLI."""
    lines = ["partner: {name: Bench, carrier: China Telecom, site: china, account_id: '1234567890123456'}", "devices:"]
    lines += [f"  - {{name: {d.name}, host: {d.host}, platform: huawei, role: access, credentials: default}}"
              for d in inventory.devices.values()]
    lines += ["credentials:", "  default: {username_env: ECP_USERNAME, password_env: ECP_PASSWORD}", "circuits:"]
    lines += [f"  - {{id: {c.id}, region: {c.region}, access_point: {c.access_point}, capacity: 10G, device: {c.device}, "
              f"interface: {c.interface}}}" for c in inventory.circuits.values()]
    lines += ["tenants:", "  - {account_id: '1987654321098765', name: Acme, site: china}", "hosted_connections:"]
    lines += [f"  - {{id: {hc.id}, circuit: {hc.circuit}, tenant: '{hc.tenant}', vlan: {hc.vlan}, bandwidth: 1G, "
              "status: enabled}" for hc in inventory.hosted_connections]
    inventory.path.write_text("\n".join(lines) + "\n")
    return inventory.path


def bench_report_cli(inventory: Path, db: Path, fmt: str, since: str) -> float:
    """Wall seconds of `ecpartner telemetry report` in a fresh process (start-up and writing included)."""
    out = db.with_name(f"report.{fmt}")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ecpartner", "telemetry", "report", str(inventory), "--db", str(db),
                           "--since", since, "--format", fmt, "--output", str(out)], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    assert proc.returncode in (0, 1) and out.stat().st_size > 1000, (proc.returncode, proc.stderr[-2000:])
    return elapsed


def make_inventory(path: Path, interfaces: int) -> Inventory:
    circuits, connections, devices = {}, [], {}
    for n in range(interfaces // PER_CIRCUIT):
        device = f"acc-{n // 4:03d}"
        devices[device] = Device(device, f"192.0.2.{n // 4 % 250}", "huawei", "access", "default")
        cid = f"pc-circuit{n:04d}"
        circuits[cid] = Circuit(cid, "cn-hangzhou", "ap-cn-hangzhou-yh-B", 10**10, device, f"XGigabitEthernet0/0/{n % 4}")
        for v in range(PER_CIRCUIT):
            connections.append(HostedConnection(cid, "1987654321098765", 100 + v, 10**9, "1G", "enabled",
                                                id=f"pc-hc{n:04d}{v}"))
    return Inventory(path, Partner("Bench", "China Telecom", "china", "1234567890123456"), Thresholds(), devices, {},
                     circuits, {"1987654321098765": Tenant("1987654321098765", "Acme", "china")}, connections)


def polls(inventory: Inventory, days: int):
    """Yield one poll's rows at a time: every interface, counters growing at a per-interface rate."""
    rng = np.random.default_rng(1)
    names = [(inventory.circuits[hc.circuit].device, f"{inventory.circuits[hc.circuit].interface}.{hc.vlan}")
             for hc in inventory.hosted_connections]
    n = len(names)
    rate = rng.uniform(1e6, 1.2e8, n)                     # bytes/s
    octets = rng.integers(0, 10**12, n).astype(np.float64)
    for k in range(days * 86400 // STEP_S + 1):
        octets += rate * STEP_S * rng.normal(1, 0.05, n).clip(0)
        t = T0_MS + k * STEP_S * 1000
        uptime = 10**8 + k * STEP_S * 100
        o = octets.astype(np.int64).tolist()
        p = (octets // 800).astype(np.int64).tolist()
        yield [(t, d, i, o[j], o[j] // 2, p[j], p[j] // 2, p[j] // 100000, 0, 0, 0, uptime, 64)
               for j, (d, i) in enumerate(names)]


def bench_ingest(inventory: Inventory, db: Path, days: int) -> tuple[float, int]:
    rows, elapsed = 0, 0.0
    with Store(db) as store:
        for batch in polls(inventory, days):
            started = time.perf_counter()
            rows += store.insert(batch, "bench", 0)
            elapsed += time.perf_counter() - started
    return rows / elapsed, rows


def bench_reference_ingest(inventory: Inventory, db: Path, days: int) -> tuple[float, int]:
    """The floor: the same rows, one plain executemany per poll, the same uniqueness and pragmas."""
    columns = ", ".join(f"{c} INTEGER NOT NULL" for c in COUNTERS)
    sql = sqlite3.connect(db, isolation_level=None)
    sql.execute("PRAGMA journal_mode = WAL")
    sql.execute("PRAGMA synchronous = NORMAL")
    sql.execute(f"CREATE TABLE samples (series INTEGER NOT NULL, time_ms INTEGER NOT NULL, {columns}, "
                "sys_uptime INTEGER, counter_bits INTEGER NOT NULL, PRIMARY KEY (time_ms, series)) WITHOUT ROWID")
    insert = f"INSERT OR IGNORE INTO samples VALUES ({', '.join('?' * (len(COUNTERS) + 4))})"
    ids: dict[tuple[str, str], int] = {}
    rows, elapsed = 0, 0.0
    for batch in polls(inventory, days):
        started = time.perf_counter()
        sql.execute("BEGIN IMMEDIATE")
        before = sql.total_changes
        sql.executemany(insert, ((ids.setdefault((r[1], r[2]), len(ids)), r[0], *r[3:]) for r in batch))
        rows += sql.total_changes - before
        sql.execute("COMMIT")
        elapsed += time.perf_counter() - started
    sql.close()
    return rows / elapsed, rows


def bench_report(inventory: Inventory, db: Path, fmt: str, since: str) -> float:
    started = time.perf_counter()
    text, _ = build_report(inventory, db, since, fmt)
    elapsed = time.perf_counter() - started
    assert len(text) > 1000
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--interfaces", type=int, default=1000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="report runs per format (median)")
    ap.add_argument("--ingest-repeat", type=int, default=1,
                    help="ingest runs, each a reference run then a store run (medians)")
    ap.add_argument("--formats", default=",".join(REPORT_FORMATS), help="comma-separated report formats")
    ap.add_argument("--cli", action="store_true", help="time the reports through the CLI, each in a fresh process")
    ap.add_argument("--db", type=Path, help="report on this store (made by an earlier run) instead of ingesting")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR (made if needed) and leave the store and "
                    "inventory there, instead of a temporary directory")
    args = ap.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    unknown = sorted(set(formats) - set(REPORT_FORMATS))
    if unknown:
        ap.error(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(REPORT_FORMATS)}")
    if args.keep:
        if (args.keep / "t0.sqlite").exists():
            ap.error(f"--keep: {args.keep / 't0.sqlite'} exists already (give a new directory)")
        args.keep.mkdir(parents=True, exist_ok=True)
    with (contextlib.nullcontext(str(args.keep)) if args.keep else tempfile.TemporaryDirectory()) as tmp:
        inventory = make_inventory(Path(tmp) / "inventory.yaml", args.interfaces)
        if args.keep:
            write_inventory(inventory)
        results: dict[str, str] = {}
        if args.db:
            db = args.db
        else:
            ingest, reference = [], []
            for r in range(args.ingest_repeat):
                floor, _ = bench_reference_ingest(inventory, Path(tmp) / f"ref{r}.sqlite", args.days)
                (Path(tmp) / f"ref{r}.sqlite").unlink()
                rate, rows = bench_ingest(inventory, Path(tmp) / f"t{r}.sqlite", args.days)
                reference.append(floor)
                ingest.append(rate)
                print(f"ingest run {r + 1}: {rows} rows, store {rate:,.0f} rows/s, plain executemany "
                      f"{floor:,.0f} rows/s ({rate / floor:.2f}x)", file=sys.stderr)
            db = Path(tmp) / "t0.sqlite"
            store, floor = statistics.median(ingest), statistics.median(reference)
            results["ingest"] = (f"{store:,.0f} rows/s, plain executemany of the same rows {floor:,.0f} rows/s: "
                                 f"{store / floor:.2f}x (medians of {args.ingest_repeat})")
        print(f"store size: {db.stat().st_size / 1e6:.0f} MB", file=sys.stderr)
        since = f"{args.days}d"
        for fmt in formats:
            if args.cli:
                times = [bench_report_cli(write_inventory(inventory), db, fmt, since) for _ in range(args.repeat)]
            else:
                times = [bench_report(inventory, db, fmt, since) for _ in range(args.repeat)]
            print(f"report {fmt}: {', '.join(f'{t:.2f}' for t in times)} s", file=sys.stderr)
            how = "CLI, wall" if args.cli else "in process"
            results[f"report {fmt}"] = f"{statistics.median(times):.2f} s ({how}, median of {args.repeat})"
    print(f"{args.interfaces} interfaces x {args.days} days, {args.days * 86400 // STEP_S + 1} samples each")
    for name, value in results.items():
        print(f"  {name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
