"""The recorded answers are realistic: every response body in the demo's cloud/ (written by the collector
from the double) has exactly the SDK response models' field names (to_map(from_map(body)) gives it back
whole) and types (each value is of the type the model annotates)."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest
from alibabacloud_vpc20160428 import models

DEMO_CLOUD = Path(__file__).parents[2] / "fixtures" / "demo" / "cloud"
FILES = sorted(DEMO_CLOUD.glob("*/*.json"))


def type_problems(obj, where: str) -> list[str]:
    """Every attribute of an SDK model object whose value is not of the annotated type (recursively)."""
    hints = typing.get_type_hints(type(obj).__init__)
    out = []
    for name, value in vars(obj).items():
        if value is None or name not in hints:
            continue
        hint = hints[name]
        hint = next((h for h in typing.get_args(hint) if h is not type(None)), hint) \
            if typing.get_origin(hint) is typing.Union else hint
        if typing.get_origin(hint) is list:
            (item,) = typing.get_args(hint)
            if not isinstance(value, list):
                out.append(f"{where}.{name}: {value!r} is not a list")
                continue
            for i, v in enumerate(value):
                out += type_problems(v, f"{where}.{name}[{i}]") if hasattr(v, "to_map") else (
                    [] if type(v) is item else [f"{where}.{name}[{i}]: {v!r} is not {item.__name__}"])
        elif hasattr(value, "to_map"):
            out += type_problems(value, f"{where}.{name}")
        elif type(value) is not hint:
            out.append(f"{where}.{name}: {value!r} is {type(value).__name__}, the model says {hint.__name__}")
    return out


def test_the_demo_has_a_cloud_recording_of_every_action():
    assert {p.name for p in FILES} == {"DescribePhysicalConnections.json", "ListVirtualPhysicalConnections.json",
                                       "DescribeVirtualBorderRoutersForPhysicalConnection.json"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_recorded_answers_have_the_sdk_models_names_and_types(path):
    doc = json.loads(path.read_text())
    action = path.stem
    assert doc["calls"], "an empty recording proves nothing"
    for i, call in enumerate(doc["calls"]):
        body = getattr(models, f"{action}ResponseBody")().from_map(call["response"])
        assert body.to_map() == call["response"]                       # no name the model does not know
        assert type_problems(body, f"{action}[{i}]") == []
        request = getattr(models, f"{action}Request")().from_map(call["request"])
        assert {k: v for k, v in request.to_map().items() if v != []} == call["request"]   # unset lists map to []


def test_the_type_check_catches_a_wrong_type():
    body = models.ListVirtualPhysicalConnectionsResponseBody().from_map(
        {"VirtualPhysicalConnections": [{"VlanId": 100, "Bandwidth": 200}]})
    assert type_problems(body, "x") == ["x.virtual_physical_connections[0].vlan_id: 100 is int, the model says str"]
