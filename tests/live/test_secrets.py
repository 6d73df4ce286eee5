"""Secrets in recordings, logs and the terminal: every credential form of every supported platform is
scrubbed from device output (vocabulary from templates/<platform>/commands.yaml), SNMP strings too after
hex decoding, short environment secrets are refused, and no traceback reaches the terminal without -v."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers.labdata import write_inventory
from helpers.platforms import case_id, case_platform, config_cases
from ecpartner.cli import main
from ecpartner.collect.credentials import snmp_auth
from ecpartner.collect.live import Job, _Tracker, plan_jobs
from ecpartner.collect.snmp import SnmpAuth
from ecpartner.collect.ssh import SshLogin, scrub, scrub_line
from ecpartner.errors import InputError
from ecpartner.inventory_loader import load_inventory
from ecpartner.parse import ParseError, build_state
from ecpartner.platforms import platform_spec, platforms, vocabulary

ROOT = Path(__file__).resolve().parents[2]
R = "<removed>"

# (platform, line as the device prints it, the same line scrubbed): secret gone, everything else intact
FORMS = [
    ("huawei", "snmp-agent usm-user v3 ops authentication-mode sha Au7hKey-9q privacy-mode aes128 Pr1vKey-4z",
     f"snmp-agent usm-user v3 ops authentication-mode sha {R} privacy-mode aes128 {R}"),
    ("huawei", "snmp-agent usm-user v3 ops authentication-mode sha cipher %^%#A1b%^%# privacy-mode aes128 cipher %^%#P1%^%#",
     f"snmp-agent usm-user v3 ops authentication-mode sha cipher {R} privacy-mode aes128 cipher {R}"),
    ("huawei", "snmp-agent target-host trap address udp-domain 192.0.2.9 params securityname trapComm-77 v2c",
     f"snmp-agent target-host trap address udp-domain 192.0.2.9 params securityname {R} v2c"),
    ("huawei", "snmp-agent community read cipher %^%#kX8]Lq2=3S%^%# acl 2000", f"snmp-agent community read cipher {R} acl 2000"),
    ("huawei", "snmp-agent community write pl4inComm", f"snmp-agent community write {R}"),
    ("huawei", " local-user u password irreversible-cipher $1c$Xq0h~q7e", f" local-user u password irreversible-cipher {R}"),
    ("huawei", " super password level 15 cipher %^%#Sup3r%^%#", f" super password level 15 cipher {R}"),
    ("huawei", " ospf authentication-mode md5 1 cipher %^%#Osp5%^%#", f" ospf authentication-mode md5 1 cipher {R}"),
    # H3C Comware spelled like VRP (huawei's vocabulary keeps these forms too, see its commands.yaml)
    ("huawei", " password hash $h$6$Lk0vXq$Zz19AbC==", f" password hash {R}"),
    ("huawei", " password simple Pl41n-pw", f" password simple {R}"),
    ("huawei", "snmp-agent usm-user v3 ops g1 cipher authentication-mode sha $c$3$Au privacy-mode aes128 $c$3$Pr",
     f"snmp-agent usm-user v3 ops g1 cipher authentication-mode sha {R} privacy-mode aes128 {R}"),
    # H3C Comware 7 (templates/hp_comware/commands.yaml)
    ("hp_comware", " password hash $h$6$Lk0vXq$Zz19AbC==", f" password hash {R}"),
    ("hp_comware", " password simple Pl41n-pw", f" password simple {R}"),
    ("hp_comware", " password cipher $c$3$Pw0rd==", f" password cipher {R}"),
    ("hp_comware", " super password role network-admin hash $h$6$Su9er$Ab==", f" super password role network-admin hash {R}"),
    ("hp_comware", " key authentication cipher $c$3$Jr5bVq8Tt1B1PKlS0g==", f" key authentication cipher {R}"),
    ("hp_comware", " key accounting simple Rad-K3y-1", f" key accounting simple {R}"),
    ("hp_comware", " snmp-agent community read cipher $c$3$hK9yX2mJQ0h5uQ== acl 2000",
     f" snmp-agent community read cipher {R} acl 2000"),
    ("hp_comware", " snmp-agent community write simple pl4inComm", f" snmp-agent community write simple {R}"),
    ("hp_comware", " snmp-agent community read pl4inComm", f" snmp-agent community read {R}"),
    ("hp_comware", " snmp-agent usm-user v3 ops g1 simple authentication-mode sha Au7hKey-9q privacy-mode aes128 Pr1vKey-4z",
     f" snmp-agent usm-user v3 ops g1 simple authentication-mode sha {R} privacy-mode aes128 {R}"),
    ("hp_comware", " snmp-agent target-host trap address udp-domain 192.0.2.50 params securityname trapComm-77 v2c",
     f" snmp-agent target-host trap address udp-domain 192.0.2.50 params securityname {R} v2c"),
    ("hp_comware", " ntp-service authentication-keyid 1 authentication-mode md5 cipher $c$3$mU7pR2fR8nBq",
     f" ntp-service authentication-keyid 1 authentication-mode md5 cipher {R}"),
    ("hp_comware", " ntp-service authentication-keyid 2 authentication-mode md5 Ntp-K3y-2",
     f" ntp-service authentication-keyid 2 authentication-mode md5 {R}"),
    ("cisco_ios", "snmp-server host 192.0.2.9 version 2c trapComm-77", f"snmp-server host 192.0.2.9 version 2c {R}"),
    ("cisco_ios", "snmp-server host 192.0.2.9 trapComm-77", f"snmp-server host 192.0.2.9 {R}"),
    ("cisco_ios", "snmp-server host 192.0.2.9 vrf MGMT informs version 2c trapComm-77 udp-port 1162",
     f"snmp-server host 192.0.2.9 vrf MGMT informs version 2c {R} udp-port 1162"),
    ("cisco_ios", "snmp-server community s3cret RO 10", f"snmp-server community {R} RO 10"),
    ("cisco_ios", "ntp authentication-key 1 md5 Ntp-K3y-1 7", f"ntp authentication-key 1 md5 {R} 7"),
    ("cisco_ios", " ip ospf message-digest-key 1 md5 Osp-K3y", f" ip ospf message-digest-key 1 md5 {R}"),
    ("cisco_ios", " standby 1 authentication Hsrp-K3y", f" standby 1 authentication {R}"),
    ("cisco_ios", " standby 1 authentication md5 key-string Hsrp-K3y", f" standby 1 authentication md5 key-string {R}"),
    ("cisco_ios", "username u secret 9 $9$mQ2aLr0pQw$Zz1", f"username u secret 9 {R}"),
    ("cisco_ios", "username admin privilege 15 secret 9 $9$abc", f"username admin privilege 15 secret 9 {R}"),
    ("cisco_ios", "enable secret 5 $1$Xy$abc", f"enable secret 5 {R}"),
    ("cisco_ios", "enable password hunter22", f"enable password {R}"),
    ("cisco_ios", "tacacs-server key Tac-K3y", f"tacacs-server key {R}"),
    ("cisco_ios", "  key-string Ch41n-K3y", f"  key-string {R}"),
    ("cisco_ios", " key 7 0822455D0A16", f" key 7 {R}"),
    ("cisco_ios", "snmp-server user ops g1 v3 auth sha AUTHKEY1 priv aes 128 PRIVKEY1",
     f"snmp-server user ops g1 v3 auth sha {R} priv aes 128 {R}"),
    ("cisco_xr", " secret 10 $6$Aq3dG/Ls8r6u5A/.$Kp2sJ1nJ1m0Wq7", f" secret 10 {R}"),
    ("cisco_xr", " password 7 0822455D0A16", f" password 7 {R}"),
    ("cisco_xr", " key 7 0822455D0A165447", f" key 7 {R}"),
    ("cisco_xr", "  password encrypted 121A0C0411045D5679", f"  password encrypted {R}"),
    ("cisco_xr", "   key-string password 13061E010803", f"   key-string password {R}"),
    ("cisco_xr", " authentication-key 1 md5 encrypted 0822455D0A16", f" authentication-key 1 md5 encrypted {R}"),
    ("cisco_xr", "snmp-server community xrComm-42 RO SystemOwner", f"snmp-server community {R} RO SystemOwner"),
    ("cisco_xr", "snmp-server community encrypted 0822455D0A16 RO", f"snmp-server community encrypted {R} RO"),
    ("cisco_xr", "snmp-server host 10.20.0.15 traps version 2c trapComm-77", f"snmp-server host 10.20.0.15 traps version 2c {R}"),
    ("cisco_xr", "snmp-server host 10.20.0.15 traps version 3 priv v3user udp-port 1162",
     f"snmp-server host 10.20.0.15 traps version 3 priv {R} udp-port 1162"),
    ("cisco_xr", "snmp-server user ops g1 v3 auth sha encrypted 1A2B priv aes 128 encrypted 3C4D",
     f"snmp-server user ops g1 v3 auth sha encrypted {R} priv aes 128 encrypted {R}"),
    ("arista_eos", "username admin privilege 15 role network-admin secret sha512 $6$Qm1x$Jd9u",
     f"username admin privilege 15 role network-admin secret sha512 {R}"),
    ("arista_eos", "enable password sha512 $6$Xy$abc", f"enable password sha512 {R}"),
    ("arista_eos", "aaa root secret sha512 $6$Rt$abc", f"aaa root secret sha512 {R}"),
    ("arista_eos", "tacacs-server host 10.10.0.5 vrf MGMT key 7 070C285F4D06", f"tacacs-server host 10.10.0.5 vrf MGMT key 7 {R}"),
    ("arista_eos", "radius-server host 10.10.0.6 key 0 Rad-K3y", f"radius-server host 10.10.0.6 key 0 {R}"),
    ("arista_eos", "   neighbor 192.0.2.1 password 7 Qx3lN9qK1zs=", f"   neighbor 192.0.2.1 password 7 {R}"),
    ("arista_eos", "   isis authentication key 7 asfddja23452", f"   isis authentication key 7 {R}"),
    ("arista_eos", "   ip ospf authentication-key 7 asfddja23452", f"   ip ospf authentication-key 7 {R}"),
    ("arista_eos", "   ip ospf message-digest-key 1 sha512 7 asfddja23452", f"   ip ospf message-digest-key 1 sha512 7 {R}"),
    ("arista_eos", "snmp-server community s3cret ro SNMP-RO", f"snmp-server community {R} ro SNMP-RO"),
    ("arista_eos", "snmp-server host 192.0.2.9 vrf MGMT version 2c trapComm-77", f"snmp-server host 192.0.2.9 vrf MGMT version 2c {R}"),
    ("arista_eos", "snmp-server user ops g1 v3 auth sha256 AUTHKEY1 priv aes256 PRIVKEY1",
     f"snmp-server user ops g1 v3 auth sha256 {R} priv aes256 {R}"),
    ("arista_eos", "ntp authentication-key 1 md5 7 Ntp-K3y-1", f"ntp authentication-key 1 md5 7 {R}"),
    ("arista_eos", "   vrrp 1 peer authentication text Vr-K3y", f"   vrrp 1 peer authentication text {R}"),
    ("juniper_junos", 'set system root-authentication encrypted-password "$6$abc.def" ## SECRET-DATA',
     f"set system root-authentication encrypted-password {R} ## SECRET-DATA"),
    ("juniper_junos", 'set system tacplus-server 10.255.0.30 secret "$9$Hk5F"', f"set system tacplus-server 10.255.0.30 secret {R}"),
    ("juniper_junos", 'set protocols bgp group IBGP authentication-key "$9$bP2Z"', f"set protocols bgp group IBGP authentication-key {R}"),
    ("juniper_junos", 'set system ntp authentication-key 1 type md5 value "$9$3nCu"',
     f"set system ntp authentication-key 1 type md5 value {R}"),
    ("juniper_junos", "set snmp community zjkComm-5c2e authorization read-only", f"set snmp community {R} authorization read-only"),
    ("juniper_junos", 'set snmp community "pub lic" clients 10.0.0.0/8', f"set snmp community {R} clients 10.0.0.0/8"),
    ("juniper_junos", "set snmp trap-group trapComm-77 version v2", f"set snmp trap-group {R} version v2"),
    ("juniper_junos", 'set snmp v3 usm local-engine user ops authentication-sha authentication-key "$9$Au"',
     f"set snmp v3 usm local-engine user ops authentication-sha authentication-key {R}"),
    ("juniper_junos", 'set snmp v3 usm local-engine user ops privacy-aes128 privacy-key "$9$Pr"',
     f"set snmp v3 usm local-engine user ops privacy-aes128 privacy-key {R}"),
    ("juniper_junos", 'set security ike policy P pre-shared-key ascii-text "$9$psk"',
     f"set security ike policy P pre-shared-key ascii-text {R}"),
    ("juniper_junos", 'set protocols ospf area 0.0.0.0 interface ge-0/0/1.0 authentication md5 1 key "$9$osp"',
     f"set protocols ospf area 0.0.0.0 interface ge-0/0/1.0 authentication md5 1 key {R}"),
]

# lines that carry no secret stay byte for byte
ORDINARY = [
    ("huawei", " description password reset key for Acme"),
    ("huawei", " qos car cir 200000 inbound"),
    ("huawei", "interface GigabitEthernet0/0/1.100"),
    ("huawei", "ssh user admin authentication-type password"),
    ("huawei", "ssh server cipher aes256_ctr aes128_ctr"),
    ("huawei", "snmp-agent target-host trap address udp-domain 192.0.2.9 params securityname ops-v3 v3 privacy"),
    ("huawei", " apply community 65000:100"),
    ("hp_comware", " description password reset key for Acme"),
    ("hp_comware", " password-recovery enable"),
    ("hp_comware", " qos car inbound any cir 200000 cbs 12500000 ebs 0"),
    ("hp_comware", "interface Ten-GigabitEthernet1/0/1.100"),
    ("hp_comware", " authentication-mode scheme"),
    ("hp_comware", " ssh user admin service-type stelnet authentication-type password"),
    ("hp_comware", " snmp-agent target-host trap address udp-domain 192.0.2.9 params securityname ops-v3 v3 privacy"),
    ("hp_comware", "local-user admin class manage"),
    ("cisco_ios", " description key customer, secret project"),
    ("cisco_ios", "crypto key generate rsa modulus 2048"),
    ("cisco_ios", "service password-encryption"),
    ("cisco_ios", "password encryption aes"),
    ("cisco_ios", "key chain HSRP"),
    ("cisco_ios", " key 1"),
    ("cisco_ios", " set community 65000:100 additive"),
    ("cisco_ios", "snmp-server group g1 v3 priv read V1"),
    ("cisco_ios", "interface GigabitEthernet0/0/1.100"),
    ("cisco_xr", " server vrf MGMT 10.20.0.30 key 1 prefer"),
    ("cisco_xr", " server vrf MGMT 10.20.0.31 key 1"),
    ("cisco_xr", "key chain ISIS-KC"),
    ("cisco_xr", " key 1"),
    ("cisco_xr", "crypto key generate rsa general-keys"),
    ("cisco_xr", " description key customer, secret project"),
    ("cisco_xr", "lpts punt police location 0/0/CPU0"),
    ("cisco_xr", "  police rate 200 mbps"),
    ("arista_eos", "   description key customer, secret project"),
    ("arista_eos", "no enable password"),
    ("arista_eos", "username noc nopassword"),
    ("arista_eos", "username admin ssh-key ssh-rsa AAAAB3NzaC1yc2E admin@example"),
    ("arista_eos", "hardware counter feature subinterface in"),
    ("arista_eos", "   police rate 200 mbps burst-size 256 kbytes"),
    ("arista_eos", "interface Ethernet2.100"),
    ("juniper_junos", 'set interfaces xe-0/0/0 unit 100 description "secret key customer"'),
    ("juniper_junos", "set system ntp server 10.255.0.10 key 1"),
    ("juniper_junos", "set system ntp trusted-key 1"),
    ("juniper_junos", "set firewall policer P-200M if-exceeding bandwidth-limit 200m"),
    ("juniper_junos", "set interfaces xe-0/0/0 unit 100 family inet policer input P-200M"),
]


@pytest.mark.parametrize("platform, line, scrubbed", FORMS, ids=[f"{p}:{line.strip()[:40]}" for p, line, _ in FORMS])
def test_every_secret_form_is_scrubbed_and_the_rest_of_the_line_kept(platform, line, scrubbed):
    assert scrub_line(line, platform) == scrubbed
    assert scrub(f"!\n{line}\n", set(), platform) == f"!\n{scrubbed}\n"


@pytest.mark.parametrize("platform, line", ORDINARY, ids=[f"{p}:{line.strip()[:40]}" for p, line in ORDINARY])
def test_ordinary_lines_are_unchanged(platform, line):
    assert scrub_line(line, platform) == line


def test_literal_secrets_go_anywhere_even_in_descriptions():
    text = "interface Gi0/0/1\n description ops-Pw-4u7rx9Zq\n"
    assert scrub(text, {"Pw-4u7rx9Zq"}, "cisco_ios") == "interface Gi0/0/1\n description ops-<removed>\n"


def _fleet_configs():
    for fleet in ("demo", "clean"):
        inventory = load_inventory(ROOT / "fixtures" / fleet / "inventory.yaml")
        for path in sorted((ROOT / "fixtures" / fleet / "devices").glob("*/*.txt")):
            yield inventory.devices[path.parent.name].platform, path


FLEET = list(_fleet_configs())


def test_the_recorded_fleets_hold_secret_lines():
    assert sum(path.read_text(encoding="utf-8").count(R) for _, path in FLEET) >= 5


@pytest.mark.parametrize("platform, path", FLEET, ids=[f"{p.parents[2].name}/{p.parent.name}" for _, p in FLEET])
def test_recorded_fleet_configs_change_only_on_their_secret_lines(platform, path):
    recorded = path.read_text(encoding="utf-8")
    # the device printed real secrets where the recording says <removed>: scrubbing gives the recording back
    assert scrub(recorded.replace(R, "Zq8$s3cr3t$w1"), set(), platform) == recorded


CASES = config_cases()


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_parser_cases_parse_identically_after_scrubbing(case):
    platform = case_platform(case)
    command = platform_spec(platform).config_command
    text = case.read_text(encoding="utf-8")
    scrubbed = scrub(text, set(), platform)
    changed = [b for a, b in zip(text.split("\n"), scrubbed.split("\n")) if a != b]
    assert all(R in line for line in changed)
    try:
        before = build_state("dev", platform, {command: text}).to_dict()
    except ParseError as e:
        with pytest.raises(ParseError, match="no interfaces found"):
            build_state("dev", platform, {command: scrubbed})
        assert str(e)
        return
    assert build_state("dev", platform, {command: scrubbed}).to_dict() == before


def test_every_supported_platform_has_its_vocabulary_in_its_templates():
    assert {"huawei", "cisco_ios"} <= set(platforms())
    for platform in platforms():
        v = vocabulary(platform)
        assert v.words and v.patterns
        assert platform_spec(platform).config_command   # the new key does not disturb the parser's reading


def test_the_vocabulary_is_data_not_code(edited_platform):
    edited_platform("acme_os", lambda doc: {**doc, "platform": "acme_os", "secrets": {
        "words": ["frobnicate"], "skip": ["twice"], "patterns": [r"^\s*magic\s+\S+\s+(\S+)"]}})
    assert scrub_line("set frobnicate twice Hid-den1 now", "acme_os") == f"set frobnicate twice {R} now"
    assert scrub_line("magic 3 Hid-den2", "acme_os") == f"magic 3 {R}"
    assert scrub_line("set password Plain-1", "acme_os") == "set password Plain-1"   # not acme's word


@pytest.mark.parametrize("secrets, message", [
    (None, "commands.yaml: no 'secrets' section"),
    ({"words": ["x"], "patterns": ["(unclosed"]}, "commands.yaml: secrets.patterns[0]: not a regular expression"),
    ({"words": ["x"], "patterns": [r"magic \S+"]}, "commands.yaml: secrets.patterns[0]: no group"),
    ({"words": ["x"], "skip": [7]}, "commands.yaml: secrets.skip: must be a list of non-empty strings"),
    ({"wrods": ["x"]}, "commands.yaml: secrets: unknown key 'wrods'"),
])
def test_a_broken_vocabulary_stops_the_run_before_any_connection(tmp_path, edited_platform, secrets, message):
    inventory = load_inventory(write_inventory(tmp_path, [_device()]))
    edited_platform("huawei", lambda doc: {**{k: v for k, v in doc.items() if k != "secrets"},
                                           **({"secrets": secrets} if secrets else {})})
    with pytest.raises(InputError) as caught:
        plan_jobs(inventory, environ=ENV)
    assert message in str(caught.value) and str(caught.value).startswith("device hz-01: ")


class _FakeDevice:
    def __init__(self, name: str):
        self.name = name


def test_snmp_octet_strings_are_scrubbed_after_hex_decoding_too():
    tracker = _Tracker([Job(_FakeDevice("hz-01"), SshLogin("u", "pw-long", "pw-long"), (), SnmpAuth())],
                       None, {"Pw-4u7rx9Zq"})
    walk = {"1.3.6.1.2.1.31.1.1.1.18.1": ("4x", "uplink\tPw-4u7rx9Zq\n".encode().hex()),
            "1.3.6.1.2.1.31.1.1.1.18.2": ("4x", b"\xff\xfeops Pw-4u7rx9Zq".hex()),     # not UTF-8
            "1.3.6.1.2.1.31.1.1.1.18.3": ("4", "ops Pw-4u7rx9Zq"),
            "1.3.6.1.2.1.31.1.1.1.18.4": ("4x", "0001ff"),
            "1.3.6.1.2.1.31.1.1.1.6.1": ("70", "12345")}
    tracker.snmp_done("hz-01", walk, None, 0.1)
    stored = tracker.results["hz-01"].snmp
    assert bytes.fromhex(stored["1.3.6.1.2.1.31.1.1.1.18.1"][1]) == b"uplink\t<removed>\n"
    assert bytes.fromhex(stored["1.3.6.1.2.1.31.1.1.1.18.2"][1]) == b"\xff\xfeops <removed>"
    assert stored["1.3.6.1.2.1.31.1.1.1.18.3"] == ("4", "ops <removed>")
    assert stored["1.3.6.1.2.1.31.1.1.1.18.4"] == ("4x", "0001ff")
    assert stored["1.3.6.1.2.1.31.1.1.1.6.1"] == ("70", "12345")


ENV = {"ECPT_USER": "ecp-ops", "ECPT_PASSWORD": "Pw-4u7rx9Zq", "ECPT_ENABLE": "En-8k2qLmT",
       "ECPT_COMMUNITY": "comm-3f9a", "ECPT_V3_USER": "v3", "ECPT_V3_AUTH": "v3-auth-7hQ2", "ECPT_V3_PRIV": "v3-priv-Lm93"}


def _device(**overrides) -> dict:
    return {"name": "hz-01", "host": "127.0.0.1", "platform": "huawei", "role": "access", "credentials": "default",
            **overrides}


def _v3_inventory(tmp_path: Path, devices: list[dict]) -> Path:
    path = write_inventory(tmp_path, devices)
    doc = yaml.safe_load(path.read_text())
    doc["credentials"]["v3"] = {"username_env": "ECPT_USER", "password_env": "ECPT_PASSWORD",
                                "secret_env": "ECPT_ENABLE",
                                "snmp_v3": {"user_env": "ECPT_V3_USER", "auth_key_env": "ECPT_V3_AUTH",
                                            "priv_key_env": "ECPT_V3_PRIV"}}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.mark.parametrize("variable, what, device", [
    ("ECPT_PASSWORD", "SSH password", _device(snmp={"version": "2c", "community_env": "ECPT_COMMUNITY"})),
    ("ECPT_ENABLE", "enable secret", _device(credentials="v3")),
    ("ECPT_COMMUNITY", "SNMP community", _device(snmp={"version": "2c", "community_env": "ECPT_COMMUNITY"})),
    ("ECPT_V3_AUTH", "SNMPv3 auth key", _device(credentials="v3", snmp={"version": "3"})),
    ("ECPT_V3_PRIV", "SNMPv3 priv key", _device(credentials="v3", snmp={"version": "3"})),
])
def test_a_secret_shorter_than_4_characters_is_refused_without_quoting_it(tmp_path, variable, what, device):
    inventory = load_inventory(_v3_inventory(tmp_path, [device]))
    env = {**ENV, variable: "p!x"}
    with pytest.raises(InputError) as caught:
        plan_jobs(inventory, environ=env)
    assert caught.value.messages == [f"device hz-01: environment variable {variable} ({what}) is shorter than 4 "
                                     f"characters: refused, since every occurrence of a secret is removed from "
                                     f"device output"]
    if device.get("snmp"):   # the telemetry poller resolves SNMP credentials with the same function
        hz = inventory.devices["hz-01"]
        cred = inventory.credentials[hz.credentials]
        if variable in ("ECPT_COMMUNITY", "ECPT_V3_AUTH", "ECPT_V3_PRIV"):
            with pytest.raises(InputError) as polled:
                snmp_auth(hz, cred, env)
            assert polled.value.messages == caught.value.messages
        else:
            snmp_auth(hz, cred, env)   # the SSH password is not the SNMP poller's business
    assert len(ENV["ECPT_V3_USER"]) < 4   # a user name is no secret: short is fine
    plan_jobs(inventory, environ=ENV)


def test_collect_refuses_a_short_password_before_any_connection(tmp_path, monkeypatch, capsys):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    inventory = write_inventory(tmp_path, [_device(port=listener.getsockname()[1])])
    for name, value in {**ENV, "ECPT_PASSWORD": "p"}.items():
        monkeypatch.setenv(name, value)
    try:
        assert main(["collect", str(inventory), "--record", str(tmp_path / "rec")]) == 2
        with pytest.raises(BlockingIOError):
            listener.accept()   # nobody knocked
    finally:
        listener.close()
    err = capsys.readouterr().err
    assert "device hz-01: environment variable ECPT_PASSWORD (SSH password) is shorter than 4 characters" in err
    assert "Traceback" not in err and not (tmp_path / "rec").exists()


# A collector that fails the way paramiko/netmiko do: paramiko logs a traceback of its own, the error escapes.
_FAILING_RUN = """
import logging, sys
import ecpartner.collect.live as live

def collect_ssh(*args, **kwargs):
    try:
        raise OSError("Connection reset by peer")
    except OSError:
        logging.getLogger("paramiko.transport").error("Exception (client): socket error", exc_info=True)
        logging.getLogger("paramiko.transport").error("Traceback (most recent call last):")
    raise EOFError("netmiko lost the channel")

live.collect_ssh = collect_ssh
from ecpartner.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("verbose", [False, True])
def test_no_traceback_reaches_the_terminal_without_v(tmp_path, verbose):
    inventory = write_inventory(tmp_path, [_device(), _device(name="hz-02")])
    argv = [*(["-v"] if verbose else []), "collect", str(inventory), "--record", str(tmp_path / "rec")]
    run = subprocess.run([sys.executable, "-c", _FAILING_RUN, *argv], env={**os.environ, **ENV},
                         stderr=subprocess.PIPE, text=True, timeout=120)
    assert run.returncode == 3, run.stderr
    lines = run.stderr.splitlines()
    for name in ("hz-01", "hz-02"):
        assert run.stderr.count(f"ecpartner: {name}: not recorded: ssh 127.0.0.1:22: internal error: EOFError") == 1
    if verbose:
        assert "Traceback" in run.stderr and "netmiko lost the channel" in run.stderr
    else:
        assert "Traceback" not in run.stderr and "Exception (client)" not in run.stderr
        # progress and the recorder's verdict: one line per device, nothing from the libraries
        assert all(line.startswith(("[1/2] ", "[2/2] ", "ecpartner: hz-0", "recorded 0 of 2 ")) for line in lines), lines

