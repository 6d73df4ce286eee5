"""Live-collection benchmark, everything on 127.0.0.1.

SSH: 50 FakeNOS Huawei VRP devices serving a realistic configuration. ecpartner's collect_live against a
bare netmiko ThreadPoolExecutor running the same commands with the same number of workers, alternated
in the same process; devices/s, median of --runs.

SNMP: one snmpsim agent serving an IF-MIB of --interfaces rows. Client CPU seconds per varbind of
ecpartner's GETBULK walk (pysnmp 7, shared engine) against net-snmp's `snmpbulkwalk` walking the same
two tables (ifTable, ifXTable) on the same agent; median of --runs.

    python bench/bench_live.py [--devices 50] [--workers 20] [--runs 3] [--interfaces 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the test rig (tests/helpers): FakeNOS and snmpsim servers

from helpers.rig import FakeDevices, Served, SnmpAgents, snmprec_for  # noqa: E402

from ecpartner.collect.live import collect_live  # noqa: E402
from ecpartner.collect.snmp import SnmpAuth, snmp_walk  # noqa: E402
from ecpartner.platforms import platform_commands  # noqa: E402
from ecpartner.inventory_loader import load  # noqa: E402

USER, PASSWORD, COMMUNITY = "bench", "bench-pass", "bench-community"
TABLES = ("1.3.6.1.2.1.2.2", "1.3.6.1.2.1.31.1.1")   # ifTable, ifXTable


def bench_ssh(devices: int, workers: int, runs: int) -> dict[str, list[float]]:
    config = (ROOT / "tests" / "platforms" / "huawei" / "parse" / "display_current_configuration" / "ne_subif_basic.txt").read_text(encoding="utf-8")
    commands = platform_commands("huawei")
    served = [Served(f"bench-{i:02d}", "huawei", {c: config for c in commands}, USER, PASSWORD) for i in range(devices)]
    rates: dict[str, list[float]] = {"ecpartner collect_live": [], "bare netmiko pool": []}
    with FakeDevices(served) as fake, tempfile.TemporaryDirectory() as tmp:
        inventory = _inventory(Path(tmp), fake)
        env = {"BENCH_USER": USER, "BENCH_PASSWORD": PASSWORD}
        for run in range(runs):
            order = ["ecpartner", "bare"] if run % 2 == 0 else ["bare", "ecpartner"]  # alternate: fair to both
            for which in order:
                started = time.perf_counter()
                if which == "ecpartner":
                    results = collect_live(inventory, concurrency=workers, timeout=30, environ=env)
                    failed = [n for n, r in results.items() if r.error]
                    key = "ecpartner collect_live"
                else:
                    failed = _bare_netmiko(fake, commands, workers)
                    key = "bare netmiko pool"
                seconds = time.perf_counter() - started
                if failed:
                    raise SystemExit(f"{key}: {len(failed)} devices failed, e.g. {failed[0]}")
                rates[key].append(devices / seconds)
                print(f"  run {run + 1} {key}: {devices / seconds:.1f} devices/s ({seconds:.1f} s)", file=sys.stderr)
    return rates


def _inventory(tmp: Path, fake: FakeDevices):
    lines = ["partner: {name: Bench, carrier: China Telecom, site: china, account_id: '1234567890123456'}",
             "credentials:", "  default: {username_env: BENCH_USER, password_env: BENCH_PASSWORD}",
             "circuits: []", "devices:"]
    for d in fake.devices.values():
        lines.append(f"  - {{name: {d.name}, host: 127.0.0.1, port: {d.port}, platform: huawei, role: access, "
                     f"credentials: default}}")
    path = tmp / "inventory.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load(path)


def _bare_netmiko(fake: FakeDevices, commands, workers: int) -> list[str]:
    from netmiko import ConnectHandler

    def one(d: Served) -> str | None:
        try:
            with ConnectHandler(device_type="huawei", host="127.0.0.1", port=d.port, username=USER,
                                password=PASSWORD) as conn:
                for command in commands:
                    conn.send_command(command)
        except Exception as e:
            return f"{d.name}: {e}"
        return None

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [r for r in pool.map(one, fake.devices.values()) if r]


def bench_snmp(interfaces: int, runs: int) -> dict[str, list[float]] | None:
    snmpbulkwalk = shutil.which("snmpbulkwalk")
    names = [f"GigabitEthernet0/0/{i}" for i in range(interfaces)]
    out: dict[str, list[float]] = {"ecpartner snmp_walk": [], "net-snmp snmpbulkwalk": []}
    with tempfile.TemporaryDirectory() as tmp, \
            SnmpAgents({"agent": (COMMUNITY, snmprec_for(names))}, Path(tmp)) as agents:
        port = agents.ports["agent"]
        auth = SnmpAuth(community=COMMUNITY)

        async def ours() -> tuple[float, int]:
            from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

            engine = SnmpEngine()
            await snmp_walk("127.0.0.1", port, auth, TABLES, 5, 1, engine=engine)  # warm-up
            cpu = time.process_time()
            walk = await snmp_walk("127.0.0.1", port, auth, TABLES, 5, 1, engine=engine)
            cpu = time.process_time() - cpu
            engine.close_dispatcher()
            return cpu, len(walk)

        for run in range(runs):
            cpu, varbinds = asyncio.run(ours())
            out["ecpartner snmp_walk"].append(cpu / varbinds)
            print(f"  run {run + 1} ecpartner: {varbinds} varbinds, {cpu * 1e6 / varbinds:.0f} us CPU each", file=sys.stderr)
            if snmpbulkwalk:
                cpu, varbinds = _net_snmp(snmpbulkwalk, port)
                out["net-snmp snmpbulkwalk"].append(cpu / varbinds)
                print(f"  run {run + 1} net-snmp: {varbinds} varbinds, {cpu * 1e6 / varbinds:.0f} us CPU each",
                      file=sys.stderr)
    if not snmpbulkwalk:
        print("snmpbulkwalk not installed (Debian package `snmp`): net-snmp column left out", file=sys.stderr)
        del out["net-snmp snmpbulkwalk"]
    return out


def _net_snmp(snmpbulkwalk: str, port: int) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    oids: set[str] = set()
    for table in TABLES:
        done = subprocess.run([snmpbulkwalk, "-v2c", "-c", COMMUNITY, "-On", "-Cr30", "-t", "5", "-r", "1",
                               f"udp:127.0.0.1:{port}", table], capture_output=True, text=True, check=True)
        # distinct OIDs: against snmpsim's end of table, snmpbulkwalk prints the last row several times
        oids.update(line.split(" ", 1)[0] for line in done.stdout.splitlines() if line.startswith("."))
    varbinds = len(oids)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, varbinds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--devices", type=int, default=50)
    p.add_argument("--workers", type=int, default=20)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--interfaces", type=int, default=200)
    p.add_argument("--skip-ssh", action="store_true")
    p.add_argument("--skip-snmp", action="store_true")
    args = p.parse_args()
    for noisy in ("fakenos", "paramiko"):  # the fake devices' server side chatters on every disconnect
        logging.getLogger(noisy).setLevel(logging.CRITICAL)

    if not args.skip_ssh:
        rates = bench_ssh(args.devices, args.workers, args.runs)
        ours, bare = (statistics.median(v) for v in rates.values())
        print(f"\nSSH: {args.devices} FakeNOS VRP devices, {args.workers} workers, median of {args.runs} runs")
        print(f"| {'collector':<24} | {'devices/s':>9} |\n|{'-' * 26}|{'-' * 11}|")
        for name, values in rates.items():
            print(f"| {name:<24} | {statistics.median(values):>9.2f} |")
        print(f"ratio ecpartner / bare netmiko: {ours / bare:.2f}x (target >= 0.9x)")
    if not args.skip_snmp:
        cpu = bench_snmp(args.interfaces, args.runs)
        print(f"\nSNMP: GETBULK walk of ifTable + ifXTable, {args.interfaces} interfaces, median of {args.runs} runs")
        print(f"| {'client':<24} | {'CPU us/varbind':>14} |\n|{'-' * 26}|{'-' * 16}|")
        for name, values in cpu.items():
            print(f"| {name:<24} | {statistics.median(values) * 1e6:>14.1f} |")
        if len(cpu) == 2:
            ours, ref = (statistics.median(v) for v in cpu.values())
            print(f"ratio ecpartner / net-snmp: {ours / ref:.1f}x CPU per varbind")


if __name__ == "__main__":
    main()
