"""The small pure pieces of live collection: scrubbing, rejections, commands, progress lines."""

from __future__ import annotations

import io

import pytest

from ecpartner.collect.progress import Progress
from ecpartner.collect.snmp import to_snmprec
from ecpartner.collect.ssh import platform_commands, rejection, scrub, scrub_line
from ecpartner.state import Collected


@pytest.mark.parametrize("line, scrubbed", [
    ("snmp-agent community read cipher %^%#kX8]Lq2=3S%^%# acl 2000", "snmp-agent community read cipher <removed> acl 2000"),
    (" local-user admin password irreversible-cipher $1c$Xq0h~q7e", " local-user admin password irreversible-cipher <removed>"),
    ("snmp-server community s3cret RO 10", "snmp-server community <removed> RO 10"),
    ("username admin privilege 15 secret 9 $9$abc", "username admin privilege 15 secret 9 <removed>"),
    ("enable password hunter22", "enable password <removed>"),
    (" key 7 0822455D0A16", " key 7 <removed>"),
    ("snmp-server user ops g1 v3 auth sha AUTHKEY1 priv aes 128 PRIVKEY1",
     "snmp-server user ops g1 v3 auth sha <removed> priv aes 128 <removed>"),
    ("snmp-agent usm-user v3 ops authentication-mode sha cipher A1 privacy-mode aes128 cipher P1",
     "snmp-agent usm-user v3 ops authentication-mode sha cipher <removed> privacy-mode aes128 cipher <removed>"),
    ('set system root-authentication encrypted-password "$6$xyz"', "set system root-authentication encrypted-password <removed>"),
    # lines that carry no secret stay byte for byte
    ("service password-encryption", "service password-encryption"),
    ("crypto key generate rsa modulus 2048", "crypto key generate rsa modulus 2048"),
    (" qos car cir 200000 inbound", " qos car cir 200000 inbound"),
    ("ssh user admin authentication-type password", "ssh user admin authentication-type password"),
])
def test_scrub_line(line, scrubbed):
    assert scrub_line(line) == scrubbed


def test_scrub_replaces_literal_secrets_anywhere():
    text = "interface Gi0/0/1\n description ops-Pw-4u7rx9Zq\n"
    assert scrub(text, {"Pw-4u7rx9Zq"}) == "interface Gi0/0/1\n description ops-<removed>\n"


@pytest.mark.parametrize("output, reason", [
    ("              ^\nError: Unrecognized command found at '^' position.\n", "Error: Unrecognized command found at '^' position."),
    ("                ^\n% Invalid input detected at '^' marker.\n", "% Invalid input detected at '^' marker."),
    ("% Incomplete command.\n", "% Incomplete command."),
    ("#\nsysname hz-acc-01\n#\nreturn\n", None),
    ("Building configuration...\n\nCurrent configuration : 6421 bytes\n!\nversion 17.9\n", None),
])
def test_rejection(output, reason):
    assert rejection(output) == reason


def test_platform_commands_come_from_the_templates():
    assert platform_commands("huawei")[0] == "display current-configuration"
    assert "show running-config" in platform_commands("cisco_ios")


def test_progress_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream, tty=False)
    progress(1, 2, Collected(device="hz-acc-01"), 1.84)
    progress(2, 2, Collected(device="sh-acc-02", error="ssh: connection refused"), 0.02)
    assert stream.getvalue() == ("[1/2] hz-acc-01 ok 1.8s\n"
                                 "[2/2] sh-acc-02 FAILED 0.0s: ssh: connection refused\n")


def test_progress_bar_on_a_terminal_redraws_one_line():
    stream = io.StringIO()
    progress = Progress(stream, tty=True)
    progress(1, 2, Collected(device="hz-acc-01"), 1.0)
    progress(2, 2, Collected(device="sh-acc-02"), 2.0)
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("2/2  sh-acc-02 2.0s\n")
    assert "[############------------] 1/2" in text


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
