"""Every platform of the live lab (tests/platforms/<platform>/lab.yaml `live`), collected over SSH from FakeNOS
with its real prompts and paging commands: the session stays read-only at the platform's command prompt, the
text is what the device served with only its credential lines scrubbed, and `collect --record` replays to the
same state and the same findings as the live run."""

from __future__ import annotations

import json
import re

import pytest

from helpers.labdata import ENV, LIVE, SECRETS, served_outputs, write_inventory
from ecpartner.cli import main
from ecpartner.collect.fixtures import collect_recorded
from ecpartner.collect.live import collect_live
from ecpartner.inventory_loader import load_inventory
from ecpartner.parse import build_state
from ecpartner.platforms import platform_commands

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # FakeNOS server side

LIVE_PLATFORMS = sorted(LIVE)


@pytest.fixture
def env(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("platform", LIVE_PLATFORMS)
def test_collected_read_only_with_paging_off_at_the_real_prompt(lab, tmp_path, platform):
    live = LIVE[platform]
    name = live["device"]
    inv = load_inventory(write_inventory(tmp_path, [lab.device(name)]))
    before = len(lab.fake.seen)
    result = collect_live(inv, timeout=10, environ=ENV)[name]
    assert result.error is None, result.error
    seen = [(prompt, command) for device, prompt, command in lab.fake.seen[before:]
            if device == name and command not in SECRETS]                # an enable step answers with the secret
    commands = [command for _prompt, command in seen]
    # with SNMP walked, only the configuration command runs besides the session's own (paging) commands
    config_commands = [c for c in commands if c in platform_commands(platform)]
    assert config_commands == list(platform_commands(platform, with_snmp=True))
    assert set(commands) - set(config_commands) <= set(live["session"])
    paging = [c for c, spec in live["session"].items() if "new_prompt" not in spec and spec["output"] is not True]
    assert paging and set(paging) <= set(commands)                       # paging off, as netmiko does it
    assert commands.index(config_commands[0]) > max(commands.index(c) for c in paging)
    # never a command that changes mode (configuration mode), besides the enable step
    mode_changes = {c for c, spec in live["session"].items() if "new_prompt" in spec and c != "enable"}
    assert not set(commands) & mode_changes
    prompts = {live["prompts"][p].format(base_prompt=name) for p in live["command_prompts"]}
    assert {prompt for prompt, command in seen if command in config_commands} <= prompts
    # the text is what the device printed, but for the lines that carried a secret
    for command, text in result.outputs.items():
        served = served_outputs(platform)[command]
        assert not [s for s in SECRETS if s in text]
        got, sent = text.splitlines(), served.splitlines()
        assert len(got) == len(sent)
        changed = [(a, b) for a, b in zip(got, sent) if a != b]
        # a changed line is the served one with some tokens replaced by <removed>, nothing else
        assert all("<removed>" in a and re.fullmatch(r"\S+".join(map(re.escape, a.split("<removed>"))), b)
                   for a, b in changed), changed
        # the lab's own secrets were in what was served, so scrubbing was really put to the test
        assert any(x in served for x in SECRETS) == any(x in b for _a, b in changed for x in SECRETS)


@pytest.mark.parametrize("platform", LIVE_PLATFORMS)
def test_record_replays_to_the_same_state_and_findings(lab, tmp_path, env, capsys, platform):
    name = LIVE[platform]["device"]
    inventory = write_inventory(tmp_path, [lab.device(name)])
    record = tmp_path / "recorded"
    assert main(["collect", str(inventory), "--record", str(record), "--timeout", "10"]) == 0
    capsys.readouterr()

    inv = load_inventory(record / "inventory.yaml")
    replayed = collect_recorded(record, inv.devices[name])
    live = collect_live(load_inventory(inventory), [name], timeout=10)[name]
    assert replayed.error is None and replayed.outputs == live.outputs
    state = build_state(name, platform, replayed.outputs, replayed.snmp)
    assert state.interfaces and state.counters                          # parsed, counters from the walk
    assert state.to_dict()["interfaces"] == build_state(name, platform, live.outputs, live.snmp).to_dict()["interfaces"]

    main(["check", str(record / "inventory.yaml"), "--format", "json"])
    from_recording = json.loads(capsys.readouterr().out)["findings"]
    main(["check", str(inventory), "--live", "--format", "json"])
    from_live = json.loads(capsys.readouterr().out)["findings"]
    assert from_recording and [(f["rule"], f["status"], f["subject"], f["message"]) for f in from_recording] == \
        [(f["rule"], f["status"], f["subject"], f["message"]) for f in from_live]


@pytest.mark.parametrize("platform", [p for p in LIVE_PLATFORMS if len(platform_commands(p)) > len(platform_commands(p, with_snmp=True))])
def test_without_snmp_the_interface_command_gives_the_counters(lab, tmp_path, platform):
    name = LIVE[platform]["device"]
    entry = lab.device(name)
    del entry["snmp"]
    result = collect_live(load_inventory(write_inventory(tmp_path, [entry])), timeout=10, environ=ENV)[name]
    assert result.error is None and result.snmp is None
    assert set(result.outputs) == set(platform_commands(platform))
    state = build_state(name, platform, result.outputs, result.snmp)
    cli = {n: c for n, c in state.counters.items() if c.source == "cli" and c.in_octets}
    assert cli and set(cli) <= set(state.interfaces)                    # named as the configuration names them
    assert any(state.interfaces[n].parent for n in cli)                 # a subinterface's own counters too
