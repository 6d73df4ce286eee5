"""Offline SNMP: .snmprec recordings -> counters named as the configuration names interfaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecpartner.collect.snmprec import format_snmprec, read_snmprec
from ecpartner.errors import InputError
from ecpartner.parse.ifnames import match_names
from ecpartner.parse.snmp_counters import interface_counters, sys_uptime

DEMO = Path(__file__).parents[2] / "fixtures" / "demo" / "snmp"


@pytest.mark.parametrize("reported, expected", [
    ("Gi0/0/1.100", "GigabitEthernet0/0/1.100"),
    ("Te0/1/0.300", "TenGigabitEthernet0/1/0.300"),
    ("GigabitEthernet0/0/1.100", "GigabitEthernet0/0/1.100"),
    ("Po1.20", "Port-channel1.20"),
    ("Hu0/0/0", "HundredGigE0/0/0"),
    ("Eth-Trunk1.2001", "Eth-Trunk1.2001"),
])
def test_abbreviated_names_match_their_configuration_name(reported, expected):
    config = ["GigabitEthernet0/0/1", "GigabitEthernet0/0/1.100", "TenGigabitEthernet0/1/0.300",
              "Port-channel1.20", "HundredGigE0/0/0", "Eth-Trunk1.2001", "GigabitEthernet0/0/10"]
    assert match_names(config, [reported]) == {reported: expected}


def test_ambiguous_or_different_numbers_do_not_match():
    config = ["TwoGigabitEthernet1/0/1", "TwentyFiveGigE1/0/1", "GigabitEthernet0/0/1"]
    assert match_names(config, ["Tw1/0/1", "Gi0/0/1.100", "Gi0/0/10"]) == {}
    assert match_names(config, ["Twe1/0/1"]) == {"Twe1/0/1": "TwentyFiveGigE1/0/1"}


def test_cisco_short_ifname_recording_gives_counters_under_config_names():
    walk = read_snmprec(DEMO / "hz-acc-02.snmprec")
    counters = interface_counters(walk, ["TenGigabitEthernet0/1/0", "TenGigabitEthernet0/1/0.300"])
    assert set(counters) == {"TenGigabitEthernet0/1/0", "TenGigabitEthernet0/1/0.300"}
    c = counters["TenGigabitEthernet0/1/0.300"]
    assert c.readable and c.counter_bits == 64 and c.speed_bps == 10 * 10**9
    # packets are unicast + multicast + broadcast, read from the recording itself
    ucast = int(walk["1.3.6.1.2.1.31.1.1.1.7.21"][1])
    mcast = int(walk["1.3.6.1.2.1.31.1.1.1.8.21"][1])
    bcast = int(walk["1.3.6.1.2.1.31.1.1.1.9.21"][1])
    assert c.in_packets == ucast + mcast + bcast
    assert sys_uptime(walk) == 45678901


def test_only_ifname_short_form_still_matches(tmp_path):
    walk = {"1.3.6.1.2.1.31.1.1.1.1.5": ("4", "Gi0/0/1.100"), "1.3.6.1.2.1.31.1.1.1.6.5": ("70", "10"),
            "1.3.6.1.2.1.31.1.1.1.10.5": ("70", "20"), "1.3.6.1.2.1.31.1.1.1.7.5": ("70", "3"),
            "1.3.6.1.2.1.31.1.1.1.11.5": ("70", "4"), "1.3.6.1.2.1.2.2.1.13.5": ("65", "1"),
            "1.3.6.1.2.1.2.2.1.19.5": ("65", "2")}
    c = interface_counters(walk, ["GigabitEthernet0/0/1.100"])["GigabitEthernet0/0/1.100"]
    assert (c.in_octets, c.out_octets, c.in_packets, c.out_packets, c.in_discards, c.out_discards) == (10, 20, 3, 4, 1, 2)


def test_32_bit_agent_falls_back_to_iftable():
    walk = {"1.3.6.1.2.1.2.2.1.2.2": ("4", "GigabitEthernet0/0/2"), "1.3.6.1.2.1.2.2.1.10.2": ("65", "4294967000"),
            "1.3.6.1.2.1.2.2.1.16.2": ("65", "5"), "1.3.6.1.2.1.2.2.1.11.2": ("65", "6"),
            "1.3.6.1.2.1.2.2.1.17.2": ("65", "7"), "1.3.6.1.2.1.2.2.1.13.2": ("65", "0"),
            "1.3.6.1.2.1.2.2.1.19.2": ("65", "0"), "1.3.6.1.2.1.2.2.1.5.2": ("66", "1000000000")}
    c = interface_counters(walk, ["GigabitEthernet0/0/2"])["GigabitEthernet0/0/2"]
    assert c.counter_bits == 32 and c.in_octets == 4294967000 and c.speed_bps == 10**9 and c.readable


def test_missing_discards_make_counters_unreadable():
    walk = {"1.3.6.1.2.1.31.1.1.1.1.5": ("4", "GigabitEthernet0/0/1"), "1.3.6.1.2.1.31.1.1.1.6.5": ("70", "10")}
    assert not interface_counters(walk, ["GigabitEthernet0/0/1"])["GigabitEthernet0/0/1"].readable


def test_snmprec_round_trip_sorts_numerically_and_reads_variations(tmp_path):
    walk = {"1.3.6.1.2.1.2.2.1.2.10": ("4", "b"), "1.3.6.1.2.1.2.2.1.2.9": ("4x", "476967"),
            "1.3.6.1.2.1.31.1.1.1.6.9": ("70:numeric", "rate=125000,initial=1000000000001")}
    path = tmp_path / "dev.snmprec"
    path.write_text(format_snmprec(walk))
    lines = path.read_text().splitlines()
    assert lines[0].startswith("1.3.6.1.2.1.2.2.1.2.9|") and lines[1].startswith("1.3.6.1.2.1.2.2.1.2.10|")
    back = read_snmprec(path)
    assert back["1.3.6.1.2.1.31.1.1.1.6.9"] == ("70", "1000000000001")


def test_garbage_snmprec_names_file_and_line(tmp_path):
    path = tmp_path / "dev.snmprec"
    path.write_text("1.3.6.1.2.1.1.3.0|67|5\nthis is not a record\n")
    with pytest.raises(InputError, match=r"dev.snmprec:2: not an snmprec record"):
        read_snmprec(path)


PLAIN = "1.3.6.1.2.1.1.3.0|67|5\n1.3.6.1.2.1.2.2.1.2.1|4|Gi0/0/1 | uplink |\n1.3.6.1.2.1.31.1.1.1.18.1|4|to core \n"


@pytest.mark.parametrize("text", [
    PLAIN,                                                   # as snmpsim and we write it: the fast reader
    PLAIN.replace("\n", "\r\n"),                            # CRLF
    "# a comment\n\n" + PLAIN,                               # comments and blank lines: read line by line
    "  " + PLAIN.replace("\n1.3", "\n\t1.3"),                 # indented records
    PLAIN + "1.3.6.1.2.1.31.1.1.1.6.1|70:numeric|rate=100,initial=77\n",   # a variation module
    "",
])
def test_every_form_of_a_recording_reads_alike(tmp_path, text):
    """The plain-split reader and the line-by-line reader agree; values keep their spaces and "|"."""
    path = tmp_path / "dev.snmprec"
    path.write_bytes(text.encode())
    walk = read_snmprec(path)
    if text:
        assert walk["1.3.6.1.2.1.2.2.1.2.1"] == ("4", "Gi0/0/1 | uplink |")
        assert walk["1.3.6.1.2.1.31.1.1.1.18.1"] == ("4", "to core ")
        assert walk.get("1.3.6.1.2.1.31.1.1.1.6.1", ("70", "77")) == ("70", "77")
    else:
        assert walk == {}


@pytest.mark.parametrize("bad, line", [("1.3.6.1..2|4|x", 2), ("1.3.6.1.|4|x", 2), ("x.3.6|4|v", 2), ("1.3.6|4", 2),
                                       ("7|4|v", 2), (".1.3.6.1|4|v", 2)])
def test_a_bad_record_anywhere_is_named_with_its_line(tmp_path, bad, line):
    path = tmp_path / "dev.snmprec"
    path.write_text(f"1.3.6.1.2.1.1.3.0|67|5\n{bad}\n1.3.6.1.2.1.1.5.0|4|name\n")
    with pytest.raises(InputError, match=rf"dev.snmprec:{line}: not an snmprec record"):
        read_snmprec(path)


def _row(index: int, name: str, descr: str, octets: int, if_type: int | None = None) -> dict:
    """One readable IF-MIB row (ifHC counters, discards) at ifIndex `index`."""
    row = {f"1.3.6.1.2.1.31.1.1.1.1.{index}": ("4", name), f"1.3.6.1.2.1.2.2.1.2.{index}": ("4", descr),
           f"1.3.6.1.2.1.31.1.1.1.6.{index}": ("70", str(octets)), f"1.3.6.1.2.1.31.1.1.1.10.{index}": ("70", "2"),
           f"1.3.6.1.2.1.31.1.1.1.7.{index}": ("70", "3"), f"1.3.6.1.2.1.31.1.1.1.11.{index}": ("70", "4"),
           f"1.3.6.1.2.1.2.2.1.13.{index}": ("65", "0"), f"1.3.6.1.2.1.2.2.1.19.{index}": ("65", "0")}
    if if_type is not None:
        row[f"1.3.6.1.2.1.2.2.1.3.{index}"] = ("2", str(if_type))
    return row


def test_mpls_layer_row_repeating_the_ports_ifname_never_gives_its_counters():
    # IOS-XE: the `-mpls layer` row (ifType mpls 166) has the port's ifName and, here, the lower ifIndex
    walk = {**_row(3, "Gi0/0/1", "GigabitEthernet0/0/1-mpls layer", 999, if_type=166),
            **_row(8, "Gi0/0/1", "GigabitEthernet0/0/1", 111, if_type=6)}
    c = interface_counters(walk, ["GigabitEthernet0/0/1"])["GigabitEthernet0/0/1"]
    assert c.in_octets == 111


def test_of_two_rows_with_the_ports_ifname_the_exact_ifdescr_wins():
    # no ifType in the walk (an older recording): the row whose ifDescr is the configuration name is the port's
    walk = {**_row(2, "Gi0/0/1", "GigabitEthernet0/0/1-mpls layer", 999),
            **_row(5, "Gi0/0/1", "GigabitEthernet0/0/1", 111)}
    assert interface_counters(walk, ["GigabitEthernet0/0/1"])["GigabitEthernet0/0/1"].in_octets == 111
    # only the layer row left: it is the one candidate, and still not of type mpls
    only = _row(2, "Gi0/0/1", "GigabitEthernet0/0/1-mpls layer", 999)
    assert interface_counters(only, ["GigabitEthernet0/0/1"])["GigabitEthernet0/0/1"].in_octets == 999


def test_two_rows_equally_like_the_interface_give_no_counters():
    walk = {**_row(2, "Gi0/0/1", "port A", 999), **_row(5, "Gi0/0/1", "port B", 111)}
    assert interface_counters(walk, ["GigabitEthernet0/0/1"]) == {}


def test_counter_bits_unknown_without_an_octet_counter():
    walk = {"1.3.6.1.2.1.31.1.1.1.1.5": ("4", "GigabitEthernet0/0/1"), "1.3.6.1.2.1.31.1.1.1.7.5": ("70", "3")}
    c = interface_counters(walk, ["GigabitEthernet0/0/1"])["GigabitEthernet0/0/1"]
    assert c.counter_bits is None and c.in_octets is None and c.in_packets == 3
