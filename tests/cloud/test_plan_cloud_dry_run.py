"""`plan --cloud-dry-run`: the DryRun CreateVirtualPhysicalConnection goes through the SDK to the API double;
DRYRUN.SUCCESS passes, the guide's troubleshooting errors are explained in its words and block the plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.cloud_double import CloudDouble, region_from_inventory
from ecpartner.cli import main
from ecpartner.cloud_state import explain_dry_run
from ecpartner.inventory_loader import load_inventory

pytestmark = pytest.mark.live
CLEAN = Path(__file__).parents[2] / "fixtures" / "clean" / "inventory.yaml"
PLAN = ["plan", str(CLEAN), "--circuit", "pc-bj01", "--tenant", "1100000000000002", "--bandwidth", "300M",
        "--vlan", "auto", "--at", "2026-11-26T10:00:00+08:00", "--cloud-dry-run", "--format", "json"]


@pytest.fixture
def double(monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tTestKeyId000")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "test-secret-value-0123456789")
    with CloudDouble({"cn-beijing": region_from_inventory(load_inventory(CLEAN), "cn-beijing", "CU")}) as d:
        monkeypatch.setenv("ECP_CLOUD_ENDPOINT", d.endpoint)
        yield d


def test_dryrun_success_passes_and_the_request_is_the_plans(double, capsys):
    code = main(PLAN)
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["applicable"] is True, out["blockers"][0]["message"]
    answer = out["cloud_dry_run"]
    assert (answer["rule"], answer["status"], answer["actual"]) == ("cloud-dry-run", "pass", "DRYRUN.SUCCESS")
    (sent,) = double.calls("CreateVirtualPhysicalConnection")
    assert sent["DryRun"].lower() == "true"
    assert {k: sent[k] for k in ("PhysicalConnectionId", "VlanId", "VpconnAliUid", "Spec", "RegionId")} == {
        "PhysicalConnectionId": "pc-bj01", "VlanId": str(out["connection"]["vlan"]), "VpconnAliUid": "1100000000000002",
        "Spec": "300M", "RegionId": "cn-beijing"}
    assert out["api"]["request"]["DryRun"] is True


@pytest.mark.parametrize("code, message, words", [
    ("Forbidden.CrossSite", "Cross-site hosted connection is not allowed", "different Alibaba Cloud sites"),
    ("InsufficientBandwidth", "Insufficient bandwidth resources", "exceeds its capacity"),
    ("InvalidBandwidth", "Invalid Bandwidth parameter", "permissions to manage hosted connections have expired"),
    ("IllegalParam.Bandwidth", "The specified bandwidth is invalid.", "re-apply for permissions"),
    ("InvalidVlanId.Used", "The specified VlanId is already in use.", "already used by another connection"),
])
def test_the_guides_errors_are_explained_and_block(double, capsys, code, message, words):
    double.dry_run_answer = (code, message)
    assert main(PLAN) == 1
    out = json.loads(capsys.readouterr().out)
    answer = out["cloud_dry_run"]
    assert answer["status"] == "fail" and answer["actual"] == code
    assert message in answer["message"] and words in answer["message"]
    assert answer in out["blockers"] and out["applicable"] is False


def test_an_unexplained_error_is_shown_as_the_cloud_said_it(double, capsys):
    double.dry_run_answer = ("Forbidden.RAM", "User not authorized to operate on the specified resource.")
    assert main([*PLAN[:-2]]) == 1                                   # the table: the answer in its own section
    text = capsys.readouterr().out
    assert "Alibaba Cloud dry run" in text and "Forbidden.RAM: User not authorized" in text
    assert "the guide:" not in text.split("Alibaba Cloud dry run")[1].split("\n\n")[0]


def test_explanations_ignore_case_and_punctuation():
    assert explain_dry_run("Some.Code", "CROSS-SITE hosted connection is not allowed").startswith("Cross-site")
    assert explain_dry_run("Other", "nothing known") is None
