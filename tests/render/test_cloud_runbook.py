"""The Alibaba Cloud runbook of each render action: requests built from the SDK's request models (a wrong
field name or type fails), printed as shell-safe aliyun command lines behind the platform's comment
marker, in the guide's order, with deterministic idempotency tokens and a DryRun variant."""

from __future__ import annotations

import shlex
from dataclasses import replace

import pytest
from alibabacloud_vpc20160428 import models

from ecpartner.cloud_runbook import VBR, Call, build, runbook, token
from ecpartner.platforms import platform_spec
from ecpartner.render import connection_view, render_fleet

from helpers.platforms import PLATFORMS
from helpers.render_inventory import GOLDEN_CASES, golden_inventory

ACTIONS = ["create", "modify-vlan", "disable", "enable", "delete"]


def view(platform="huawei", index=0, **changes):
    inv = golden_inventory(platform)
    hc = replace(inv.hosted_connections[index], **changes)
    return inv, connection_view(inv, hc)


def books(dry_run=False):
    inv, c = view()
    new = connection_view(inv, replace(inv.hosted_connections[0], vlan=200))
    return {action: runbook(action, c, new, dry_run=dry_run) for action in ACTIONS}


def aliyun_words(line: str) -> tuple[str, dict]:
    """The action and --Name value pairs of a printed command line, as a shell would split it."""
    if line.startswith(("VBR_ID=$(", "HC_ID=$(")):      # a look-up: VAR=$(aliyun ... | jq -r '...'); echo ...
        line = line.split("$(", 1)[1].split(" | jq ", 1)[0]
    words = shlex.split(line)
    assert words[:2] == ["aliyun", "vpc"] and len(words) % 2 == 1, line
    return words[2], {k[2:]: v for k, v in zip(words[3::2], words[4::2])}


# ---------------------------------------------------------------- the SDK models decide names and types

def test_every_request_of_every_action_is_what_its_sdk_model_serialises():
    for dry_run in (False, True):
        for action, book in books(dry_run).items():
            for call in book.calls:
                model = getattr(models, f"{call.action}Request")()
                model.from_map({k.split(".")[0]: v for k, v in call.request.items() if "." not in k})
                serialised = {k: v for k, v in model.to_map().items() if v != []}
                assert serialised == {k: v for k, v in call.request.items() if "." not in k}, (action, call.action)


@pytest.mark.parametrize("fields, problem", [
    (dict(vpconn_ali_uid="1987654321098765"), "vpconn_ali_uid"),     # a Long in the model, not a string
    (dict(vlan_id="100"), "vlan_id"),
    (dict(vlan_id=True), "vlan_id"),                                # a bool is not an integer
    (dict(dry_run="true"), "dry_run"),
    (dict(vpconn_uid=1987654321098765), "no field 'vpconn_uid'"),   # a typo of a field name
    (dict(VlanId=100), "no field 'VlanId'"),
])
def test_a_wrong_field_name_or_type_cannot_pass(fields, problem):
    with pytest.raises(TypeError, match=problem):
        build("CreateVirtualPhysicalConnectionRequest", region_id="cn-hangzhou", **fields)


def test_create_carries_integers_where_the_api_has_them():
    create = books()["create"].calls[0]
    assert create.action == "CreateVirtualPhysicalConnection"
    assert create.request["VpconnAliUid"] == 1987654321098765 and create.request["VlanId"] == 100
    assert create.request["OrderMode"] == "PayByVirtualPhysicalConnectionOwner"
    assert create.request["PhysicalConnectionId"] == "pc-circuit-a" and create.request["Spec"] == "200M"


# ---------------------------------------------------------------- the steps and their order

def test_each_action_has_the_calls_the_guide_and_the_api_need_in_order():
    found = {action: [c.action for c in book.calls] for action, book in books().items()}
    describe = "DescribeVirtualBorderRoutersForPhysicalConnection"
    assert found == {
        "create": ["CreateVirtualPhysicalConnection"],
        "modify-vlan": ["UpdateVirtualPhysicalConnection"],
        "disable": [describe, "TerminateVirtualBorderRouter", "TerminatePhysicalConnection"],
        "enable": ["RecoverPhysicalConnection", describe, "RecoverVirtualBorderRouter"],
        "delete": [describe, "TerminateVirtualBorderRouter", "DeleteVirtualBorderRouter",
                   "TerminatePhysicalConnection", "DeletePhysicalConnection"],
    }


def test_the_vbr_is_looked_up_by_a_step_and_used_through_its_variable():
    book = books()["delete"]
    lookup = book.calls[0]
    assert lookup.capture == VBR and lookup.request == {"RegionId": "cn-hangzhou", "PhysicalConnectionId": "pc-hosted0001"}
    assert lookup.command.startswith('VBR_ID=$(aliyun vpc DescribeVirtualBorderRoutersForPhysicalConnection ')
    for call in book.calls[1:3]:
        assert aliyun_words(call.command)[1]["VbrId"] == "$VBR_ID"    # shlex keeps "$VBR_ID" for the shell
        assert '--VbrId "$VBR_ID"' in call.command
    text = "\n".join(render_fleet(golden_inventory("huawei"), **GOLDEN_CASES["delete"]).values())
    assert "<VBR" not in text and "<hosted" not in text


def test_modify_vlan_states_the_order_and_the_outage():
    inv, c = view()
    new = connection_view(inv, replace(inv.hosted_connections[0], vlan=200))
    lines = runbook("modify-vlan", c, new).lines("modify-vlan pc-hosted0001", c.device, new.interface)
    text = "\n".join(lines)
    assert "the cloud VLAN first, then the device" in text and "traffic on this connection stops" in text
    assert text.index("UpdateVirtualPhysicalConnection --RegionId") < text.index("the lines below (GigabitEthernet0/0/1.200)")
    assert aliyun_words(lines[-2].strip())[1] == {"RegionId": "cn-hangzhou", "InstanceId": "pc-hosted0001",
                                                   "VlanId": "200", "Token": token("UpdateVirtualPhysicalConnection",
                                                                                   c, 200)}


def test_a_connection_without_an_id_is_found_by_circuit_and_vlan_first():
    inv, c = view(id=None)
    book = runbook("disable", c)
    first = book.calls[0]
    assert first.action == "ListVirtualPhysicalConnections" and first.capture == "HC_ID"
    assert aliyun_words(first.command)[1] == {"RegionId": "cn-hangzhou", "PhysicalConnectionId": "pc-circuit-a",
                                              "VlanIds.1": "100"}
    assert aliyun_words(book.calls[-1].command)[1]["PhysicalConnectionId"] == "$HC_ID"


# ---------------------------------------------------------------- tokens and dry runs

def test_tokens_are_deterministic_and_distinct_per_connection_action_and_values():
    _, a = view(index=0)
    _, b = view(index=1)
    t = token("UpdateVirtualPhysicalConnection", a, 200)
    assert t == token("UpdateVirtualPhysicalConnection", a, 200) and t.isascii() and len(t) <= 64
    others = {token("UpdateVirtualPhysicalConnection", a, 201), token("UpdateVirtualPhysicalConnection", b, 200),
              token("RecoverPhysicalConnection", a, 200), token("UpdateVirtualPhysicalConnection", a, 200, dry_run=True)}
    assert t not in others and len(others) == 4
    # the same render twice prints the same tokens: pasting a step twice acts once
    assert render_fleet(golden_inventory("huawei"), **GOLDEN_CASES["delete"]) == \
        render_fleet(golden_inventory("huawei"), **GOLDEN_CASES["delete"])


def test_token_or_client_token_whichever_the_model_has():
    for book in books().values():
        for call in book.calls:
            if call.capture is not None:
                continue
            hints = getattr(models, f"{call.action}Request").__init__.__annotations__
            expected = "Token" if "token" in hints else "ClientToken"
            assert expected in call.request, call.action


def test_dry_run_sets_dry_run_where_the_api_has_it_and_says_so_where_not():
    for action, book in books(dry_run=True).items():
        for call in book.calls:
            if call.capture is not None:
                assert "DryRun" not in call.request
                continue
            has = "dry_run" in getattr(models, f"{call.action}Request").__init__.__annotations__
            assert call.request.get("DryRun") is (True if has else None), call.action
            assert call.dry_run is has
    text = render_fleet(golden_inventory("cisco_ios"), ["pc-hosted0001"], action="delete", dry_run=True)["acc-01"]
    assert "DRY RUN" in text and "this call has no DryRun parameter: skip it in a dry run" in text
    create = render_fleet(golden_inventory("cisco_ios"), ["pc-hosted0001"], action="create", dry_run=True)["acc-01"]
    assert "--DryRun true" in create
    assert "--DryRun" not in render_fleet(golden_inventory("cisco_ios"), ["pc-hosted0001"], action="create")["acc-01"]


# ---------------------------------------------------------------- shell and device safety

def test_values_are_shell_quoted_whatever_they_hold():
    hostile = "x'; rm -rf / #$(reboot)`id`"
    call = Call("DeleteVirtualBorderRouter", "test", {"RegionId": hostile, "VbrId": VBR})
    assert aliyun_words(call.command) == ("DeleteVirtualBorderRouter", {"RegionId": hostile, "VbrId": "$VBR_ID"})


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_cloud_line_is_a_comment_of_the_platform_and_splits_back_to_its_request(platform):
    marker = platform_spec(platform).comment
    for case, kwargs in GOLDEN_CASES.items():
        text = "\n".join(render_fleet(golden_inventory(platform), **kwargs).values())
        lines = [line for line in text.splitlines() if "aliyun" in line or "Alibaba" in line]
        assert lines, case
        assert all(line.startswith(marker + " ") for line in lines), case
        assert "?" not in text and "\t" not in text, case     # help and completion keys act even in a comment
        for line in lines:
            command = line[len(marker):].strip()
            if command.startswith(("aliyun vpc", "VBR_ID=", "HC_ID=")):
                action, params = aliyun_words(command)
                assert action in {c for book in books().values() for c in (x.action for x in book.calls)}


def test_a_description_with_shell_characters_stays_one_word():
    inv = golden_inventory("huawei")
    tenant = inv.tenants["1987654321098765"]
    inv.tenants["1987654321098765"] = replace(tenant, name="Acme & Sons (HZ) = 1+1")
    text = render_fleet(inv, ["pc-hosted0001"], action="create")["acc-01"]
    line = next(line for line in text.splitlines() if "aliyun vpc CreateVirtualPhysicalConnection" in line)
    params = aliyun_words(line.lstrip("# "))[1]
    assert params["Description"] == "ECP pc-hosted0001 tenant 1987654321098765 Acme & Sons (HZ) = 1+1"
    assert params["Name"] == "ecp-Acme-Sons-HZ-1-1-vlan100"

