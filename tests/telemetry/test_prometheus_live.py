"""A real Prometheus server scrapes `telemetry run --live --listen` while the exporter polls a real SNMP agent
(snmpsim, counters growing at known rates) and a real SSH device (FakeNOS, the configuration naming the
subinterfaces): Prometheus's own `rate()` over the raw `_total` counters gives the agent's rates within 2%,
and a failing finding (a disabled connection still passing traffic) is there to alert on.

Prometheus is the Debian package `prometheus` (.ci/run installs it when absent). Everything listens on
127.0.0.1 only; every wait is bounded and says what it waited for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

import ecpartner
from helpers.grafana import queries, substitute
from helpers.rig import FakeDevices, Served, SnmpAgents, free_port, snmprec_for

pytestmark = [pytest.mark.live,
              pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]  # FakeNOS

COMMUNITY = "prom-lab-community"
USER, PASSWORD = "prom-ops", "prom-Pw-51zt"
# snmprec_for's rates: ifHCInOctets 1,250,000 B/s, ifHCOutOctets 2,500,000 B/s, in packets 1000 + 10 + 5 /s
TRUE = {"in_octets": 1_250_000, "out_octets": 2_500_000, "in_packets": 1015}
CONFIG = """hostname prom-acc-01
!
interface GigabitEthernet0/0/1
 no ip address
!
interface GigabitEthernet0/0/1.1000
 encapsulation dot1Q 100
!
interface GigabitEthernet0/0/1.200
 encapsulation dot1Q 200
!
end
"""
WALK = snmprec_for(["Gi0/0/1.1000", "Gi0/0/1.200", "GigabitEthernet0/0/0"])
# rate()'s window; the series must cover it before the rate is read. A sample is stamped mid-walk while the
# agent counts at the moment it answers: a walk of a second or two on a busy machine moves a stamp by some
# tenths of a second, which a 45 s window keeps well inside 2%.
RANGE_S = 45


def _inventory(tmp_path: Path, ssh_port: int, snmp_port: int) -> Path:
    doc = {
        "partner": {"name": "Lab", "carrier": "China Telecom", "site": "china", "account_id": "1234567890123456"},
        "devices": [{"name": "prom-acc-01", "host": "127.0.0.1", "port": ssh_port, "platform": "cisco_ios",
                     "role": "access", "credentials": "default",
                     "snmp": {"version": "2c", "community_env": "ECP_PROM_COMMUNITY", "port": snmp_port}}],
        "credentials": {"default": {"username_env": "ECP_PROM_USER", "password_env": "ECP_PROM_PASSWORD"}},
        "circuits": [{"id": "pc-prom01", "region": "cn-hangzhou", "access_point": "ap-cn-hangzhou-yh-B",
                      "capacity": "1G", "device": "prom-acc-01", "interface": "GigabitEthernet0/0/1"}],
        "tenants": [{"account_id": "1987654321098765", "name": "Acme", "site": "china"}],
        "hosted_connections": [
            {"id": "pc-promA", "circuit": "pc-prom01", "tenant": "1987654321098765", "vlan": 100,
             "bandwidth": "50M", "status": "enabled"},
            # disabled in the inventory, yet its subinterface is up and the agent counts traffic on it
            {"id": "pc-promB", "circuit": "pc-prom01", "tenant": "1987654321098765", "vlan": 200,
             "bandwidth": "50M", "status": "disabled"}],
    }
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as answer:   # 127.0.0.1 only
        return answer.read()


def _query(port: int, expr: str, at: float | None = None) -> list[dict]:
    params = {"query": expr} | ({"time": repr(at)} if at is not None else {})
    doc = json.loads(_get(f"http://127.0.0.1:{port}/api/v1/query?{urllib.parse.urlencode(params)}"))
    assert doc["status"] == "success", doc
    return doc["data"]["result"]


def _wait(what: str, check, within: float, procs: dict[str, subprocess.Popen]):
    """Poll `check()` until it returns something truthy; fail naming `what` (and any process that died)."""
    deadline = time.monotonic() + within
    last = None
    while time.monotonic() < deadline:
        for name, proc in procs.items():
            if proc.poll() is not None:
                pytest.fail(f"{name} exited with {proc.returncode} while waiting for {what}")
        try:
            last = check()
        except OSError as e:      # not listening yet
            last = e
        else:
            if last:
                return last
        time.sleep(0.5)
    pytest.fail(f"gave up after {within:.0f}s waiting for {what}; last answer: {last!r}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_prometheus_rate_of_the_exported_counters_is_the_agents_rate(tmp_path):
    prometheus = shutil.which("prometheus")
    assert prometheus, "the Debian package prometheus is not installed (.ci/run installs it: apt-get install prometheus)"
    env = {**os.environ, "ECP_PROM_USER": USER, "ECP_PROM_PASSWORD": PASSWORD, "ECP_PROM_COMMUNITY": COMMUNITY,
           "PYTHONPATH": os.pathsep.join([str(Path(ecpartner.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    exporter_port, prom_port = free_port(), free_port()
    served = Served("prom-acc-01", "cisco_ios", {"show running-config": CONFIG}, USER, PASSWORD)
    with FakeDevices([served]) as fake, SnmpAgents({"prom-acc-01": (COMMUNITY, WALK)}, tmp_path / "snmpsim") as agents:
        inventory = _inventory(tmp_path, fake.devices["prom-acc-01"].port, agents.ports["prom-acc-01"])
        config = tmp_path / "prometheus.yml"
        config.write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "scrape_timeout": "900ms", "evaluation_interval": "1s"},
            "scrape_configs": [{"job_name": "ecpartner", "static_configs": [{"targets": [f"127.0.0.1:{exporter_port}"]}]}],
        }))
        procs: dict[str, subprocess.Popen] = {}
        log_exporter = open(tmp_path / "exporter.log", "wb")
        log_prom = open(tmp_path / "prometheus.log", "wb")
        try:
            procs["the exporter (telemetry run)"] = subprocess.Popen(
                [sys.executable, "-m", "ecpartner", "telemetry", "run", str(inventory), "--live", "--every", "2s",
                 "--listen", f"127.0.0.1:{exporter_port}", "--db", str(tmp_path / "t.sqlite"), "--timeout", "10"],
                env=env, stdout=log_exporter, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            procs["prometheus"] = subprocess.Popen(
                [prometheus, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn"],
                stdout=log_prom, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            _wait("Prometheus to be ready", lambda: _get(f"http://127.0.0.1:{prom_port}/-/ready"), 60, procs)
            selector = 'interface="GigabitEthernet0/0/1.1000"'
            # the series must cover the whole window before rate() is read (no partial-window extrapolation)
            _wait(f"{RANGE_S + 5}s of scraped in_octets samples", lambda: [
                r for r in _query(prom_port, f"time() - timestamp(ecpartner_interface_in_octets_total{{{selector}}} "
                                             f"offset {RANGE_S + 5}s)")], 120, procs)
            # read the rate at the newest sample's own time: its window then ends on a sample
            newest = _query(prom_port, f"timestamp(ecpartner_interface_in_octets_total{{{selector}}})")
            assert newest, "no in_octets sample"
            at = float(newest[0]["value"][1])
            for counter, truth in TRUE.items():
                result = _query(prom_port, f"rate(ecpartner_interface_{counter}_total{{{selector}}}[{RANGE_S}s])", at)
                assert len(result) == 1, (counter, result)
                assert result[0]["metric"]["hosted_connection"] == "pc-promA"
                rate = float(result[0]["value"][1])
                assert abs(rate - truth) <= 0.02 * truth, (
                    f"{counter}: rate() {rate:.0f}/s, the agent counts {truth}/s; walks took "
                    f"{_query(prom_port, f'max_over_time(ecpartner_device_poll_duration_seconds[{RANGE_S}s])', at)}")
            failing = _wait("the disabled-traffic finding", lambda: _query(
                prom_port, 'ecpartner_finding{rule="telemetry-disabled-traffic", status="fail"} == 1'), 60, procs)
            labels = failing[0]["metric"]
            assert (labels["hosted_connection"], labels["severity"], labels["device"], labels["interface"],
                    labels["circuit"], labels["region"], labels["tenant"]) == (
                "pc-promB", "error", "prom-acc-01", "GigabitEthernet0/0/1.200", "pc-prom01", "cn-hangzhou",
                "1987654321098765")
            up = _query(prom_port, "ecpartner_device_up")
            assert [(r["metric"]["device"], r["value"][1]) for r in up] == [("prom-acc-01", "1")]
            assert _query(prom_port, "ecpartner_poll_duration_seconds > 0"), "no poll duration"
            bandwidth = _query(prom_port, 'ecpartner_hosted_connection_bandwidth_bits_per_second{hosted_connection="pc-promA"}')
            assert float(bandwidth[0]["value"][1]) == 50e6
            # every query of the Grafana dashboard is valid PromQL with data behind it
            values = {"window": f"{RANGE_S}s", "circuit": "pc-prom01", "hosted_connection": "pc-promA"}
            for where, expr in queries():
                assert _query(prom_port, substitute(expr, values), at), f"dashboard {where}: no data for {expr!r}"
        finally:
            for proc in procs.values():
                _stop(proc)
            log_exporter.close()
            log_prom.close()
    exporter_log = (tmp_path / "exporter.log").read_text(errors="replace")
    assert "Traceback" not in exporter_log, exporter_log[-3000:]
