"""A small lab on 127.0.0.1 for the live tests: FakeNOS devices, snmpsim agents, a silent TCP server.

Started once per test session (they take a few seconds), stopped at the end. The devices serve realistic
configurations from tests/parse/ with the lab's own secrets written into them, so tests can prove those
secrets never come out of ecpartner. Helpers live in rig.py (servers) and labdata.py (data).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from labdata import (COMMUNITY_HZ, COMMUNITY_SH, ENABLE, HZ_INTERFACES, PASSWORD, SH_INTERFACES,  # noqa: E402
                     USERNAME, Lab, cisco_config, huawei_config)
from rig import FakeDevices, Served, SilentServer, SnmpAgents, snmprec_for  # noqa: E402


# The interface commands (counters when a device has no SNMP), renamed to the lab configurations' ports.
CLI_COUNTERS = Path(__file__).parents[1] / "parse" / "cli_counters" / "devices"
HZ_DISPLAY_INTERFACE = (CLI_COUNTERS / "bj-acc-01" / "display_interface.txt").read_text(encoding="utf-8") \
    .replace("XGigabitEthernet0/0/1", "GigabitEthernet0/0/1")
SH_SHOW_INTERFACES = (CLI_COUNTERS / "bj-acc-02" / "show_interfaces.txt").read_text(encoding="utf-8") \
    .replace("TenGigabitEthernet0/1/0", "GigabitEthernet0/0/1")


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    devices = [
        Served("hz-acc-01", "huawei", {"display current-configuration": huawei_config(),
                                       "display interface": HZ_DISPLAY_INTERFACE}, USERNAME, PASSWORD),
        Served("sh-acc-02", "cisco_ios", {"show running-config": cisco_config(),
                                          "show interfaces": SH_SHOW_INTERFACES}, USERNAME, PASSWORD, ENABLE),
        Served("hz-rej-03", "huawei", {}, USERNAME, PASSWORD),   # answers Error: Unrecognized command
    ]
    walks = {"hz-acc-01": (COMMUNITY_HZ, snmprec_for(HZ_INTERFACES)),
             "sh-acc-02": (COMMUNITY_SH, snmprec_for(SH_INTERFACES, speed_mbps=10000))}
    with FakeDevices(devices) as fake, SnmpAgents(walks, tmp_path_factory.mktemp("snmpsim")) as agents, \
            SilentServer() as silent:
        yield Lab(fake, agents, silent)


