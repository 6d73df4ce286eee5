"""Deadlines: every device has a wall-clock budget, a broken device is an error naming the step, the run
always ends, and SIGINT/SIGTERM end it at once with nothing half-written. No test here asserts a duration:
a hung run shows up as the guard timeout of a subprocess, or as a message that names the budget."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers.hostile import HostileSnmpAgent, StuckShellServer
from helpers.labdata import ENV, write_inventory
from ecpartner.collect.live import collect_live
from ecpartner.collect.snmp import SnmpAuth, SnmpError, snmp_walk, snmp_walk_sync
from ecpartner.inventory_loader import load_inventory

pytestmark = [pytest.mark.live, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]
GUARD_S = 120   # only so that a regression fails instead of hanging the suite; far above any budget here


def _run(args, **kwargs):
    env = {**os.environ, **ENV}
    return subprocess.run([sys.executable, "-m", "ecpartner", *args], env=env, capture_output=True, text=True,
                          timeout=GUARD_S, **kwargs)


@pytest.mark.parametrize("mode", ["repeat", "backwards"])
def test_an_agent_whose_answers_do_not_advance_is_an_error(mode):
    with HostileSnmpAgent(mode) as agent:
        with pytest.raises(SnmpError, match=r"OIDs not increasing in 1\.3\.6\.1\.2\.1\.1\.3 \(a broken agent\)"):
            snmp_walk_sync("127.0.0.1", agent.port, SnmpAuth(community="lab"), timeout=1, budget=GUARD_S)


def test_an_endless_table_stops_at_the_row_cap():
    with HostileSnmpAgent("endless") as agent:
        with pytest.raises(SnmpError, match=r"more than 50 rows in 1\.3\.6\.1\.2\.1\.2\.2\.1\.2: an endless table"):
            asyncio.run(snmp_walk("127.0.0.1", agent.port, SnmpAuth(community="lab"), ["1.3.6.1.2.1.2.2.1.2"],
                                  timeout=1, budget=GUARD_S, max_rows=50))


def test_an_endless_walk_is_cut_at_the_budget_and_the_healthy_device_keeps_its_findings(lab, tmp_path):
    with HostileSnmpAgent("endless") as agent:
        bad = {**lab.device("hz-acc-01"), "name": "hz-bad-05",
                         "snmp": {"version": "2c", "community_env": "ECPT_COMMUNITY_HZ", "port": agent.port}}
        inventory = write_inventory(tmp_path, [lab.device("hz-acc-01"), bad])
        proc = _run(["check", str(inventory), "--live", "--timeout", "2", "--format", "json"])
    assert proc.returncode == 3, proc.stderr
    findings = {f["subject"]["device"]: f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "device-reachable"}
    assert findings["hz-acc-01"]["status"] == "pass"
    assert findings["hz-bad-05"]["status"] == "error"
    assert "walk not finished within its 8s budget" in findings["hz-bad-05"]["actual"] + findings["hz-bad-05"]["message"]
    assert agent.requests > 10                      # it really was walking, not refused at once


def test_a_shell_that_never_prompts_is_abandoned_naming_the_step(lab, tmp_path):
    with StuckShellServer() as stuck:
        inv = load_inventory(write_inventory(tmp_path, [lab.device("hz-stuck-07", port=stuck.port),
                                                        lab.device("hz-acc-01")]))
        finished: list[str] = []
        results = collect_live(inv, timeout=3, environ=ENV,
                               progress=lambda e: e.finished and finished.append(e.device))
    assert results["hz-acc-01"].error is None
    error = results["hz-stuck-07"].error
    # netmiko alone would wait out several of its own reads (about 10 s) and call it "after 3s"
    assert "during connect" in error and "session abandoned" in error, error
    assert finished == ["hz-acc-01", "hz-stuck-07"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_a_stuck_live_run_with_nothing_written(lab, tmp_path, signum):
    report = tmp_path / "report.json"
    with HostileSnmpAgent("endless") as agent:
        bad = {**lab.device("hz-acc-01"), "name": "hz-bad-05",
                         "snmp": {"version": "2c", "community_env": "ECPT_COMMUNITY_HZ", "port": agent.port}}
        inventory = write_inventory(tmp_path, [bad])
        proc = subprocess.Popen([sys.executable, "-m", "ecpartner", "check", str(inventory), "--live",
                                 "--timeout", "60", "--format", "json", "--output", str(report)],
                                env={**os.environ, **ENV}, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + GUARD_S
        while agent.requests < 5 and time.monotonic() < deadline:   # the walk is under way (budget: 240 s)
            time.sleep(0.05)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=GUARD_S)
    assert proc.returncode == 128 + signum, err
    assert f"interrupted by {signal.Signals(signum).name}" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.yaml"]   # no report, no temporary file


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "soon"])
def test_timeout_must_be_a_positive_finite_number(tmp_path, value):
    proc = _run(["check", "fixtures/demo/inventory.yaml", "--live", f"--timeout={value}"],
                cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert proc.returncode == 2
    assert f"argument --timeout: '{value}' is not a positive number of seconds" in proc.stderr


def _telemetry_inventory(lab, tmp_path, agent_port: int):
    """A device whose configuration (SSH) is the lab's hz-acc-01 and whose SNMP agent is `agent_port`."""
    import yaml

    path = write_inventory(tmp_path, [{**lab.device("hz-acc-01"), "name": "hz-bad-05",
                                       "snmp": {"version": "2c", "community_env": "ECPT_COMMUNITY_HZ",
                                                "port": agent_port}}])
    doc = yaml.safe_load(path.read_text())
    doc["circuits"] = [{"id": "pc-lab01", "region": "cn-hangzhou", "access_point": "ap-cn-hangzhou-yh-B",
                        "capacity": "1G", "device": "hz-bad-05", "interface": "GigabitEthernet0/0/1"}]
    doc["tenants"] = [{"account_id": "1987654321098765", "name": "Acme", "site": "china"}]
    doc["hosted_connections"] = [{"id": "pc-hcA", "circuit": "pc-lab01", "tenant": "1987654321098765",
                                  "vlan": 100, "bandwidth": "50M", "status": "enabled"}]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_a_live_poll_of_an_endless_agent_ends_at_its_budget(lab, tmp_path):
    with HostileSnmpAgent("endless") as agent:
        inventory = _telemetry_inventory(lab, tmp_path, agent.port)
        proc = _run(["telemetry", "poll", str(inventory), "--live", "--timeout", "2", "--db", str(tmp_path / "t.sqlite")])
    assert proc.returncode == 3, proc.stderr
    assert "device hz-bad-05: snmp 127.0.0.1:" in proc.stderr
    assert ("poll not finished within its 2s budget (walking ifName, ifDescr and ifType to learn the ifIndex map)"
            in proc.stderr)
    assert "0 samples stored, 1 problems" in proc.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_telemetry_run_while_a_poll_is_stuck(lab, tmp_path, signum):
    from ecpartner.telemetry.store import Store

    db = tmp_path / "t.sqlite"
    with HostileSnmpAgent("endless") as agent:
        inventory = _telemetry_inventory(lab, tmp_path, agent.port)
        proc = subprocess.Popen([sys.executable, "-m", "ecpartner", "telemetry", "run", str(inventory), "--live",
                                 "--every", "5m", "--timeout", "600", "--db", str(db)],
                                env={**os.environ, **ENV}, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + GUARD_S
        while agent.requests < 5 and time.monotonic() < deadline:   # the first poll is stuck in its walk
            time.sleep(0.05)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=GUARD_S)
    assert proc.returncode == 128 + signum, err
    assert f"interrupted by {signal.Signals(signum).name}" in err and "Traceback" not in err
    with Store(db) as store:                 # the store is whole and holds no part of the stuck poll
        assert store.count() == 0
