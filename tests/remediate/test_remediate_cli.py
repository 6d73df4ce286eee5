"""`ecpartner remediate` from the command line, and the remediation the check reports show."""

from __future__ import annotations

import json

from ecpartner.cli import main

from helpers.demo import DEMO

INVENTORY = str(DEMO / "inventory.yaml")
CLEAN = str(DEMO.parent / "clean" / "inventory.yaml")


def test_one_file_per_device_with_a_header_naming_what_it_fixes(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["remediate", INVENTORY, "--output-dir", str(out)]) == 3     # sh-agg-01 cannot be read
    std = capsys.readouterr()
    assert "not remediated: Device sh-agg-01" in std.err
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{d}.remediate.cfg" for d in ("bj-h3c-01", "hz-acc-01", "hz-acc-02", "qd-xr-01",
                                                          "sh-acc-01", "sz-eos-01", "zjk-mx-01"))
    assert all(str(out / n) in std.out for n in names)
    huawei = (out / "hz-acc-01.remediate.cfg").read_text()
    header = huawei.split("system-view")[0]
    assert "# fixes monitoring-enabled circuit=pc-hz01 hosted_connection=pc-hc02" in header
    assert "# fixes config-drift circuit=pc-hz01 hosted_connection=pc-hc03" in header
    body = huawei.split("system-view")[1]
    assert "interface GigabitEthernet0/0/1.101\n statistic enable\n" in body
    assert "interface GigabitEthernet0/0/1.102\n shutdown\n" in body
    # the Huawei port XGigabitEthernet0/0/1.1000 lacks counters only (not configuration): nothing for it
    assert "XGigabitEthernet0/0/1.1000" not in huawei
    assert body.rstrip().endswith("return")


def test_only_chooses_the_rules_fixed(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["remediate", INVENTORY, "--only", "icmp-rate-limit", "--output-dir", str(out)]) == 3
    names = sorted(p.name for p in out.iterdir())
    assert names == ["hz-acc-01.remediate.cfg", "hz-acc-02.remediate.cfg"]
    text = (out / "hz-acc-02.remediate.cfg").read_text()
    assert "fixes icmp-rate-limit" in text and "fixes qos" not in text and "ECP-200M" not in text
    assert "policy-map COPP\n class COPP-ICMP\n  police rate 1000 pps" in text


def test_stdout_without_output_dir(capsys):
    assert main(["remediate", INVENTORY, "--only", "qos-bandwidth-limit"]) == 3
    out = capsys.readouterr().out
    assert "interface Ethernet1.101\n   service-policy type qos input ECP-500M\n" in out
    assert "set interfaces xe-0/0/0 unit 101 family inet policer output ECP-1G" in out


def test_a_compliant_fleet_has_only_its_warning_to_remediate(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["remediate", CLEAN, "--output-dir", str(out)]) == 0
    assert [p.name for p in out.iterdir()] == ["bj-acc-02.remediate.cfg"]     # its one ARP warning
    assert "police rate 25 pps" in (out / "bj-acc-02.remediate.cfg").read_text()
    capsys.readouterr()
    assert main(["remediate", CLEAN, "--only", "icmp-rate-limit,config-drift", "--output-dir", str(tmp_path / "none")]) == 0
    assert "nothing to remediate" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()


def test_unknown_rule_and_unwritable_directory_are_bad_input(tmp_path, capsys):
    assert main(["remediate", INVENTORY, "--only", "qos-bandwith-limit"]) == 2
    assert "did you mean qos-bandwidth-limit" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["remediate", INVENTORY, "--output-dir", str(blocker)]) == 2
    assert "cannot write the remediation" in capsys.readouterr().err


def test_json_carries_remediation_on_failing_findings_only(tmp_path):
    out = tmp_path / "report.json"
    main(["check", INVENTORY, "--format", "json", "--output", str(out)])
    findings = json.loads(out.read_text())["findings"]
    fixed = [f for f in findings if "remediation" in f]
    assert len(fixed) >= 20 and all(f["status"] != "pass" for f in fixed)
    statistics = next(f for f in fixed if f["rule"] == "monitoring-enabled"
                      and f["subject"]["interface"] == "GigabitEthernet0/0/1.101")
    assert statistics["remediation"] == "interface GigabitEthernet0/0/1.101\n statistic enable\n quit\n"
    # a finding configuration cannot fix carries none: counters the device does not report
    counters = next(f for f in findings if f["rule"] == "monitoring-enabled"
                    and f["subject"]["interface"] == "XGigabitEthernet0/0/1.1000")
    assert "remediation" not in counters
    orphan = next(f for f in fixed if "Orphan" in f["message"] and f["subject"]["device"] == "zjk-mx-01")
    assert orphan["remediation"].startswith("# orphan") and "# delete interfaces xe-0/0/0 unit 150" in orphan["remediation"]


def test_markdown_and_html_show_it(tmp_path):
    md, page = tmp_path / "r.md", tmp_path / "r.html"
    main(["check", INVENTORY, "--format", "markdown", "--output", str(md)])
    main(["check", INVENTORY, "--format", "html", "--output", str(page)])
    text = md.read_text()
    section = text[text.index("## Remediation ("):text.index("## Passes")]
    assert "```text\ninterface GigabitEthernet0/0/1.101\n statistic enable\n quit\n```" in section
    html = page.read_text()
    assert "<summary>remediation</summary><pre>interface GigabitEthernet0/0/1.101\n statistic enable\n quit</pre>" in html
    assert "<pre>policy-map ECP-100M\n class class-default" in html


def test_device_text_cannot_inject_lines_into_a_remediation():
    """A value read from a device (an interface name) that carries a line break gives no remediation at all,
    rather than a second configuration line; a header line shows it harmlessly."""
    from ecpartner.findings import FAIL, SEV_ERROR, Finding, subject
    from ecpartner.inventory_loader import load_inventory
    from ecpartner.remediate import Remediator, header_line

    inv = load_inventory(INVENTORY)
    hc = next(h for h in inv.hosted_connections if h.id == "pc-hc02")
    evil = "GigabitEthernet0/0/1.101\nundo interface GigabitEthernet0/0/1"
    f = Finding("monitoring-enabled", FAIL, SEV_ERROR, subject(device="hz-acc-01", interface=evil), "m",
                fix=("statistics", {"connection": hc, "interface": evil}))
    assert Remediator(inv, {}).remedy(f) is None
    assert "\n" not in header_line(f"fixes {evil}\x1b[2J") and "?undo" in header_line(evil)


def test_junit_carries_it_in_the_failure_text(tmp_path):
    import xml.etree.ElementTree as ET

    out = tmp_path / "r.xml"
    main(["check", INVENTORY, "--format", "junit", "--output", str(out)])
    texts = [e.text for e in ET.parse(out).iter("failure")]
    assert any("remediation:\ninterface GigabitEthernet0/0/1.101\n statistic enable\n quit" in t for t in texts)


def test_the_detailed_text_shows_it_under_the_finding(capsys):
    main(["check", INVENTORY, "--only", "monitoring-enabled", "--format", "text"])   # the detailed blocks
    out = capsys.readouterr().out
    block = out[out.index("GigabitEthernet0/0/1.101, circuit pc-hz01"):]
    assert "    remediation:\n      interface GigabitEthernet0/0/1.101\n       statistic enable\n       quit\n" in block
