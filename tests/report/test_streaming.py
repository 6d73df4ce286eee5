"""Report writers stream (issue 14.6): a large report is written as it is made, never whole in memory."""

from __future__ import annotations

import gc
import json
import os
import tracemalloc
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest

from ecpartner.commands.output import write_output
from ecpartner.findings import Finding, subject
from ecpartner.report import report_chunks

GENERATED = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)


def _many(n: int) -> list[Finding]:
    out = []
    for i in range(n):
        status = "fail" if i % 10 == 0 else "pass"
        out.append(Finding("qos-bandwidth-limit", status, "error",
                           subject(circuit=f"pc-c{i // 100}", hosted_connection=f"pc-h{i}", device="hz-acc-01",
                                   interface=f"GigabitEthernet0/0/1.{i % 3000}", region="cn-hangzhou",
                                   tenant="1987654321098765"),
                           f"inbound CAR {i} kbit/s on GigabitEthernet0/0/1.{i % 3000} for pc-h{i}",
                           {"inbound": 200_000_000, "outbound": 200_000_000}, {"inbound": i * 1000}, "QoS and ARP limits"))
    return out


def _peak(action) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["json", "markdown", "junit"])
def test_a_large_report_is_streamed_with_a_fraction_of_the_memory_of_the_whole_text(tmp_path, fmt):
    findings = _many(20_000)
    target = tmp_path / f"report.{fmt}"
    streamed = _peak(lambda: write_output(report_chunks(fmt, findings, "fleet/inventory.yaml", GENERATED),
                                          target, "report"))
    whole = _peak(lambda: "".join(report_chunks(fmt, findings, "fleet/inventory.yaml", GENERATED)))
    size = target.stat().st_size
    assert size > 2_000_000                 # big enough for the comparison to mean something
    # the whole text (a str of about its size) is never held: streaming peaks well below joining
    assert whole - streamed > size / 2, (streamed, whole, size)
    text = target.read_text(encoding="utf-8")
    if fmt == "json":
        doc = json.loads(text)
        assert len(doc["findings"]) == 20_000 and doc["findings"][-1]["subject"]["hosted_connection"] == "pc-h19999"
    elif fmt == "junit":
        assert len(ET.fromstring(text).findall(".//testcase")) == 20_000
    else:
        assert "connection pc-h19999:" in text


def test_the_streamed_junit_is_laid_out_like_the_indented_whole_document():
    findings = _many(30)
    text = "".join(report_chunks("junit", findings, "fleet/inventory.yaml", GENERATED))
    root = ET.fromstring(text)
    ET.indent(root)
    assert text == '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def test_a_writer_failing_midway_leaves_no_file_and_no_temporary(tmp_path):
    def pieces():
        yield "{\n"
        raise RuntimeError("broken writer")

    target = tmp_path / "report.json"
    with pytest.raises(RuntimeError):
        write_output(pieces(), target, "report")
    assert os.listdir(tmp_path) == []
