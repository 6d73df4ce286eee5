"""Every platform with a `live` section in tests/platforms/<platform>/lab.yaml, collected over SSH from FakeNOS
(and SNMP from snmpsim) on 127.0.0.1 with its real prompts and paging command, then recorded with
`collect --record`: the recording replays to the same findings as the live run."""

from __future__ import annotations

import json

import pytest
import yaml

from ecpartner.cli import main
from ecpartner.collect.live import collect_live
from ecpartner.collect.ssh import scrub
from ecpartner.inventory_loader import load_inventory
from ecpartner.platforms import platform_commands, platform_spec

from helpers.labdata import ENABLE, ENV, LIVE, SECRETS, served_outputs, write_inventory

pytestmark = [pytest.mark.live, pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")]

PLATFORMS = sorted(LIVE)


def fleet_inventory(lab, tmp_path, platform: str):
    """The platform's lab device, with the hosted connections lab.yaml `live.circuit` names on its port."""
    live = LIVE[platform]
    path = write_inventory(tmp_path, [lab.device(live["device"])])
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    circuit = live.get("circuit")
    if circuit:
        doc["circuits"] = [
            {"id": f"pc-{live['device']}-{n}", "region": "cn-beijing", "access_point": ap, "capacity": "10G",
             "device": live["device"], "interface": circuit["interface"] if n == "a" else f"{circuit['interface']}-spare"}
            for n, ap in (("a", "ap-cn-beijing-ft-A"), ("b", "ap-cn-beijing-jg-B"))]
        doc["tenants"] = [{"account_id": f"13000000000009{i:02d}", "name": f"Lab Tenant {i}", "site": "china",
                           "ha": False, "users": c.get("users", 1)} for i, c in enumerate(circuit["connections"])]
        doc["hosted_connections"] = [
            {"id": f"pc-lab-hc-{i:03d}", "circuit": f"pc-{live['device']}-a", "tenant": f"13000000000009{i:02d}",
             "vlan": c["vlan"], "bandwidth": c["bandwidth"], "status": "enabled"}
            for i, c in enumerate(circuit["connections"])]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("platform", PLATFORMS)
def test_collected_over_ssh_with_real_prompts_paging_off_and_read_only(lab, tmp_path, platform):
    live = LIVE[platform]
    device = live["device"]
    before = len(lab.fake.seen)
    inv = load_inventory(fleet_inventory(lab, tmp_path, platform))
    result = collect_live(inv, timeout=10, environ=ENV)[device]

    assert result.error is None, result.error
    served = served_outputs(platform)
    commands = platform_commands(platform, with_snmp=True)      # SNMP is walked: no interface command
    assert result.outputs == {c: scrub(served[c], set(SECRETS), platform) for c in commands}
    assert not [s for s in SECRETS if any(s in text for text in result.outputs.values())]
    assert result.snmp, "no SNMP walk"
    seen = [(prompt, command) for dev, prompt, command in lab.fake.seen[before:] if dev == device]
    prompts = live["prompts"]
    # the session's own commands (paging off, and the enable step where there is one), then the platform's
    # read-only commands, each at a prompt where it answers; nothing that writes or enters configuration mode
    assert [c for _p, c in seen][-len(commands):] == list(commands)
    assert {p for p, c in seen if c in commands} <= {prompts[p].format(base_prompt=device)
                                                     for p in live["command_prompts"]}
    writes = platform_spec(platform).session.writes
    assert not [c for _p, c in seen if c.split()[0].lower() in writes], seen
    typed_secret = {ENABLE} if live["enable"] else set()     # the answer to the enable step's password prompt
    assert set(c for _p, c in seen) - set(commands) <= set(live["session"]) | {"enable"} | typed_secret
    if not live["enable"]:
        assert "enable" not in [c for _p, c in seen]


def findings(capsys, *argv: str) -> list[dict]:
    capsys.readouterr()
    code = main(["check", *argv, "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    return code, [f for f in out["findings"] if not f["rule"].startswith("telemetry-")]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_record_replays_to_the_same_findings_as_the_live_run(lab, tmp_path, monkeypatch, capsys, platform):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    inventory = fleet_inventory(lab, tmp_path, platform)
    device = LIVE[platform]["device"]
    live_code, live = findings(capsys, str(inventory), "--live", "--timeout", "10")
    record = tmp_path / "recorded"
    assert main(["collect", str(inventory), "--record", str(record), "--timeout", "10"]) == 0
    replay_code, replayed = findings(capsys, str(record / "inventory.yaml"))

    assert replayed == live and replay_code == live_code
    assert {f["rule"] for f in live if f["subject"]["device"] == device} >= {"device-reachable"}
    if LIVE[platform].get("circuit"):       # the served connections were judged, not only reached
        judged = {f["rule"] for f in live if f["subject"]["hosted_connection"]}
        assert {"config-drift", "qos-bandwidth-limit", "monitoring-enabled", "arp-rate-limit"} <= judged, live
        # counters found by SNMP ifName for the configuration's interface names
        assert [f for f in live if f["rule"] == "monitoring-enabled" and f["status"] == "pass"], live
    recorded = "".join(p.read_text(encoding="utf-8") for p in (record / "devices" / device).iterdir())
    assert not [s for s in SECRETS if s in recorded]
