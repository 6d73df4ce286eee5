"""`plan convert --vbr`: the conversion's preconditions from the demo's recorded cloud (a capped VBR on
pc-bj01, an uncapped one on pc-hz03), the ones it cannot see, and the runbook built from the SDK models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecpartner.cli import main

DEMO = Path(__file__).parents[2] / "fixtures" / "demo" / "inventory.yaml"


def convert(capsys, *args):
    code = main(["plan", "convert", str(DEMO), "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def verdicts(out):
    return {f["rule"]: f["status"] for f in out["findings"]}


def test_a_capped_vbr_may_be_converted_and_the_runbook_is_in_order(capsys):
    code, out = convert(capsys, "--vbr", "vbr-bj01legacy", "--dry-run")
    assert code == 0 and (out["circuit"], out["region"]) == ("pc-bj01", "cn-beijing")
    assert set(verdicts(out).values()) == {"pass"} and len(verdicts(out)) == 4
    (create,) = out["calls"]
    assert create["action"] == "CreateVpconnFromVbr"
    assert create["request"] == {"RegionId": "cn-beijing", "VbrId": "vbr-bj01legacy",
                                 "OrderMode": "PayByVirtualPhysicalConnectionOwner", "Token": create["request"]["Token"],
                                 "DryRun": True}
    assert [s.split(":")[0] for s in out["steps"]][:2] == ["CreateVpconnFromVbr", "notify tenant 1300000000000101 to accept the hosted connection and complete payment (Tenant operation guide)"]
    assert "Confirm" in out["steps"][-1]
    assert any("outbound data transfer billing" in c for c in out["to_confirm"])


def test_an_uncapped_vbr_is_blocked_until_a_cap_is_named(capsys):
    code, out = convert(capsys, "--vbr", "vbr-hz03legacy")
    assert code == 1 and verdicts(out)["convert-bandwidth-cap"] == "fail"
    cap = next(f for f in out["findings"] if f["rule"] == "convert-bandwidth-cap")
    assert "Speed Unlimited is not a valid option for the Bandwidth Cap" in cap["message"]
    code, out = convert(capsys, "--vbr", "vbr-hz03legacy", "--bandwidth-cap", "100")
    assert code == 0
    assert [c["action"] for c in out["calls"]] == ["ModifyVirtualBorderRouterAttribute", "CreateVpconnFromVbr"]
    assert out["calls"][0]["request"]["Bandwidth"] == 100                 # an integer, as the SDK model has it


@pytest.mark.parametrize("cap, ok", [(8700, True), (8800, False)])     # pc-hz03: 1.3G of 10G held
def test_the_circuit_must_have_room(capsys, cap, ok):
    code, out = convert(capsys, "--vbr", "vbr-hz03legacy", "--bandwidth-cap", str(cap))
    assert verdicts(out)["convert-room"] == ("pass" if ok else "fail") and code == (0 if ok else 1)


def test_an_unknown_vbr_is_blocked_naming_the_regions_searched(capsys):
    code, out = convert(capsys, "--vbr", "vbr-nothere")
    assert code == 1 and out["calls"] == []
    assert "no VBR with that id on any of the partner's circuits in cn-beijing" in out["findings"][0]["message"]


def test_the_table_lists_what_it_cannot_see_and_no_runbook_when_blocked(capsys):
    assert main(["plan", "convert", str(DEMO), "--vbr", "vbr-hz03legacy"]) == 1
    text = capsys.readouterr().out
    assert "Preconditions to confirm yourself" in text and "Runbook" not in text


def test_a_vlan_another_connection_uses_blocks(tmp_path, capsys):
    import shutil

    fleet = tmp_path / "demo"
    shutil.copytree(DEMO.parent, fleet)
    path = fleet / "cloud" / "cn-beijing" / "DescribeVirtualBorderRoutersForPhysicalConnection.json"
    doc = json.loads(path.read_text())
    for call in doc["calls"]:
        for v in call["response"]["VirtualBorderRouterForPhysicalConnectionSet"]["VirtualBorderRouterForPhysicalConnectionType"]:
            if v["VbrId"] == "vbr-bj01legacy":
                v["VlanId"] = 100                                   # pc-bj-hc01's VLAN on pc-bj01
    path.write_text(json.dumps(doc))
    assert main(["plan", "convert", str(fleet / "inventory.yaml"), "--vbr", "vbr-bj01legacy", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    clash = next(f for f in out["findings"] if f["rule"] == "convert-vlan-unique")
    assert clash["status"] == "fail" and clash["actual"] == ["pc-bj-hc01"]
