"""Every platform with a `live` section in its lab.yaml, collected over SSH (FakeNOS, the platform's real prompts
and paging commands) and SNMP (snmpsim) from 127.0.0.1, and recorded with `collect --record`: what is read is
what the device served less its secrets, the session never enters configuration mode, and the recording
replays to the same findings as the live run."""

from __future__ import annotations

import json

import pytest
import yaml

from helpers.labdata import ENV, LIVE, SECRETS, served_outputs, write_inventory
from ecpartner.cli import main
from ecpartner.collect.live import collect_live
from ecpartner.inventory_loader import load_inventory
from ecpartner.parse import build_state
from ecpartner.platforms import platform_commands, platform_spec

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
PLATFORMS = sorted(LIVE)


@pytest.fixture
def env(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_lab_device_is_collected_as_served_less_its_secrets(lab, tmp_path, platform):
    name = LIVE[platform]["device"]
    inv = load_inventory(write_inventory(tmp_path, [lab.device(name)]))
    before = len(lab.fake.seen)
    result = collect_live(inv, timeout=10, environ=ENV)[name]
    assert result.error is None, result.error
    served = served_outputs(platform)
    assert set(result.outputs) == set(platform_commands(platform, with_snmp=True))
    for command, text in result.outputs.items():
        assert not [s for s in SECRETS if s in text], f"{command}: a lab secret came through"
        # every line is the served one, except lines that held a secret
        for got, sent in zip(text.splitlines(), served[command].splitlines(), strict=True):
            assert got == sent or "<removed>" in got, (got, sent)
    config = platform_spec(platform).config_command
    assert build_state(name, platform, result.outputs).to_dict() == \
        build_state(name, platform, {config: served[config]}).to_dict()
    assert result.snmp, "no SNMP walk"
    # the session: the platform's paging command, then the read at its command prompt; no configuration mode
    seen = [(prompt, command) for device, prompt, command in lab.fake.seen[before:] if device == name]
    commands = [command for _prompt, command in seen]
    live = LIVE[platform]
    assert any(c in commands for c in live["session"]), commands
    assert not [c for c in commands if c.split()[0].lower() in platform_spec(platform).session.writes]
    prompt = live["prompts"][live["command_prompts"][0]].format(base_prompt=name)
    assert (prompt, config) in seen


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_recording_replays_to_the_findings_of_the_live_run(lab, tmp_path, env, capsys, platform):
    name = LIVE[platform]["device"]
    state = build_state(name, platform, served_outputs(platform))
    # one hosted connection on the first tenant subinterface the device serves
    sub = next(i for i in state.interfaces.values() if i.parent and i.vlan)
    path = write_inventory(tmp_path, [lab.device(name)])
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["devices"][0]["role"] = "access"
    doc["circuits"] = [{"id": "pc-labcircuit01", "device": name, "interface": sub.parent,
                        "access_point": "ap-cn-qingdao-lab", "region": "cn-qingdao", "capacity": "10G"}]
    doc["tenants"] = [{"account_id": "1300000000000399", "name": "Lab Tenant", "site": "china", "users": 1}]
    doc["hosted_connections"] = [{"id": "pc-labhosted01", "circuit": "pc-labcircuit01", "tenant": "1300000000000399",
                                  "vlan": sub.vlan, "bandwidth": "200M", "status": "enabled"}]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    def findings(*argv):
        capsys.readouterr()
        main(["check", *argv, "--format", "json"])
        return [f for f in json.loads(capsys.readouterr().out)["findings"] if not f["rule"].startswith("telemetry-")]

    live = findings(str(path), "--live", "--timeout", "10")
    record = tmp_path / "recorded"
    assert main(["collect", str(path), "--record", str(record), "--timeout", "10"]) == 0, capsys.readouterr().err
    replayed = findings(str(record / "inventory.yaml"))
    assert {f["rule"] for f in live} >= {"qos-bandwidth-limit", "config-drift", "monitoring-enabled"}
    assert [f for f in live if f["rule"] == "device-reachable"][0]["status"] == "pass"
    assert replayed == live
