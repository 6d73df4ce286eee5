"""CLI counters (contract section 3): without an SNMP walk, Counters come from the interface command.

Recorded outputs, parser cases tests/platforms/<platform>/parse/<command slug>/<device>.txt, are
`display interface` / `show interfaces` as the fixtures/clean devices bj-acc-01 (Huawei) and bj-acc-02
(IOS-XE) would print them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from ecpartner.cli import main
from ecpartner.collect.live import plan_jobs
from ecpartner.collect.snmprec import read_snmprec
from ecpartner.errors import InputError
from ecpartner.inventory_loader import load_inventory
from ecpartner.parse import build_state
from ecpartner.platforms import platform_commands

ROOT = Path(__file__).parents[2]
CLEAN = ROOT / "fixtures" / "clean"
PLATFORMS = ROOT / "tests" / "platforms"
RECORDED = {"bj-acc-01": PLATFORMS / "huawei" / "parse" / "display_interface" / "bj-acc-01.txt",
            "bj-acc-02": PLATFORMS / "cisco_ios" / "parse" / "show_interfaces" / "bj-acc-02.txt"}
HUAWEI_CONFIG = (CLEAN / "devices" / "bj-acc-01" / "display_current_configuration.txt").read_text(encoding="utf-8")
CISCO_CONFIG = (CLEAN / "devices" / "bj-acc-02" / "show_running_config.txt").read_text(encoding="utf-8")
DISPLAY_INTERFACE = RECORDED["bj-acc-01"].read_text(encoding="utf-8")
SHOW_INTERFACES = RECORDED["bj-acc-02"].read_text(encoding="utf-8")
GARBAGE = "              ^\nError: Unrecognized command found at '^' position.\n"


def huawei(interface_text: str, snmp=None):
    return build_state("bj-acc-01", "huawei", {"display current-configuration": HUAWEI_CONFIG,
                                               "display interface": interface_text}, snmp)


def cisco(interface_text: str, snmp=None):
    return build_state("bj-acc-02", "cisco_ios", {"show running-config": CISCO_CONFIG,
                                                  "show interfaces": interface_text}, snmp)


# ---- Huawei VRP `display interface` ----

def test_huawei_port_counters_sum_unicast_multicast_broadcast():
    c = huawei(DISPLAY_INTERFACE).counters["XGigabitEthernet0/0/1"]
    assert (c.in_octets, c.out_octets) == (771302198842116, 702913377280044)
    assert c.in_packets == 918270112004 + 3410077 + 123420
    assert c.out_packets == 877716388210 + 3390110 + 121992
    assert (c.in_discards, c.out_discards, c.in_errors, c.out_errors) == (4117, 208, 12, 0)
    assert c.speed_bps == 10 * 10**9
    assert (c.source, c.counter_bits) == ("cli", 64)
    assert c.readable


def test_huawei_subinterface_block_with_drops_line():
    c = huawei(DISPLAY_INTERFACE).counters["XGigabitEthernet0/0/1.100"]
    assert (c.in_octets, c.out_octets) == (512009981100224, 466210031577200)
    assert (c.in_packets, c.out_packets) == (604112998210, 581223376001)
    assert (c.in_discards, c.out_discards, c.in_errors, c.out_errors) == (3012, 155, 9, 0)
    assert c.speed_bps is None            # a subinterface block prints no speed
    assert c.readable


def test_huawei_only_configured_interfaces_get_counters():
    counters = huawei(DISPLAY_INTERFACE).counters
    # NULL0 is printed by the device but absent from the configuration: not kept
    assert set(counters) == {"GigabitEthernet0/0/0", "XGigabitEthernet0/0/1", "XGigabitEthernet0/0/1.100",
                             "XGigabitEthernet0/0/1.101"}
    assert counters["GigabitEthernet0/0/0"].speed_bps == 10**9


HUAWEI_CE = """\
XGigabitEthernet0/0/1.100 current state : UP (ifindex: 41)
Line protocol current state : UP
Description: HC pc-bjhc01
Route Port, The Maximum Transmit Unit is 1500
Current system time: 2026-11-26 08:00:02+08:00
Statistics last cleared:never
    Last 10 seconds input rate: 10000 bits/sec, 10 packets/sec
    Last 10 seconds output rate: 20000 bits/sec, 20 packets/sec
    Input : 5000 bytes, 16 packets
    Output: 7000 bytes, 30 packets
    Input:
      Unicast: 10, Multicast: 4
      Broadcast: 2, Jumbo: 0
      Discard: 1, Frames: 0
      Pause: 0

      Total Error: 3
      CRC: 3, Giants: 0
    Output:
      Unicast: 25, Multicast: 3
      Broadcast: 2, Jumbo: 0
      Discard: 6, Buffers Purged: 0
      Pause: 0

      Total Error: 0
    Input bandwidth utilization  : 0.01%
    Output bandwidth utilization : 0.01%
"""

HUAWEI_S_ONE_LINE = """\
XGigabitEthernet0/0/1 current state : UP
Line protocol current state : UP
Switch Port, PVID :    1, TPID : 8100(Hex), The Maximum Frame Length is 9216
Speed : 10000,  Loopback: NONE
Input:  7001 packets, 900100 bytes
Input:  Unicast: 7000, Multicast: 0, Broadcast: 1, Jumbo: 0
Discard: 5, Pause: 0, Frames: 0
Total Error: 2
Output:  Unicast: 6000, Multicast: 10, Broadcast: 0, Jumbo: 0
Output:  6010 packets, 800200 bytes
Discard: 4, Pause: 0
Total Error: 0
Input bandwidth utilization : 0.01%
Output bandwidth utilization : 0.01%
"""

HUAWEI_SUBIF_NO_DISCARDS = """\
XGigabitEthernet0/0/1.101 current state : UP
Line protocol current state : UP
Route Port,The Maximum Transmit Unit is 1500
Internet Address is 10.30.0.5/30
Encapsulation dot1q Virtual LAN, Vlan ID 101
    Input: 123456 packets, 98765432 bytes
    Output: 654321 packets, 87654321 bytes
    Input bandwidth utilization  : 0.01%
    Output bandwidth utilization : 0.01%
"""


HUAWEI_NE_PORT = """\
XGigabitEthernet0/0/1 current state : UP (ifindex: 4)
Line protocol current state : UP
Route Port,The Maximum Transmit Unit is 1500
Port BW: 10G, Transceiver max BW: 10G, Transceiver Mode: SingleMode
Last 300 seconds input rate: 0 bits/sec, 0 packets/sec
Input peak rate 0 bits/sec, Record time: -
Input: 1000 bytes, 12 packets
Output: 2000 bytes, 21 packets
Input:
  Unicast: 10 packets, Multicast: 1 packets
  Broadcast: 1 packets, JumboOctets: 0 packets
  CRC: 0 packets, Symbol: 0 packets
Output:
  Unicast: 20 packets, Multicast: 1 packets
  Broadcast: 0 packets, JumboOctets: 0 packets
  Lost: 0 packets, Overflow: 0 packets, Underrun: 0 packets
"""


def test_huawei_ne_port_form_prints_no_discards():
    c = huawei(HUAWEI_NE_PORT).counters["XGigabitEthernet0/0/1"]
    assert (c.in_octets, c.out_octets, c.in_packets, c.out_packets) == (1000, 2000, 12, 21)
    assert (c.in_discards, c.out_discards) == (None, None)
    assert c.speed_bps == 10 * 10**9


def test_huawei_ce_form_totals_then_detailed_sections():
    c = huawei(HUAWEI_CE).counters["XGigabitEthernet0/0/1.100"]
    assert (c.in_octets, c.out_octets) == (5000, 7000)
    assert (c.in_packets, c.out_packets) == (16, 30)        # 10+4+2, 25+3+2
    assert (c.in_discards, c.out_discards, c.in_errors, c.out_errors) == (1, 6, 3, 0)
    assert c.speed_bps is None


def test_huawei_s_form_with_counters_on_the_heading_line():
    c = huawei(HUAWEI_S_ONE_LINE).counters["XGigabitEthernet0/0/1"]
    assert (c.in_octets, c.out_octets) == (900100, 800200)
    assert (c.in_packets, c.out_packets) == (7001, 6010)
    assert (c.in_discards, c.out_discards, c.in_errors, c.out_errors) == (5, 4, 2, 0)
    assert c.speed_bps == 10 * 10**9


def test_huawei_subinterface_without_discard_line_is_not_readable():
    """No drop counters printed: discards stay None, so monitoring-enabled reports them unreadable."""
    c = huawei(HUAWEI_SUBIF_NO_DISCARDS).counters["XGigabitEthernet0/0/1.101"]
    assert (c.in_octets, c.out_octets, c.in_packets, c.out_packets) == (98765432, 87654321, 123456, 654321)
    assert (c.in_discards, c.out_discards, c.in_errors, c.out_errors) == (None, None, None, None)
    assert not c.readable


# ---- Cisco IOS-XE `show interfaces` ----

def test_cisco_port_counters():
    c = cisco(SHOW_INTERFACES).counters["TenGigabitEthernet0/1/0"]
    assert (c.in_octets, c.out_octets) == (1002118830145568, 897713004557102)
    assert (c.in_packets, c.out_packets) == (1208839112334, 1101220094410)
    assert (c.in_discards, c.out_discards) == (211, 37)      # input queue drops, total output drops
    assert (c.in_errors, c.out_errors) == (5, 0)
    assert c.speed_bps == 10 * 10**9
    assert (c.source, c.counter_bits) == ("cli", 64)
    assert c.readable


def test_cisco_subinterface_prints_fewer_counters():
    c = cisco(SHOW_INTERFACES).counters["TenGigabitEthernet0/1/0.100"]
    assert (c.in_octets, c.out_octets) == (662003182900412, 604331889120334)
    assert (c.in_packets, c.out_packets) == (801233990121, 744100231870)
    assert (c.in_discards, c.out_discards, c.in_errors, c.out_errors) == (None, None, None, None)
    assert not c.readable


def test_cisco_subinterface_printing_no_byte_counts_has_unknown_counter_width():
    """Some IOS-XE subinterfaces print no counter lines at all: no octets, so the counter width is unknown."""
    block = SHOW_INTERFACES.split("TenGigabitEthernet0/1/0.102 is ", 1)[1].split("Keepalive not supported", 1)[0]
    c = cisco("TenGigabitEthernet0/1/0.102 is " + block).counters["TenGigabitEthernet0/1/0.102"]
    assert (c.in_octets, c.out_octets, c.in_packets) == (None, None, None)
    assert c.counter_bits is None and c.speed_bps == 10 * 10**9


def test_cisco_only_configured_interfaces_get_counters():
    # Null0 is printed but not configured
    assert set(cisco(SHOW_INTERFACES).counters) == {"GigabitEthernet0", "TenGigabitEthernet0/1/0",
                                                    "TenGigabitEthernet0/1/0.100", "TenGigabitEthernet0/1/0.102"}


def test_cisco_abbreviated_and_down_interfaces():
    text = ("Te0/1/0.102 is administratively down, line protocol is down \n"
            "  MTU 1500 bytes, BW 50000 Kbit/sec, DLY 10 usec, \n"
            "  Input queue: 0/375/7/0 (size/max/drops/flushes); Total output drops: 8\n"
            "     10 packets input, 1000 bytes, 0 no buffer\n"
            "     1 input errors, 1 CRC, 0 frame, 0 overrun, 0 ignored\n"
            "     20 packets output, 2000 bytes, 0 underruns\n"
            "     2 output errors, 0 collisions, 0 interface resets\n")
    c = cisco(text).counters["TenGigabitEthernet0/1/0.102"]
    assert (c.in_octets, c.out_octets, c.in_packets, c.out_packets) == (1000, 2000, 10, 20)
    assert (c.in_discards, c.out_discards, c.in_errors, c.out_errors) == (7, 8, 1, 2)
    assert c.speed_bps == 50 * 10**6


# ---- what goes wrong ----

@pytest.mark.parametrize("state_of, command", [(huawei, "display interface"), (cisco, "show interfaces")])
def test_garbage_output_gives_no_counters_and_a_note(state_of, command):
    state = state_of(GARBAGE)
    assert state.counters == {}
    assert state.interfaces                     # the configuration is still read
    assert f"'{command}': nothing recognised in the output (it starts: '^')" in state.notes


def test_no_interface_command_output_means_no_counters():
    state = build_state("bj-acc-01", "huawei", {"display current-configuration": HUAWEI_CONFIG})
    assert state.counters == {} and state.notes == []


@pytest.mark.parametrize("state_of, device", [(huawei, "bj-acc-01"), (cisco, "bj-acc-02")])
def test_snmp_walk_wins_over_cli_counters(state_of, device):
    walk = read_snmprec(CLEAN / "snmp" / f"{device}.snmprec")
    with_both = state_of(DISPLAY_INTERFACE if device == "bj-acc-01" else SHOW_INTERFACES, walk)
    snmp_only = build_state(device, with_both.platform,
                            {"display current-configuration" if device == "bj-acc-01" else "show running-config":
                             HUAWEI_CONFIG if device == "bj-acc-01" else CISCO_CONFIG}, walk)
    assert with_both.counters and with_both.counters == snmp_only.counters
    assert {c.source for c in with_both.counters.values()} == {"snmp"}


# ---- which commands are collected ----

def _inventory(tmp_path: Path, with_snmp: bool):
    doc = yaml.safe_load((CLEAN / "inventory.yaml").read_text(encoding="utf-8"))
    if not with_snmp:
        for device in doc["devices"]:
            device.pop("snmp", None)
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


ENV = {"ECP_USERNAME": "u", "ECP_PASSWORD": "pass", "ECP_SECRET": "secret", "ECP_SNMP_COMMUNITY": "community"}


@pytest.mark.parametrize("with_snmp", [True, False])
def test_live_plan_runs_the_interface_command_only_without_snmp(tmp_path, with_snmp):
    jobs = {job.device.name: job.commands for job in plan_jobs(load_inventory(_inventory(tmp_path, with_snmp)),
                                                               environ=ENV)}
    if with_snmp:
        assert jobs == {"bj-acc-01": ("display current-configuration",), "bj-acc-02": ("show running-config",)}
    else:
        assert jobs == {"bj-acc-01": ("display current-configuration", "display interface"),
                        "bj-acc-02": ("show running-config", "show interfaces")}


def test_only_without_snmp_must_be_a_boolean(edited_platform):
    def change(doc):
        doc["commands"][1]["only_without_snmp"] = "yes-please"
        return doc

    edited_platform("huawei", change)
    with pytest.raises(InputError) as raised:
        platform_commands("huawei")
    assert "commands[1]: 'only_without_snmp' must be true or false, not 'yes-please'" in str(raised.value.messages)


# ---- a whole fleet without SNMP ----

def _fleet_without_snmp(tmp_path: Path) -> Path:
    fleet = tmp_path / "fleet"
    shutil.copytree(CLEAN, fleet)
    shutil.rmtree(fleet / "snmp")
    _inventory(fleet, with_snmp=False)
    for device, recording in RECORDED.items():     # the fleet layout: devices/<name>/<command slug>.txt
        shutil.copy(recording, fleet / "devices" / device / f"{recording.parent.name}.txt")
    return fleet / "inventory.yaml"


def _monitoring(inventory: Path, capsys) -> dict[str, tuple[str, list]]:
    main(["check", str(inventory), "--format", "json", "--only", "monitoring-enabled"])
    report = json.loads(capsys.readouterr().out)
    return {f["subject"]["hosted_connection"]: (f["status"], f["actual"]["unreadable_counters"])
            for f in report["findings"]}


def test_fleet_without_snmp_gets_monitoring_verdicts_from_cli_counters(tmp_path, capsys):
    with_snmp = _monitoring(CLEAN / "inventory.yaml", capsys)
    without = _monitoring(_fleet_without_snmp(tmp_path), capsys)
    assert set(without) == set(with_snmp) == {"pc-bjhc01", "pc-bjhc02", "pc-bjhc03"}
    # Huawei prints every counter the rule needs, subinterfaces included: same verdicts as SNMP
    for hc in ("pc-bjhc01", "pc-bjhc02"):
        assert without[hc] == with_snmp[hc] == ("pass", [])
    # IOS-XE `show interfaces` prints no drop counters for a subinterface: SNMP passes, the CLI cannot
    assert with_snmp["pc-bjhc03"] == ("pass", [])
    assert without["pc-bjhc03"] == ("fail", ["in_discards", "out_discards"])


def test_fleet_without_snmp_and_without_recording_cannot_read_counters(tmp_path, capsys):
    inventory = _fleet_without_snmp(tmp_path)
    (inventory.parent / "devices" / "bj-acc-01" / "display_interface.txt").unlink()
    verdicts = _monitoring(inventory, capsys)
    assert verdicts["pc-bjhc01"][0] == "fail"
    assert verdicts["pc-bjhc01"][1] == ["in_octets", "out_octets", "in_packets", "out_packets",
                                        "in_discards", "out_discards"]


def test_fleet_without_snmp_subinterface_without_discards_is_reported_unreadable(tmp_path, capsys):
    inventory = _fleet_without_snmp(tmp_path)
    recording = inventory.parent / "devices" / "bj-acc-01" / "display_interface.txt"
    text = recording.read_text(encoding="utf-8")
    recording.write_text(text.replace("           3 errors,1105 drops,0 unknownprotocol\n", "")
                             .replace("           0 errors,53 drops\n", ""), encoding="utf-8")
    verdicts = _monitoring(inventory, capsys)
    assert verdicts["pc-bjhc01"] == ("pass", [])
    assert verdicts["pc-bjhc02"] == ("fail", ["in_discards", "out_discards"])
