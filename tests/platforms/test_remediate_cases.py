"""Golden remediation files: every platform x device family, one drifted device (render's golden inventory
configured with a wrong bandwidth, a disabled connection left up, a connection missing, an orphan
subinterface, and per lab.yaml `remediate` statistics off and a too-low ICMP limit), its `remediate` file
compared byte for byte with tests/platforms/<platform>/remediate/[<family>/]drift.cfg. Reviewed by eye;
regenerate with ECP_UPDATE_GOLDEN=1 and review the diff. The file, applied, leaves nothing to fix."""

from __future__ import annotations

import os
import re
from dataclasses import replace

import pytest

from ecpartner.parse import build_state
from ecpartner.remediate import FIXING_RULES, attach, device_files
from ecpartner.render import device_users, render_connection, render_device
from ecpartner.rules import Context, evaluate
from ecpartner.state import Counters

from helpers.platforms import PLATFORM_FAMILIES, PLATFORMS_DIR, base_config, config_command, lab
from helpers.render_device_apply import apply
from helpers.render_inventory import add_connection, golden_inventory


def drifted(platform: str, family: str):
    """The golden inventory with a fourth connection (VLAN 102, enabled), and the running configuration of a
    device that drifted from it."""
    inv = golden_inventory(platform, family)
    first, second, third = inv.hosted_connections
    add_connection(inv, "pc-circuit-a", "1100000000000002", 102, "300M", id="pc-hosted0004")
    orphan = replace(first, vlan=150, id="pc-hosted0150")
    shown = [replace(first, bandwidth=100_000_000, bandwidth_text="100M"),    # wrong QoS both ways
             replace(second, status="enabled"),                               # disabled, but left up
             third, orphan]                                                   # 0004 missing; VLAN 150 owned by none
    inv.hosted_connections.append(orphan)
    snippets = [render_connection(inv, hc, "create", cloud=False) for hc in shown]
    inv.hosted_connections.remove(orphan)
    port = inv.circuits["pc-circuit-a"].interface
    running = apply(platform, base_config(platform, port, family), render_device(inv, "acc-01", "create", snippets, device_users(inv)))
    data = lab(platform).get("remediate", {})
    drop = data.get("statistics_lines", [])
    running = "\n".join(line for line in running.splitlines() if not any(re.search(p, line.strip()) for p in drop))
    if data.get("low_icmp"):
        running = apply(platform, running + "\n", data["low_icmp"])
    return inv, running


def state_of(platform, config):
    state = build_state("acc-01", platform, {config_command(platform): config})
    for name in state.interfaces:   # counters are what the device reports, not configuration
        state.counters[name] = Counters(name, 1, 2, 3, 4, 0, 0, 0, 0)
    return state


def golden_path(platform, family):
    folder = PLATFORMS_DIR / platform / "remediate"
    return (folder if family == "router" else folder / family) / "drift.cfg"


@pytest.mark.parametrize("platform,family", PLATFORM_FAMILIES, ids=[f"{p}-{f}" for p, f in PLATFORM_FAMILIES])
def test_golden_remediation(platform, family):
    inv, running = drifted(platform, family)
    state = state_of(platform, running)
    findings = evaluate(Context(inventory=inv, states={"acc-01": state}), list(FIXING_RULES))
    files = device_files(inv, findings, attach(inv, {"acc-01": state}, findings))
    text = files["acc-01"]
    for needed in ("pc-hosted0001", "pc-hosted0002", "pc-hosted0004", "suggests config-drift"):
        assert needed in text, needed
    path = golden_path(platform, family)
    if os.environ.get("ECP_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{path} differs; review and regenerate with ECP_UPDATE_GOLDEN=1"
    # applied, nothing is left to fix but the orphan a person must decide on
    after = state_of(platform, apply(platform, running, text))
    again = evaluate(Context(inventory=inv, states={"acc-01": after}), list(FIXING_RULES))
    problems = [f"{f.rule} {f.subject['interface']}: {f.message}" for f in again
                if f.is_problem and "Orphan" not in f.message]
    assert not problems


def test_no_blank_or_whitespace_only_lines():
    for path in PLATFORMS_DIR.glob("*/remediate/**/*.cfg"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert line.strip(), f"{path}:{number} is blank"
            assert line == line.rstrip(), f"{path}:{number} has trailing spaces"
            assert "None" not in line, f"{path}:{number} prints None"
