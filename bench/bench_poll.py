"""Poll CPU per tenant interface: ecpartner's live telemetry poll against net-snmp for the same data.

One snmpsim agent on 127.0.0.1 serving an IF-MIB of --interfaces rows, --tenants of them tenant
subinterfaces. What a poll needs: sysUpTime and the 12 counter columns of every tenant interface.
Client CPU (this process's, or the net-snmp child processes') per tenant interface, median of --runs:

- ecpartner poll, steady state: the ifIndex map already learned (what `telemetry run` does at every poll):
  GETs of sysUpTime + 12 counters + the name check per tenant ifIndex.
- ecpartner poll, first: learning the map (a walk of ifName/ifDescr/ifType) and then the same GETs.
- ecpartner full walk: the walk every poll did before (ifmib.WALK_OIDS, pysnmp GETBULK), for reference.
- net-snmp snmpget: exactly the same OIDs, 60 per request, one process per request (process start included).
- net-snmp snmpbulkwalk: the 12 counter columns and sysUpTime walked whole (all rows, one process each).

    python bench/bench_poll.py [--interfaces 550] [--tenants 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the test rig (tests/helpers): snmpsim

from helpers.rig import SnmpAgents, snmprec_for  # noqa: E402

from ecpartner.collect.snmp import MAX_VARBINDS_PER_REQUEST, SnmpAuth, WalkJob, snmp_walk  # noqa: E402
from ecpartner.ifmib import IF_NAME, POLL_COUNTERS, SYS_UPTIME, WALK_OIDS  # noqa: E402
from ecpartner.telemetry import snmp_poll  # noqa: E402

COMMUNITY = "bench-community"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--interfaces", type=int, default=550)
    p.add_argument("--tenants", type=int, default=500)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    ports = [f"GigabitEthernet0/0/{i}" for i in range(args.interfaces - args.tenants)]
    tenants = [f"GigabitEthernet0/1/0.{100 + i}" for i in range(args.tenants)]
    names = ports + tenants
    snmpget, snmpbulkwalk = shutil.which("snmpget"), shutil.which("snmpbulkwalk")
    results: dict[str, list[float]] = {}

    def record(name: str, cpu: float) -> None:
        results.setdefault(name, []).append(cpu / args.tenants)

    with tempfile.TemporaryDirectory() as tmp, SnmpAgents({"agent": (COMMUNITY, snmprec_for(names))}, Path(tmp)) as agents:
        port = agents.ports["agent"]
        auth = SnmpAuth(community=COMMUNITY)
        job = WalkJob("bench", "127.0.0.1", port, auth, 120)
        wanted = {"bench": tenants}
        indexes = range(len(ports) + 1, len(names) + 1)
        same_oids = [SYS_UPTIME] + [f"{c}.{i}" for i in indexes for c in (*POLL_COUNTERS, IF_NAME)]

        def poll() -> float:
            cpu = time.process_time()
            walked = asyncio.run(snmp_poll.poll_fleet([job], wanted, timeout=5))["bench"]
            cpu = time.process_time() - cpu
            if walked.error or len(walked.walk) < 13 * args.tenants:
                raise SystemExit(f"poll failed: {walked.error}")
            return cpu

        async def full_walk() -> float:
            from pysnmp.hlapi.v3arch.asyncio import SnmpEngine
            cpu = time.process_time()
            engine = SnmpEngine()
            await snmp_walk("127.0.0.1", port, auth, WALK_OIDS, 5, 1, engine=engine)
            engine.close_dispatcher()
            return time.process_time() - cpu

        def net_snmp_get() -> float:
            before = _children_cpu()
            got = 0
            for i in range(0, len(same_oids), MAX_VARBINDS_PER_REQUEST):
                out = subprocess.run([snmpget, "-v2c", "-c", COMMUNITY, "-On", "-t", "5", f"udp:127.0.0.1:{port}",
                                      *same_oids[i:i + MAX_VARBINDS_PER_REQUEST]], capture_output=True, text=True,
                                     check=True).stdout
                got += out.count("\n")
            assert got == len(same_oids), got
            return _children_cpu() - before

        def net_snmp_bulkwalk() -> float:
            before = _children_cpu()
            for column in (*POLL_COUNTERS, "1.3.6.1.2.1.1.3"):
                subprocess.run([snmpbulkwalk, "-v2c", "-c", COMMUNITY, "-On", "-Cr30", "-t", "5",
                                f"udp:127.0.0.1:{port}", column], capture_output=True, check=True)
            return _children_cpu() - before

        for run in range(args.runs):
            snmp_poll.forget_maps()
            record("ecpartner poll, first (learns the ifIndex map)", poll())
            record("ecpartner poll, steady state", poll())
            record("ecpartner full walk (before)", asyncio.run(full_walk()))
            if snmpget:
                record("net-snmp snmpget, same OIDs", net_snmp_get())
                record("net-snmp snmpbulkwalk, 13 columns", net_snmp_bulkwalk())
            print(f"  run {run + 1}: " + ", ".join(f"{k.split(',')[0] if 'poll' not in k else k}: {v[-1] * 1e6:.0f}"
                                                 for k, v in results.items()), file=sys.stderr)
    if not snmpget:
        print("net-snmp not installed (Debian package `snmp`): its rows are left out", file=sys.stderr)
    print(f"\nPoll CPU per tenant interface: {args.tenants} tenant interfaces of {args.interfaces}, "
          f"median of {args.runs} runs")
    print(f"| {'client':<48} | {'CPU us/interface':>16} |\n|{'-' * 50}|{'-' * 18}|")
    for name, values in results.items():
        print(f"| {name:<48} | {statistics.median(values) * 1e6:>16.0f} |")
    if snmpget:
        ours = statistics.median(results["ecpartner poll, steady state"])
        for ref in ("net-snmp snmpget, same OIDs", "net-snmp snmpbulkwalk, 13 columns"):
            print(f"ratio ecpartner steady state / {ref}: {ours / statistics.median(results[ref]):.2f}x (target <= 3x)")


if __name__ == "__main__":
    main()
