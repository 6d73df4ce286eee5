"""Telemetry benchmark: 1,000 tenant interfaces x 7 days of 5-minute samples (2,016,000 rows).

Measures:
- ingest, per database (SQLite, and PostgreSQL on a server this bench starts on 127.0.0.1): rows/s through
  Store.insert(), one transaction per poll (1,000 rows) as `poll` does, beside its floor: a plain
  `executemany` of the same rows, one transaction per poll, into a table with the same primary key (time,
  series), the same duplicate rule and (SQLite) the same pragmas. Each round makes a new store and a new
  table, the order alternating round by round; the figures are medians of the rounds and of the per-round
  ratios, with their spread. Only the writes are timed, not making the rows. The compaction the commands
  run after each poll (a closed day's rows into blocks) is timed apart and shown with the ingest;
- report: `telemetry report --since 7d` over the whole week (load, rates, statistics, rules, render)
  in every format, html included (1,000 inline SVG plots); median of --repeat runs.

    python bench/bench_telemetry.py [--interfaces 1000] [--days 7] [--rounds 1] [--databases sqlite,postgresql]
                                    [--repeat 3] [--formats json,csv,markdown,prometheus,html] [--cli]
                                    [--db EXISTING.sqlite] [--keep DIR]

--keep DIR leaves the first round's SQLite store and its inventory (DIR/inventory.yaml) there, for timing the
CLI from outside of two trees side by side.
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test rig: a PostgreSQL server
from helpers.postgres import PostgresServer  # noqa: E402

from ecpartner.inventory import Circuit, Device, HostedConnection, Inventory, Partner, Tenant, Thresholds
from ecpartner.check import build_report
from ecpartner.telemetry.series import COUNTERS
from ecpartner.telemetry.sources import is_url
from ecpartner.telemetry.store import Store

STEP_S = 300
T0_MS = 1_795_996_800_000          # 2026-11-28T00:00:00Z
PER_CIRCUIT = 10
REPORT_FORMATS = ("json", "csv", "markdown", "prometheus", "html")
DATABASES = ("sqlite", "postgresql")


@dataclass
class Ingest:
    rows: int
    inserting: float    # seconds in the inserts (the floor: its executemany and commit)
    compacting: float   # seconds in compaction after the polls (the store only)

    @property
    def rate(self) -> float:
        return self.rows / self.inserting


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


def store_ingest(inventory: Inventory, location: str | Path, days: int) -> Ingest:
    """Every poll through Store.insert(), then the compaction the commands run after a poll (a day's rows
    move into blocks once the day has closed), each timed on its own."""
    rows, inserting, compacting = 0, 0.0, 0.0
    with Store(location) as store:
        for batch in polls(inventory, days):
            started = time.perf_counter()
            rows += store.insert(batch, "bench", 0)
            stored = time.perf_counter()
            store.compact_after_poll()
            inserting += stored - started
            compacting += time.perf_counter() - stored
    return Ingest(rows, inserting, compacting)


def plain_ingest(inventory: Inventory, location: str | Path, days: int) -> Ingest:
    """The floor: the same rows, one plain executemany per poll in one transaction, into a table with the same
    primary key (time_ms, series) and the same duplicate rule (a row already there is ignored)."""
    columns = ", ".join(f"{c} bigint NOT NULL" for c in COUNTERS)
    create = (f"CREATE TABLE samples (time_ms bigint NOT NULL, series integer NOT NULL, {columns}, sys_uptime bigint, "
              "counter_bits smallint NOT NULL, PRIMARY KEY (time_ms, series))")
    values = len(COUNTERS) + 4
    if is_url(location):
        import psycopg
        db = psycopg.connect(str(location), autocommit=True)
        db.execute(create)
        insert = f"INSERT INTO samples VALUES ({', '.join(['%s'] * values)}) ON CONFLICT DO NOTHING"

        def write(rows) -> int:
            with db.transaction(), db.cursor() as cursor:
                cursor.executemany(insert, rows)
                return cursor.rowcount
    else:
        db = sqlite3.connect(location, isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")      # the store's pragmas
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(create + " WITHOUT ROWID")
        insert = f"INSERT OR IGNORE INTO samples VALUES ({', '.join('?' * values)})"

        def write(rows) -> int:
            db.execute("BEGIN IMMEDIATE")
            before = db.total_changes
            db.executemany(insert, rows)
            db.execute("COMMIT")
            return db.total_changes - before
    ids: dict[tuple[str, str], int] = {}
    rows, elapsed = 0, 0.0
    for batch in polls(inventory, days):
        started = time.perf_counter()
        rows += write([(r[0], ids.setdefault((r[1], r[2]), len(ids)), *r[3:]) for r in batch])
        elapsed += time.perf_counter() - started
    db.close()
    return Ingest(rows, elapsed, 0.0)


def ingest_rounds(inventory: Inventory, new_location, days: int, rounds: int) -> list[tuple[Ingest, Ingest]]:
    """(store, plain) pairs, one a round, each into a new store / table from new_location(name); the order
    alternates (plain first in even rounds) so a drift of the machine's speed falls on both alike."""
    pairs = []
    for r in range(rounds):
        runs = {}
        for kind in (("plain", "store") if r % 2 == 0 else ("store", "plain")):
            ingest = store_ingest if kind == "store" else plain_ingest
            runs[kind] = ingest(inventory, new_location(f"{kind}{r}"), days)
        store, plain = runs["store"], runs["plain"]
        print(f"  round {r + 1}: {store.rows:,} rows; store {store.rate:,.0f} rows/s (+ compaction {store.compacting:.2f} s), "
              f"plain executemany {plain.rate:,.0f} rows/s: {store.rate / plain.rate:.2f}x", file=sys.stderr)
        pairs.append((store, plain))
    return pairs


def summarise_ingest(pairs: list[tuple[Ingest, Ingest]], days: int) -> str:
    ratios = sorted(s.rate / p.rate for s, p in pairs)
    whole = sorted(s.rows / (s.inserting + s.compacting) / p.rate for s, p in pairs)
    median = statistics.median
    return (f"store {median(s.rate for s, _ in pairs):,.0f} rows/s, plain executemany {median(p.rate for _, p in pairs):,.0f} "
            f"rows/s: {median(ratios):.2f}x (median of {len(pairs)} paired rounds, {ratios[0]:.2f}-{ratios[-1]:.2f}x); "
            f"compaction {median(s.compacting for s, _ in pairs) / days:.2f} s per closed day, ingest + compaction "
            f"{median(whole):.2f}x ({whole[0]:.2f}-{whole[-1]:.2f}x)")


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
    ap.add_argument("--rounds", type=int, default=1, help="ingest rounds per database, each a store and a plain run")
    ap.add_argument("--databases", default="sqlite", help="comma-separated: sqlite, postgresql (a server started "
                    "on 127.0.0.1 for the run)")
    ap.add_argument("--formats", default=",".join(REPORT_FORMATS), help="comma-separated report formats")
    ap.add_argument("--cli", action="store_true", help="time the reports through the CLI, each in a fresh process")
    ap.add_argument("--db", type=Path, help="report on this store (made by an earlier run) instead of ingesting")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR (made if needed) and leave the store and "
                    "inventory there, instead of a temporary directory")
    args = ap.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    databases = [d for d in args.databases.split(",") if d]
    unknown = sorted(set(formats) - set(REPORT_FORMATS)) + sorted(set(databases) - set(DATABASES))
    if unknown:
        ap.error(f"unknown format(s) or database(s) {', '.join(unknown)}; choose from "
                 f"{', '.join(REPORT_FORMATS + DATABASES)}")
    if formats and not args.db and "sqlite" not in databases:
        ap.error("the reports read the first round's SQLite store: add sqlite to --databases, or give --db")
    if args.keep:
        if args.keep.exists() and any(args.keep.iterdir()):
            ap.error(f"--keep: {args.keep} is not empty (give a new directory)")
        args.keep.mkdir(parents=True, exist_ok=True)
    with (contextlib.nullcontext(str(args.keep)) if args.keep else tempfile.TemporaryDirectory()) as tmp:
        inventory = make_inventory(Path(tmp) / "inventory.yaml", args.interfaces)
        if args.keep:
            write_inventory(inventory)
        results: dict[str, str] = {}
        db = args.db or Path(tmp) / "store0.sqlite"   # the first round's SQLite store, for the reports
        for database in ([] if args.db else databases):
            print(f"ingest into {database}:", file=sys.stderr)
            with ingest_locations(database, Path(tmp)) as new_location:
                pairs = ingest_rounds(inventory, new_location, args.days, args.rounds)
            results[f"ingest {database}"] = summarise_ingest(pairs, args.days)
        if formats:
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


@contextmanager
def ingest_locations(database: str, tmp: Path):
    """new_location(name) -> a new SQLite file, or a new database on a PostgreSQL server started for the run on
    127.0.0.1 (the test rig's, tests/helpers/postgres.py); each is removed once the next is made, to keep the
    disk small, except the first round's SQLite store (the reports read it)."""
    if database == "sqlite":
        def new_file(name: str) -> Path:
            for path in tmp.glob("*.sqlite*"):   # with their -wal and -shm
                if not path.name.startswith("store0.sqlite"):
                    path.unlink()
            return tmp / f"{name}.sqlite"
        yield new_file
        return
    server = PostgresServer()
    why = server.start()
    if why:
        server.stop()
        raise SystemExit(f"bench_telemetry: cannot start PostgreSQL: {why}")
    try:
        import psycopg
        urls: list[str] = []

        def new_database(name: str) -> str:
            with psycopg.connect(server.url(), autocommit=True) as admin:
                for url in urls:
                    admin.execute(f"DROP DATABASE {url.rsplit('/', 1)[1]}")
                urls.clear()
            urls.append(server.new_database())
            return urls[-1]
        yield new_database
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
