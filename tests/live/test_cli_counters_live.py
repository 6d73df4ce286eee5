"""`only_without_snmp` commands over real SSH (FakeNOS): the interface command runs only for devices
without an `snmp` block, and its output becomes the device's counters."""

from __future__ import annotations

import pytest

from helpers.labdata import ENV, HZ_DISPLAY_INTERFACE, SH_SHOW_INTERFACES, served_outputs, write_inventory
from ecpartner.collect.live import collect_live
from ecpartner.inventory_loader import load_inventory
from ecpartner.parse import build_state

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # FakeNOS server side


def test_device_with_snmp_never_receives_the_interface_command(lab, tmp_path):
    inv = load_inventory(write_inventory(tmp_path, [lab.device("hz-acc-01"), lab.device("sh-acc-02")]))
    before = len(lab.fake.seen)                 # the lab lives for the session: earlier tests' commands are there
    results = collect_live(inv, timeout=10, environ=ENV)
    seen = lab.fake.seen[before:]
    assert results["hz-acc-01"].error is None and results["sh-acc-02"].error is None
    assert set(results["hz-acc-01"].outputs) == {"display current-configuration"}
    assert set(results["sh-acc-02"].outputs) == {"show running-config"}
    assert ("hz-acc-01", "display interface") not in [(d, c) for d, _p, c in seen]
    assert ("sh-acc-02", "show interfaces") not in [(d, c) for d, _p, c in seen]


# readable: the interface whose every counter the output prints (Comware ports print no drops, subinterfaces do)
@pytest.mark.parametrize("name, platform, command, served, port, readable", [
    ("hz-acc-01", "huawei", "display interface", HZ_DISPLAY_INTERFACE, "GigabitEthernet0/0/1", "GigabitEthernet0/0/1"),
    ("sh-acc-02", "cisco_ios", "show interfaces", SH_SHOW_INTERFACES, "GigabitEthernet0/0/1", "GigabitEthernet0/0/1"),
    ("bj-h3c-02", "hp_comware", "display interface", served_outputs("hp_comware")["display interface"],
     "Ten-GigabitEthernet1/0/1", "Ten-GigabitEthernet1/0/1.100"),
])
def test_device_without_snmp_reads_counters_from_the_interface_command(lab, tmp_path, name, platform, command,
                                                                       served, port, readable):
    entry = lab.device(name)
    del entry["snmp"]
    result = collect_live(load_inventory(write_inventory(tmp_path, [entry])), timeout=10, environ=ENV)[name]
    assert result.error is None and result.snmp is None
    assert result.outputs[command] == served
    assert command in lab.fake.commands_seen(name)
    state = build_state(name, platform, result.outputs, result.snmp)
    counters = state.counters[port]
    assert counters.source == "cli" and state.counters[readable].readable and counters.in_octets > 0
    assert state.counters[port + ".100"].in_packets > 0
