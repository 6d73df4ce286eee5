"""`ecpartner cloud collect` through the official SDK client against the API double on 127.0.0.1: every page,
throttling retried with backoff, an API error mid-collection (that region an error, the others whole), the
recording replayed by `check`, secrets nowhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cloud_double import CloudDouble, Region, circuit_item, hosted_item, region_from_inventory, vbr_item
from helpers.demo_cloud import RECORDED_AT, demo_regions
from ecpartner.cli import main
from ecpartner.collect.cloud import Caller, collect_cloud, resolve_access
from ecpartner.inventory_loader import load_inventory

pytestmark = pytest.mark.live
ROOT = Path(__file__).parents[2]
KEY_ID, SECRET = "LTAI5tTestKeyId000", "test-secret-value-0123456789"
READ_ONLY = {"DescribePhysicalConnections", "ListVirtualPhysicalConnections",
             "DescribeVirtualBorderRoutersForPhysicalConnection"}


@pytest.fixture
def creds(monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    return monkeypatch


@pytest.fixture
def demo(tmp_path):
    """A copy of the demo fleet without its cloud/ recording, and the cloud its recording was made from."""
    shutil.copytree(ROOT / "fixtures" / "demo", tmp_path / "demo", ignore=shutil.ignore_patterns("cloud"))
    path = tmp_path / "demo" / "inventory.yaml"
    return path, demo_regions(load_inventory(path))


def big_region(circuits: int, hosted: int) -> Region:
    r = Region()
    for i in range(circuits):
        r.circuits.append(circuit_item(f"pc-big{i:03d}", "ap-cn-hangzhou-yh-B", 10000))
    for i in range(hosted):
        r.hosted.append(hosted_item(f"pc-bighc{i:04d}", "pc-big000", "1100000000000002", 100 + i, "50M",
                                    "Deleted" if i % 2 else "Confirmed"))   # half deleted: no VBR call for those
    r.vbrs["pc-bighc0000"] = [vbr_item(f"vbr-{i}", 100, 1100000000000002) for i in range(60)]
    return r


def one_region_inventory(tmp_path: Path) -> Path:
    text = (ROOT / "fixtures" / "clean" / "inventory.yaml").read_text()
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    return path


def test_every_page_of_every_listing_is_read(tmp_path, creds):
    inv = load_inventory(one_region_inventory(tmp_path))
    with CloudDouble({"cn-beijing": big_region(circuits=60, hosted=250)}) as double:
        creds.setenv("ECP_CLOUD_ENDPOINT", double.endpoint)
        got = collect_cloud(inv, timeout=10)["cn-beijing"]
    assert got.error is None
    picture = got.picture()
    assert len(picture.circuits) == 60 and len(picture.connections) == 250
    assert [q["PageNumber"] for q in double.calls("DescribePhysicalConnections")] == ["1", "2"]
    listing = [q for q in double.calls("ListVirtualPhysicalConnections") if q["PhysicalConnectionId"] == "pc-big000"]
    assert [q.get("NextToken") for q in listing] == [None, "tok-100", "tok-200"]
    assert all(q["MaxResults"] == "100" for q in listing)
    assert len(double.calls("ListVirtualPhysicalConnections")) == 60 + 2       # one per circuit, 3 pages on one
    assert len(double.calls("DescribeVirtualBorderRoutersForPhysicalConnection")) == 60 + 125 + 1   # circuits, not deleted; 2 pages
    assert len(picture.connections["pc-bighc0000"].vbrs) == 60
    assert {a for a, _, _ in double.seen} <= READ_ONLY


def test_throttling_is_retried_with_backoff(tmp_path, creds):
    inv = load_inventory(one_region_inventory(tmp_path))
    slept: list[float] = []
    cloud = {"cn-beijing": region_from_inventory(inv, "cn-beijing", "CU")}
    with CloudDouble(cloud) as double:
        creds.setenv("ECP_CLOUD_ENDPOINT", double.endpoint)
        double.throttle("ListVirtualPhysicalConnections", times=3)
        got = collect_cloud(inv, timeout=10, sleep=slept.append, backoff=(0.5, 1.0, 2.0, 4.0))["cn-beijing"]
    assert got.error is None and len(got.picture().connections) == 4
    assert slept == [0.5, 1.0, 2.0]                           # growing waits, then the call went through


def test_throttling_that_never_ends_is_that_regions_error(tmp_path, creds):
    inv = load_inventory(one_region_inventory(tmp_path))
    slept: list[float] = []
    with CloudDouble({"cn-beijing": region_from_inventory(inv, "cn-beijing", "CU")}) as double:
        creds.setenv("ECP_CLOUD_ENDPOINT", double.endpoint)
        double.throttle("DescribePhysicalConnections", times=None)
        got = collect_cloud(inv, timeout=10, sleep=slept.append, backoff=(0.1, 0.2))["cn-beijing"]
    assert got.error.startswith("DescribePhysicalConnections: Throttling.User: Request was denied due to user flow")
    assert slept == [0.1, 0.2] and len(double.calls("DescribePhysicalConnections")) == 3


def test_an_api_error_mid_collection_fails_that_region_only_and_replays(demo, creds, capsys):
    path, regions = demo
    with CloudDouble(regions) as double:
        creds.setenv("ECP_CLOUD_ENDPOINT", double.endpoint)
        double.fail("ListVirtualPhysicalConnections", "Forbidden.RAM",
                    "User not authorized to operate on the specified resource.", region="cn-shanghai", status=403)
        code = main(["cloud", "collect", str(path), "--record", str(path.parent), "--timeout", "10"])
    err = capsys.readouterr().err
    assert code == 3
    assert "cloud cn-shanghai: FAILED: ListVirtualPhysicalConnections: Forbidden.RAM" in err
    assert "recorded 5 of 6 regions" in err
    error = json.loads((path.parent / "cloud" / "cn-shanghai" / "error.json").read_text())
    assert "Forbidden.RAM" in error["error"]
    assert sorted(p.name for p in (path.parent / "cloud").iterdir()) == sorted(regions)
    # the replay: cn-shanghai is an error of each cloud rule, the other regions are judged
    main(["check", str(path), "--format", "json", "--only", "cloud-business-status,cloud-circuit-match"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    shanghai = [f for f in findings if f["subject"]["region"] == "cn-shanghai"]
    assert sorted((f["rule"], f["status"]) for f in shanghai) == [("cloud-business-status", "error"),
                                                                  ("cloud-circuit-match", "error")]
    assert ("cloud-business-status", "fail", "pc-szhc02") in {
        (f["rule"], f["status"], f["subject"]["hosted_connection"]) for f in findings}


def test_the_demo_recording_is_what_the_collector_records(demo, creds):
    """fixtures/demo/cloud/ is reproduced by the real collector through the SDK (RequestIds aside)."""
    path, regions = demo
    with CloudDouble(regions) as double:
        creds.setenv("ECP_CLOUD_ENDPOINT", double.endpoint)
        results = collect_cloud(load_inventory(path), timeout=10, now=lambda: RECORDED_AT)
    from ecpartner.collect.cloud import write_cloud

    write_cloud(path.parent, path, results)

    def without_ids(p: Path):
        doc = json.loads(p.read_text())
        for call in doc["calls"]:
            call["response"].pop("RequestId")
        return doc
    committed = sorted((ROOT / "fixtures" / "demo" / "cloud").glob("*/*.json"))
    assert [p.relative_to(ROOT / "fixtures" / "demo") for p in committed] == sorted(
        p.relative_to(path.parent) for p in (path.parent / "cloud").glob("*/*.json"))
    for p in committed:
        assert without_ids(p) == without_ids(path.parent / p.relative_to(ROOT / "fixtures" / "demo")), p


def test_secrets_appear_nowhere(demo, creds, capsys):
    path, regions = demo
    with CloudDouble(regions) as double:
        creds.setenv("ECP_CLOUD_ENDPOINT", double.endpoint)
        double.fail("DescribePhysicalConnections", "InvalidAccessKeySecret", f"echoing {SECRET} back", region="cn-qingdao")
        assert main(["cloud", "collect", str(path), "--record", str(path.parent)]) == 3
    err = capsys.readouterr().err
    assert SECRET not in err and "<removed>" in err
    for f in (path.parent / "cloud").rglob("*"):
        if f.is_file():
            assert SECRET not in f.read_text()
    for _, query, headers in double.seen:
        assert SECRET not in json.dumps(query) + json.dumps(headers)
        assert headers["Authorization"].startswith(f"ACS3-HMAC-SHA256 Credential={KEY_ID},")   # signed, not sent


def test_a_cloud_folder_that_is_not_a_recording_is_never_replaced(demo, creds, capsys):
    path, regions = demo
    (path.parent / "cloud").mkdir()
    (path.parent / "cloud" / "notes.txt").write_text("mine")
    with CloudDouble(regions) as double:
        creds.setenv("ECP_CLOUD_ENDPOINT", double.endpoint)
        assert main(["cloud", "collect", str(path), "--record", str(path.parent)]) == 2
    assert "not an ecpartner cloud recording" in capsys.readouterr().err
    assert (path.parent / "cloud" / "notes.txt").read_text() == "mine"


def test_an_unreachable_endpoint_is_each_regions_error_within_the_timeout(tmp_path, creds):
    import socket

    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    creds.setenv("ECP_CLOUD_ENDPOINT", f"http://127.0.0.1:{port}")
    got = collect_cloud(load_inventory(one_region_inventory(tmp_path)), timeout=2)["cn-beijing"]
    assert got.error.startswith("DescribePhysicalConnections: ")


def test_check_cloud_reads_live(tmp_path, creds, capsys):
    path = one_region_inventory(tmp_path)
    shutil.copytree(ROOT / "fixtures" / "clean" / "devices", tmp_path / "devices")
    cloud = {"cn-beijing": region_from_inventory(load_inventory(path), "cn-beijing", "CU")}
    cloud["cn-beijing"].hosted[0]["BusinessStatus"] = "Financialized"
    with CloudDouble(cloud) as double:
        creds.setenv("ECP_CLOUD_ENDPOINT", double.endpoint)
        code = main(["check", str(path), "--cloud", "--format", "json", "--only", "cloud-business-status"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1 and [f["status"] for f in findings].count("fail") == 1
    assert not (tmp_path / "cloud").exists()              # a live read records nothing


def test_no_credentials_is_bad_input_before_any_call(tmp_path):
    """A fresh interpreter with no credentials anywhere (HOME empty, metadata service off): exit 2, a clear message."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_")}
    env.update(HOME=str(tmp_path), ALIBABA_CLOUD_ECS_METADATA_DISABLED="true", ECP_CLOUD_ENDPOINT="http://127.0.0.1:9",
               PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run([sys.executable, "-m", "ecpartner", "cloud", "collect", str(one_region_inventory(tmp_path))],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "no Alibaba Cloud credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_caller_builds_requests_from_the_sdk_models():
    with pytest.raises(TypeError, match="no field 'vlan'"):
        Caller(None, 1.0, frozenset()).call("ListVirtualPhysicalConnections", region_id="cn-beijing", vlan=1)


def test_a_bad_endpoint_setting_is_bad_input(monkeypatch):
    from ecpartner.errors import InputError

    with pytest.raises(InputError, match="ECP_CLOUD_ENDPOINT='ftp://x': expected http"):
        resolve_access({"ECP_CLOUD_ENDPOINT": "ftp://x", "ALIBABA_CLOUD_ACCESS_KEY_ID": "a",
                        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "b"})


def test_collect_without_record_only_reads_and_reports(demo, creds, capsys):
    path, regions = demo
    with CloudDouble(regions) as double:
        creds.setenv("ECP_CLOUD_ENDPOINT", double.endpoint)
        assert main(["cloud", "collect", str(path)]) == 0
    err = capsys.readouterr().err
    assert "cloud cn-hangzhou: 3 circuit(s), 11 hosted connection(s)" in err and "read 6 of 6 regions" in err
    assert not (path.parent / "cloud").exists()
