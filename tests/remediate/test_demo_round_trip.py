"""Round trip on the recorded demo fleet (a device of every platform): each device's recorded running
configuration with its `remediate` file applied (the apply model of render's round trip), parsed by our
templates, passes every finding the file says it fixes, and leaves every other finding as it was."""

from __future__ import annotations

import pytest

from ecpartner.collect import collect_fleet
from ecpartner.inventory_loader import load_inventory
from ecpartner.parse import build_state, build_states
from ecpartner.platforms import platform_spec
from ecpartner.remediate import FIXING_RULES, attach, device_files, kinds
from ecpartner.rules import Context, evaluate

from helpers.demo import DEMO
from helpers.platforms import PLATFORMS
from helpers.render_device_apply import apply


def key(f):
    """A finding's identity across the fix: a connection's rule and connection (its interface may be found
    only once fixed), else rule, device and interface."""
    s = f.subject
    return (f.rule, s["hosted_connection"]) if s["hosted_connection"] else (f.rule, s["device"], s["interface"])


@pytest.fixture(scope="module")
def demo():
    inv = load_inventory(DEMO / "inventory.yaml")
    states, failures = build_states(inv, collect_fleet(inv))
    findings = evaluate(Context(inventory=inv, states=states, failures=failures), list(FIXING_RULES))
    remedies = attach(inv, states, findings)
    return inv, states, failures, findings, remedies, device_files(inv, findings, remedies)


def fixed_states(inv, states, files):
    """Every device's state after its file is applied to its recorded configuration (counters kept: they are
    what the device reports, not configuration)."""
    after = dict(states)
    for name, text in files.items():
        platform = inv.devices[name].platform
        command = platform_spec(platform).config_command
        recorded = (DEMO / "devices" / name / f"{_slug(command)}.txt").read_text(encoding="utf-8")
        state = build_state(name, platform, {command: apply(platform, recorded, text)})
        state.counters = states[name].counters
        after[name] = state
    return after


def _slug(command):
    from ecpartner.collect.fixtures import command_slug
    return command_slug(command)


def test_every_platform_has_a_device_to_remediate_in_the_demo(demo):
    inv, *_, files = demo
    assert {inv.devices[name].platform for name in files} == set(PLATFORMS)


def test_the_remediated_demo_passes_what_was_fixed_and_nothing_else_changes(demo):
    inv, states, failures, findings, remedies, files = demo
    after = evaluate(Context(inventory=inv, states=fixed_states(inv, states, files), failures=failures),
                     list(FIXING_RULES))
    fixed = {key(f) for f in findings if id(f) in remedies and not remedies[id(f)].suggestion}
    assert len(fixed) >= 15
    by_key = {}
    for f in after:
        by_key.setdefault(key(f), []).append(f)
    still = [f"{f.rule} {f.subject}: {f.message}" for k in fixed for f in by_key.get(k, []) if f.status != "pass"]
    assert not still, "\n".join(still)
    # the orphan that a wrong-VLAN connection's subinterface was is no orphan once that is rebuilt
    rebuilt = {("config-drift", f.subject["device"], f.subject["interface"]) for f in findings
               if f.rule == "config-drift" and "interface" in kinds(f) and f.subject["interface"]}
    assert rebuilt and not [f for k in rebuilt for f in by_key.get(k, []) if f.status != "pass"]
    before = {}
    for f in findings:
        if key(f) not in fixed and key(f) not in rebuilt:
            before.setdefault(key(f), []).append((f.status, f.severity))
    changed = {k: (v, [(f.status, f.severity) for f in by_key.get(k, [])]) for k, v in before.items()
               if sorted(v) != sorted((f.status, f.severity) for f in by_key.get(k, []))}
    assert not changed


def test_remediating_twice_changes_nothing_more(demo):
    inv, states, failures, findings, remedies, files = demo
    for name, text in files.items():
        platform = inv.devices[name].platform
        command = platform_spec(platform).config_command
        recorded = (DEMO / "devices" / name / f"{_slug(command)}.txt").read_text(encoding="utf-8")
        applied = apply(platform, recorded, text)
        assert (build_state(name, platform, {command: apply(platform, applied, text)}).to_dict()
                == build_state(name, platform, {command: applied}).to_dict()), name
    # and a check of the fixed fleet finds nothing more to apply: only the orphan suggestions stay
    once = fixed_states(inv, states, files)
    again = evaluate(Context(inventory=inv, states=once, failures=failures), list(FIXING_RULES))
    left = attach(inv, once, again)
    assert left and all(r.suggestion for r in left.values())


def test_orphans_are_suggested_commented_never_removed(demo):
    inv, states, failures, findings, remedies, files = demo
    orphans = [f for f in findings if "orphan" in kinds(f) and f.remediation]
    assert orphans
    for f in orphans:
        marker = platform_spec(inv.devices[f.subject["device"]].platform).comment
        assert all(line.startswith(marker) for line in f.remediation.splitlines())
        assert f"VLAN {f.actual}" in f.remediation
    # the subinterface a wrong-VLAN connection is rebuilt on is not suggested for removal
    rebuilt = [f for f in findings if f.rule == "config-drift" and "interface" in kinds(f)]
    assert rebuilt and all(not any(o.subject["interface"] == f.subject["interface"] for o in orphans) for f in rebuilt)


def test_the_file_names_the_findings_it_fixes_and_defines_before_use(demo):
    inv, states, failures, findings, remedies, files = demo
    text = files["hz-acc-02"]
    assert "fixes qos-bandwidth-limit" in text and "hosted_connection=pc-hc09" in text
    assert text.index("policy-map ECP-200M") < text.index("service-policy input ECP-200M")
    assert text.count("policy-map ECP-200M\n") == 1
