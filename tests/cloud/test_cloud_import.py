"""`ecpartner cloud import`: a starter inventory from the cloud (through the SDK and the API double), its
placeholders reported by the loader at their lines, and once filled in an inventory the cloud agrees with."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from helpers.cloud_double import CloudDouble
from ecpartner.cli import main
from ecpartner.cloud_import import starter_inventory
from ecpartner.cloud_state import region_picture
from ecpartner.inventory_loader import load_inventory

pytestmark = pytest.mark.live
DEMO = Path(__file__).parents[2] / "fixtures" / "demo"


@pytest.fixture
def double(monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tTestKeyId000")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "test-secret-value-0123456789")
    with CloudDouble.from_recording(DEMO) as d:
        monkeypatch.setenv("ECP_CLOUD_ENDPOINT", d.endpoint)
        yield d


def fill_in(text: str) -> str:
    """What the partner does next: one device for every circuit, sites, names, a port per circuit."""
    n = iter(range(1, 1000))
    text = re.sub(r'"<fill in: its port on that device>"', lambda _: f'"GE0/0/{next(n)}"', text)
    text = text.replace('"<fill in: the device this circuit lands on>"', '"acc-01"')
    text = re.sub(r'"<fill in: china or international[^"]*>"', '"china"', text)
    text = text.replace('"<fill in: the partner account id>"', '"1234567890123456"')
    text = re.sub(r'"<fill in: the (partner|tenant) name>"', '"Someone"', text)
    return text.replace("devices: []", "devices:\n  - {name: acc-01, host: 192.0.2.1, platform: huawei, role: access}")


def test_import_writes_a_starter_that_the_loader_reports_until_filled_in(double, tmp_path, capsys):
    out = tmp_path / "starter.yaml"
    assert main(["cloud", "import", str(out), "--region", "cn-hangzhou", "--region", "cn-beijing"]) == 0
    text = out.read_text()
    doc = yaml.safe_load(text)                                  # valid YAML
    assert [c["id"] for c in doc["circuits"]] == ["pc-hz01", "pc-hz02", "pc-hz03", "pc-bj01", "pc-bj02"]
    hosted = {h["id"]: h for h in doc["hosted_connections"]}
    assert "pc-hc11" not in hosted                              # deleted in the cloud: not imported
    assert hosted["pc-hc02"] == {"id": "pc-hc02", "circuit": "pc-hz01", "tenant": "1100000000000002", "vlan": 111,
                                 "bandwidth": "500M", "status": "enabled"}
    assert hosted["pc-hc07"]["status"] == "pending" and doc["partner"]["carrier"] == "China Telecom"
    capsys.readouterr()
    assert main(["check", str(out)]) == 2
    err = capsys.readouterr().err
    line = text.splitlines().index('    device: "<fill in: the device this circuit lands on>"') + 1
    assert f"starter.yaml:{line}: circuits[0].device: unknown device '<fill in: the device this circuit lands on>'" in err
    assert "partner.site: '<fill in:" in err
    # filled in, it loads, and the cloud it came from agrees with it
    out.write_text(fill_in(text))
    inv = load_inventory(out)
    assert {hc.id: hc.vlan for hc in inv.hosted_connections}["pc-hc02"] == 111


def test_import_refuses_to_overwrite_and_writes_nothing_when_a_region_fails(double, tmp_path, capsys):
    out = tmp_path / "starter.yaml"
    out.write_text("mine\n")
    assert main(["cloud", "import", str(out), "--region", "cn-hangzhou"]) == 2
    assert out.read_text() == "mine\n" and "refusing to overwrite" in capsys.readouterr().err
    double.fail("DescribePhysicalConnections", "Forbidden.RAM", "denied", region="cn-beijing")
    fresh = tmp_path / "new.yaml"
    assert main(["cloud", "import", str(fresh), "--region", "cn-hangzhou", "--region", "cn-beijing"]) == 3
    assert not fresh.exists() and "Forbidden.RAM" in capsys.readouterr().err


def test_cloud_text_cannot_change_the_documents_structure():
    hostile = 'pc-x"\n  injected: true\n#'
    calls = {"DescribePhysicalConnections": [{"request": {}, "response": {"PhysicalConnectionSet": {
        "PhysicalConnectionType": [{"PhysicalConnectionId": hostile, "AccessPointId": "ap: {x}", "Bandwidth": 1000,
                                    "Status": "Enabled", "LineOperator": "CT"}]}}}]}
    text = starter_inventory({"cn-x": region_picture("cn-x", datetime.now(timezone.utc), calls)})
    doc = yaml.safe_load(text)
    assert doc["circuits"][0]["id"] == hostile and doc["circuits"][0]["access_point"] == "ap: {x}"
    assert set(doc) == {"partner", "devices", "circuits", "tenants", "hosted_connections"}
