"""Round trip under hypothesis for every platform and family: a device whose running configuration drifted
from the inventory (made by render itself: a connection not configured, configured with another bandwidth,
the other status or another address, or a subinterface named for its VLAN carrying another; and per lab.yaml `remediate`, the
lines of statistics or ARP limits removed, a low ICMP limit added, an inbound limit from a traffic policy of
another bandwidth in place of the connection's own), with the `remediate` file applied
(render's apply model), parsed by our templates, passes every rule that fixes configuration; what no
finding named (every other interface) is as it was; and each definition is stated once, before its use."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecpartner.parse import build_state
from ecpartner.remediate import FIXING_RULES, attach, device_files, kinds, one_by_one
from ecpartner.render import _run, comment_marker, connection_view, device_users, render_connection, render_device
from ecpartner.rules import Context, evaluate
from ecpartner.state import Counters

from helpers.platforms import PLATFORM_FAMILIES, PLATFORMS, base_config, config_command, lab
from helpers.render_device_apply import apply
from helpers.render_inventory import add_circuit, add_connection, add_device, add_tenant, empty_inventory

SPECS = ["50M", "100M", "200M", "500M", "1G", "2G", "10G"]
DRIFTS = ["none", "missing", "bandwidth", "status", "address", "vlan"]     # vlan: not for VLAN 0
ADDRESSES = ["10.100.0.1/30", "172.16.5.9/29", "10.0.0.0/31"]


def remediate_data(platform: str) -> dict:
    return lab(platform).get("remediate", {})


def connection_drifts(platform: str, vlan: int) -> list[str]:
    """What can drift on one connection: lab.yaml `remediate.wrong_policy` says how a policy limit is written."""
    return [d for d in DRIFTS if vlan or d != "vlan"] + (["policy"] if remediate_data(platform).get("wrong_policy") else [])


def device_drifts(platform: str, family: str) -> list[str]:
    """What can drift on the whole device: lab.yaml `remediate` says which lines carry it on this platform."""
    data = remediate_data(platform)
    found = ["none"]
    if data.get("statistics_lines"):
        found.append("statistics")
    if data.get("arp_lines", {}).get(family):
        found.append("arp")
    if data.get("low_icmp"):
        found.append("icmp")
    return found


def parsed(platform, config):
    state = build_state("acc-01", platform, {config_command(platform): config})
    for name in state.interfaces:   # counters are runtime data the device reports, not configuration
        state.counters[name] = Counters(name, 1, 2, 3, 4, 0, 0, 0, 0)
    return state


@st.composite
def fleets(draw):
    platform, family = draw(st.sampled_from(PLATFORM_FAMILIES))
    port = draw(st.sampled_from(lab(platform)["render"]["ports"]))
    vlans = draw(st.one_of(st.just([0]), st.lists(st.integers(1, 2999), min_size=1, max_size=3, unique=True)))
    connections = [dict(vlan=v, spec=draw(st.sampled_from(SPECS)),
                        status=draw(st.sampled_from(["enabled", "enabled", "disabled"])),
                        users=draw(st.integers(1, 4)), address=draw(st.sampled_from([None, *ADDRESSES])),
                        drift=draw(st.sampled_from(connection_drifts(platform, v))))
                   for v in vlans]
    return dict(platform=platform, family=family, port=port, connections=connections,
                device=draw(st.sampled_from(device_drifts(platform, family))))


def build(case):
    """The inventory, and the running configuration as it drifted from it."""
    platform, port = case["platform"], case["port"]
    inv = empty_inventory()
    add_device(inv, "acc-01", platform, case["family"])
    add_circuit(inv, "pc-circuit01", "acc-01", port)
    snippets, policed = [], []
    for n, c in enumerate(case["connections"]):
        account = f"19876543210987{n:02d}"
        add_tenant(inv, account, f"Tenant {n}", users=c["users"])
        address = c["address"] if c["address"] is None else c["address"].replace(".0/31", f".{2 * n}/31")
        hc = add_connection(inv, "pc-circuit01", account, c["vlan"], c["spec"], status=c["status"], id=f"pc-hc{n:04d}",
                            address=address)
        drift = c["drift"]
        if drift == "missing":
            continue
        shown = hc
        if drift == "bandwidth":
            shown = hc.__class__(**{**hc.__dict__, "bandwidth_text": "100M" if c["spec"] != "100M" else "1G"})
            shown = shown.__class__(**{**shown.__dict__, "bandwidth": int(shown.bandwidth_text[:-1]) * (
                10**6 if shown.bandwidth_text.endswith("M") else 10**9)})
        elif drift == "address":    # configured with another address (or one the inventory does not give)
            shown = hc.__class__(**{**hc.__dict__, "address": f"192.168.{n}.1/24"})
        elif drift == "status":
            shown = hc.__class__(**{**hc.__dict__, "status": "disabled" if c["status"] == "enabled" else "enabled"})
        if drift == "vlan":     # the subinterface named for its VLAN carries another (unused) VLAN
            other = next(v for v in range(3000 - c["vlan"] % 7, 1, -1)
                         if v not in [x["vlan"] for x in case["connections"]])
            view = connection_view(inv, hc)
            snippets.append(_run(platform, "create", hc.key, c=view._replace(vlan=other)))
            continue
        if drift == "policy":
            policed.append(connection_view(inv, hc))
        inv.hosted_connections[-1] = shown
        snippets.append(render_connection(inv, shown, "create", cloud=False))
        inv.hosted_connections[-1] = hc
    running = base_config(platform, port, case["family"])
    if snippets:
        running = apply(platform, running, render_device(inv, "acc-01", "create", snippets, device_users(inv)))
    data = remediate_data(platform)
    if policed:
        running = apply(platform, running, data["wrong_policy"]["definitions"])
    for view in policed:
        running = apply(platform, running, data["wrong_policy"]["interface"].format(
            interface=view.interface, kbps=view.bandwidth_kbps))
    drop = {"statistics": data.get("statistics_lines", []),
            "arp": data.get("arp_lines", {}).get(case["family"], [])}.get(case["device"], [])
    if drop:
        running = "\n".join(line for line in running.splitlines()
                             if not any(re.search(p, line.strip()) for p in drop)) + "\n"
    if case["device"] == "icmp":
        running = apply(platform, running, data["low_icmp"])
    return inv, running


SLOW = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def judge(inv, state):
    return evaluate(Context(inventory=inv, states={"acc-01": state}), list(FIXING_RULES))


@SLOW
@given(fleets())
def test_remediation_round_trip(case):
    platform = case["platform"]
    inv, running = build(case)
    before_state = parsed(platform, running)
    before = judge(inv, before_state)
    remedies = attach(inv, {"acc-01": before_state}, before)
    files = device_files(inv, before, remedies)
    drifted = [c["drift"] for c in case["connections"] if c["status"] == "enabled" and c["drift"] != "none"
               and not (c["drift"] == "address" and c["address"] is None)]   # no address asked: none checked
    if drifted:     # an enabled connection that drifted always fails some rule, and gets its fix
        assert files and any(not r.suggestion for r in remedies.values()), drifted
    fixed = running if not files else apply(platform, running, files["acc-01"])
    after_state = parsed(platform, fixed)
    after = judge(inv, after_state)
    problems = [f"{f.rule} {f.subject['interface']}: {f.status}: {f.message}" for f in after
                if f.status != "pass" and not ("orphan" in kinds(f))]
    assert not problems, "\n".join(problems) + "\n---\n" + (files.get("acc-01") or "")
    # nothing was left without a remediation that configuration could fix
    unfixed = [f.message for f in before if f.is_problem and f.fix and id(f) not in remedies and "orphan" not in kinds(f)]
    assert not unfixed, "fixable findings without a remediation"
    # what no finding named is as it was
    named = {f.subject["interface"] for f in before if id(f) in remedies} | {
        connection_view(inv, hc).interface for hc in inv.hosted_connections} | {case["port"]}
    for name, iface in before_state.interfaces.items():
        if name not in named:
            assert after_state.interfaces.get(name) == iface, name
    # each definition (a policy, a class, a policer, what an interface needs first) once, before every use
    if files:
        text = files["acc-01"]
        applied = [r for r in remedies.values() if not r.suggestion]
        definitions = {d for r in applied for d in r.definitions}
        bodies = [b.rstrip("\n") for r in applied for b in r.bodies]
        marker = comment_marker(platform)
        stanzas = Counter(one_by_one("".join(line for line in text.splitlines(keepends=True)
                                             if not line.startswith(marker + " ")), marker))
        assert [s for s, n in stanzas.items() if n > 1] == [], text
        if definitions and bodies:
            assert max(text.index(d) for d in definitions) < min(text.index(b) for b in bodies), text
    # applied twice: the same configuration as once
    if files:
        again = parsed(platform, apply(platform, fixed, files["acc-01"]))
        assert again.to_dict() == after_state.to_dict()
        assert re.search(r"fixes \S+", files["acc-01"])


def test_a_wrong_traffic_policy_is_undone_once_and_the_car_set():
    """Huawei: an inbound limit from an MQC policy of another bandwidth (two classes of it matching all
    traffic) is replaced, not left beside the new CAR; the policy's definition stays (others may use it)."""
    case = dict(platform="huawei", family="router", port="GigabitEthernet0/0/1", device="none",
                connections=[dict(vlan=100, spec="200M", status="enabled", users=1, address=None, drift="policy")])
    inv, running = build(case)
    running = running.replace(" classifier ECPT-ANY behavior ECPT-WRONG precedence 5",
                              " classifier ECPT-ANY behavior ECPT-WRONG precedence 5\n"
                              " classifier ECPT-ALL behavior ECPT-WRONG precedence 6").replace(
        "traffic behavior ECPT-WRONG", "traffic classifier ECPT-ALL operator or\n if-match any\n#\n"
                                       "traffic behavior ECPT-WRONG")
    state = parsed("huawei", running)
    assert len([r for r in state.limits("qos", "GigabitEthernet0/0/1.100") if r.source.startswith("policy ")]) == 2
    findings = judge(inv, state)
    text = device_files(inv, findings, attach(inv, {"acc-01": state}, findings))["acc-01"]
    body = text[text.index("interface GigabitEthernet0/0/1.100"):]
    assert body.count("undo traffic-policy ECPT-WRONG inbound") == 1
    assert body.index("undo traffic-policy ECPT-WRONG inbound") < body.index("qos car cir 200000 inbound")
    fixed = parsed("huawei", apply("huawei", running, text))
    assert [f.status for f in judge(inv, fixed) if f.rule == "qos-bandwidth-limit"] == ["pass"]
    assert "traffic policy ECPT-WRONG" in apply("huawei", running, text)


def test_every_platform_is_drawn():
    assert {p for p, _ in PLATFORM_FAMILIES} == set(PLATFORMS)
