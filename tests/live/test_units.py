"""The small pure pieces of live collection: rejections, commands, progress lines (scrubbing: test_secrets.py)."""

from __future__ import annotations

import io

import pytest

from ecpartner.collect.progress import DeviceEvent
from ecpartner.commands.progress import PlainLines
from ecpartner.collect.snmp import to_snmprec
from ecpartner.collect.ssh import rejection
from ecpartner.platforms import platform_commands


@pytest.mark.parametrize("platform, output, reason", [
    ("huawei", "              ^\nError: Unrecognized command found at '^' position.\n",
     "Error: Unrecognized command found at '^' position."),
    ("cisco_ios", "                ^\n% Invalid input detected at '^' marker.\n", "% Invalid input detected at '^' marker."),
    ("cisco_ios", "% Incomplete command.\n", "% Incomplete command."),
    ("huawei", "#\nsysname hz-acc-01\n#\nreturn\n", None),
    ("cisco_ios", "Building configuration...\n\nCurrent configuration : 6421 bytes\n!\nversion 17.9\n", None),
])
def test_rejection(platform, output, reason):
    assert rejection(output, platform) == reason


def test_platform_commands_come_from_the_templates():
    assert platform_commands("huawei")[0] == "display current-configuration"
    assert "show running-config" in platform_commands("cisco_ios")


def test_progress_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    progress = PlainLines(stream)
    progress(DeviceEvent("hz-acc-01", ("connect",), 0.0, 0, 2))            # a step: nothing in a log
    progress(DeviceEvent("hz-acc-01", (), 1.84, 1, 2, finished=True))
    progress(DeviceEvent("sh-acc-02", (), 0.02, 2, 2, finished=True, error="ssh: connection refused"))
    assert stream.getvalue() == ("[1/2] hz-acc-01 ok 1.8s\n"
                                 "[2/2] sh-acc-02 FAILED 0.0s: ssh: connection refused\n")


def test_to_snmprec_tags():
    from pysnmp.proto.rfc1902 import Counter32, Counter64, Gauge32, Integer32, IpAddress, OctetString, TimeTicks

    assert to_snmprec(Counter64(2**40)) == ("70", str(2**40))
    assert to_snmprec(Counter32(5)) == ("65", "5")
    assert to_snmprec(Gauge32(1000)) == ("66", "1000")
    assert to_snmprec(TimeTicks(12345)) == ("67", "12345")
    assert to_snmprec(Integer32(1)) == ("2", "1")
    assert to_snmprec(IpAddress("10.0.0.1")) == ("64", "10.0.0.1")
    assert to_snmprec(OctetString("GigabitEthernet0/0/1.100")) == ("4", "GigabitEthernet0/0/1.100")
    assert to_snmprec(OctetString(b"\x00\x11\xff")) == ("4x", "0011ff")
