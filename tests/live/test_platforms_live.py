"""Every platform with a `live` section in tests/platforms/<platform>/lab.yaml, over real SSH (FakeNOS) and
SNMP (snmpsim) on 127.0.0.1 with the platform's own prompts, paging commands and enable step: what is
collected is what the device served (secrets removed), the session stays read-only, and `collect --record`
replays to the same findings as the live run."""

from __future__ import annotations

import json

import pytest
import yaml

from helpers.labdata import ENABLE, ENV, LIVE, SECRETS, served_outputs, write_inventory
from helpers.platforms import lab as lab_data
from ecpartner.cli import main
from ecpartner.collect.live import collect_live
from ecpartner.collect.ssh import scrub
from ecpartner.inventory_loader import load_inventory
from ecpartner.parse import build_state
from ecpartner.platforms import platform_commands, platform_spec

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # FakeNOS server side

PLATFORMS = sorted(LIVE)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_collected_text_is_what_the_device_served_without_its_secrets(lab, tmp_path, platform):
    name = LIVE[platform]["device"]
    inv = load_inventory(write_inventory(tmp_path, [lab.device(name)]))
    result = collect_live(inv, timeout=10, environ=ENV)[name]
    assert result.error is None and result.source == "live"
    config = platform_spec(platform).config_command
    served = served_outputs(platform)[config]
    assert result.outputs == {config: scrub(served, set(SECRETS), platform)}
    assert result.outputs[config] != served                  # the lab's secrets were in it...
    assert not [s for s in SECRETS if s in result.outputs[config]]   # ...and none came out
    assert result.snmp and build_state(name, platform, result.outputs, result.snmp).counters


@pytest.mark.parametrize("platform", PLATFORMS)
def test_session_is_read_only_with_paging_off_at_the_real_prompts(lab, tmp_path, platform):
    live, name = LIVE[platform], LIVE[platform]["device"]
    before = len(lab.fake.seen)
    collect_live(load_inventory(write_inventory(tmp_path, [lab.device(name)])), timeout=10, environ=ENV)
    seen = [(prompt, command) for device, prompt, command in lab.fake.seen[before:] if device == name]
    commands = [command for _prompt, command in seen if command != ENABLE]   # the secret, at its prompt
    config = platform_spec(platform).config_command
    session = [c for c, spec in live["session"].items() if "config" not in (spec.get("new_prompt"), )]
    paging = [c for c in commands if c in session and c != "enable"]
    assert paging and commands.index(paging[0]) < commands.index(config)      # paging off before the read
    assert set(commands) <= set(session) | set(platform_commands(platform, with_snmp=True))
    prompts = {p: live["prompts"][p].format(base_prompt=name) for p in live["command_prompts"]}
    assert seen[-1] == (next(iter(prompts.values())), config)                 # read at the command prompt
    if live["enable"]:
        assert commands.index("enable") < commands.index(config)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_device_without_snmp_reads_the_interface_command(lab, tmp_path, platform):
    name = LIVE[platform]["device"]
    entry = lab.device(name)
    del entry["snmp"]
    result = collect_live(load_inventory(write_inventory(tmp_path, [entry])), timeout=10, environ=ENV)[name]
    assert result.error is None and result.snmp is None
    assert set(result.outputs) == set(platform_commands(platform))
    state = build_state(name, platform, result.outputs)
    readable = [c for c in state.counters.values() if c.source == "cli" and c.readable and c.in_octets]
    assert readable, f"{platform}: no counters read from the interface command"


def _inventory_with_a_connection(lab, tmp_path, platform):
    """The lab device with one circuit and one hosted connection on it (lab.yaml `live.connection`)."""
    live = LIVE[platform]
    c = live["connection"]
    path = write_inventory(tmp_path, [lab.device(live["device"])])
    doc = yaml.safe_load(path.read_text())
    doc["circuits"] = [{"id": "pc-lab01", "region": "cn-shenzhen", "access_point": "ap-cn-shenzhen-nt-A",
                        "capacity": "10G", "device": live["device"], "interface": c["port"]}]
    doc["tenants"] = [{"account_id": "1300000000000299", "name": "Lab Tenant", "site": "china"}]
    doc["hosted_connections"] = [{"id": "pc-labhc01", "circuit": "pc-lab01", "tenant": "1300000000000299",
                                  "vlan": c["vlan"], "bandwidth": c["bandwidth"], "status": "enabled"}]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.mark.parametrize("platform", [p for p in PLATFORMS if "connection" in lab_data(p)["live"]])
def test_record_replays_to_the_same_findings(lab, tmp_path, platform, monkeypatch, capsys):
    for variable, value in ENV.items():
        monkeypatch.setenv(variable, value)
    inventory = _inventory_with_a_connection(lab, tmp_path, platform)
    assert main(["check", str(inventory), "--live", "--format", "json", "--timeout", "10"]) in (0, 1)
    live = json.loads(capsys.readouterr().out)
    record = tmp_path / "recorded"
    assert main(["collect", str(inventory), "--record", str(record), "--timeout", "10"]) == 0
    capsys.readouterr()
    assert main(["check", str(record / "inventory.yaml"), "--format", "json"]) in (0, 1)
    replayed = json.loads(capsys.readouterr().out)

    def verdicts(report):
        return sorted((f["rule"], f["status"], json.dumps(f["subject"], sort_keys=True), f["message"])
                      for f in report["findings"])
    assert verdicts(replayed) == verdicts(live)
    mine = [f for f in live["findings"] if f["subject"].get("hosted_connection") == "pc-labhc01"]
    assert {f["rule"] for f in mine} >= {"qos-bandwidth-limit", "config-drift"}
