"""The inventory loader: a valid file gives the right typed values; every malformed one gives precise messages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ecpartner.errors import InputError
from ecpartner.inventory import Thresholds
from ecpartner.inventory_loader import load_inventory

VALID = (Path(__file__).parent / "valid_inventory.yaml").read_text()


@pytest.fixture(autouse=True)
def in_tmp_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run in tmp_path so that messages name the file as the user typed it: 'inventory.yaml'."""
    monkeypatch.chdir(tmp_path)


def write(text: str | bytes) -> Path:
    path = Path("inventory.yaml")
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def mutate(*edits: tuple[str, str]) -> str:
    """The valid inventory with each (old, new) replaced once; old must occur."""
    text = VALID
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def line_of(text: str, marker: str) -> int:
    """1-based number of the first line containing marker ('^marker': starting with it; 'marker#2': the 2nd)."""
    marker, _, nth = marker.partition("#")
    if marker.startswith("^"):
        hits = [i for i, line in enumerate(text.splitlines(), 1) if line.startswith(marker[1:])]
    else:
        hits = [i for i, line in enumerate(text.splitlines(), 1) if marker in line]
    return hits[int(nth or 1) - 1]


def problems(text: str | bytes) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_inventory(write(text))
    return caught.value.messages


# ---------------------------------------------------------------- the valid inventory

def test_valid_inventory_loads_into_typed_values() -> None:
    inv = load_inventory(write(VALID))
    assert inv.path == Path("inventory.yaml")
    assert inv.partner.account_id == "1234567890123456"  # written as an int
    assert inv.partner.permission.valid_from == datetime(2026, 11, 26, tzinfo=timezone(timedelta(hours=8)))
    assert inv.partner.permission.valid_until == datetime(2026, 11, 27, tzinfo=timezone(timedelta(hours=8)))
    assert inv.thresholds == Thresholds(icmp_min_pps=600, qos_tolerance=0.1)  # the others are defaults

    acc, agg = inv.devices["hz-acc-01"], inv.devices["hz-agg-02"]
    assert (acc.platform, acc.role, acc.port, acc.credentials, acc.line) == ("huawei", "access", 22, "default", 14)
    assert (acc.snmp.version, acc.snmp.community_env, acc.snmp.port) == ("2c", "ECP_SNMP_COMMUNITY", 161)
    assert (agg.port, agg.snmp.version, agg.snmp.port, agg.line) == (2222, "3", 1161, 20)

    assert inv.credentials["default"].secret_env is None and inv.credentials["default"].snmp_v3 is None
    v3 = inv.credentials["with-v3"].snmp_v3
    assert (v3.user_env, v3.auth_protocol, v3.priv_protocol) == ("ECP_V3_USER", "sha256", "aes")

    c1, c2 = inv.circuits["pc-bp1circuit01"], inv.circuits["pc-bp1circuit02"]
    assert (c1.capacity, c1.status, c1.line) == (10_000_000_000, "enabled", 35)
    assert (c2.capacity, c2.status) == (2_500_000_000, "disabled")

    acme, globex = inv.tenants["1987654321098765"], inv.tenants["1555000011112222"]  # globex's id was an int
    assert (acme.ha, acme.users, acme.line) == (True, 4, 49)
    assert (globex.ha, globex.users, globex.site) == (False, 1, "international")

    h1, h2, h3 = inv.hosted_connections
    assert (h1.id, h1.vlan, h1.bandwidth, h1.bandwidth_text, h1.address, h1.line) == (
        "pc-bp1hosted0001", 100, 200_000_000, "200M", "10.100.0.1/30", 58)
    assert (h2.bandwidth, h2.bandwidth_text, h2.status) == (1_000_000_000, "1 Gbps", "pending")
    assert (h3.id, h3.key, h3.tenant, h3.vlan, h3.bandwidth, h3.bandwidth_text) == (
        None, "pc-bp1circuit01/vlan0", "1555000011112222", 0, 200_000_000, "200Mbps")


def test_optional_sections_may_be_absent_or_empty() -> None:
    text = VALID[:VALID.index("thresholds:")] + VALID[VALID.index("devices:"):VALID.index("tenants:")]
    inv = load_inventory(write(text + "tenants: []\nhosted_connections:\n"))
    assert inv.thresholds == Thresholds()
    assert inv.tenants == {} and inv.hosted_connections == []


def test_yaml_anchors_and_merge_keys_are_understood() -> None:
    text = mutate(("  - name: hz-acc-01\n", "  - &acc\n    name: hz-acc-01\n"),
                  ("  - name: hz-agg-02\n    host: 192.0.2.12\n    platform: cisco_ios\n    role: aggregation\n",
                   "  - <<: *acc\n    name: hz-agg-02\n    role: aggregation\n"))
    agg = load_inventory(write(text)).devices["hz-agg-02"]
    assert (agg.host, agg.platform, agg.role, agg.port) == ("192.0.2.11", "huawei", "aggregation", 2222)


def test_noncompliant_but_well_formed_values_are_left_to_the_rules() -> None:
    text = mutate(("carrier: China Telecom", "carrier: Foo Telecom"),
                  ("vlan: 100", "vlan: 3001"), ("bandwidth: 200M", "bandwidth: 150M"),
                  ("vlan: 101", "vlan: -5"), ("capacity: 2.5G", "capacity: 100M"),  # 1 Gbps on a 100M circuit
                  ("vlan: 0", "vlan: 3001"),  # the same VLAN twice on pc-bp1circuit01
                  ("site: international", "site: china"))
    inv = load_inventory(write(text))
    assert inv.partner.carrier == "Foo Telecom"
    assert [(h.vlan, h.bandwidth) for h in inv.hosted_connections] == [
        (3001, 150_000_000), (-5, 1_000_000_000), (3001, 200_000_000)]
    assert inv.circuits["pc-bp1circuit02"].capacity == 100_000_000


# ---------------------------------------------------------------- malformed inventories
# (id, edits, [(marker of the expected line, path, message)])

CASES = [
    ("yaml-syntax", [("    host: 192.0.2.11", "    host: 192.0.2.11: oops")],
     [("192.0.2.11: oops", None, "YAML syntax error: mapping values are not allowed here")]),
    ("yaml-unclosed-flow", [("snmp: {version: 3, port: 1161}", "snmp: {version: 3, port: 1161")],
     [("^credentials:", None, "YAML syntax error: expected ',' or '}', but got ':' "
                              "(while parsing a flow mapping started at line {snmp: {version: 3})")]),
    ("unknown-key-top-level", [("thresholds:", "threshholds:")],
     [("threshholds:", "threshholds", "unknown key 'threshholds' (did you mean 'thresholds'?)")]),
    ("unknown-key-nested-typo", [("    bandwidth: 200M", "    bandwith: 200M")],
     [("  - id: pc-bp1hosted0001", "hosted_connections[0].bandwidth", "missing required key 'bandwidth'"),
      ("bandwith: 200M", "hosted_connections[0].bandwith", "unknown key 'bandwith' (did you mean 'bandwidth'?)")]),
    ("unknown-key-deep", [("community_env: ECP_SNMP_COMMUNITY}", "community_env: ECP_SNMP_COMMUNITY, prot: 161}")],
     [("prot: 161", "devices[0].snmp.prot", "unknown key 'prot' (did you mean 'port'?)")]),
    ("duplicate-key", [("    vlan: 100\n", "    vlan: 100\n    vlan: 102\n")],
     [("vlan: 102", "hosted_connections[0].vlan", "duplicate key 'vlan' (first at line {vlan: 100})")]),
    ("wrong-type-vlan", [("vlan: 100", "vlan: abc")],
     [("vlan: abc", "hosted_connections[0].vlan", "'abc' is not an integer")]),
    ("bool-is-not-an-int", [("port: 2222", "port: true")],
     [("port: true", "devices[1].port", "true is not an integer")]),
    ("wrong-type-mapping-for-string", [("    name: Acme", "    name: {first: Acme}")],
     [("name: {first: Acme}", "tenants[0].name", "a mapping is not a string")]),
    ("bad-bandwidth", [("bandwidth: 200M", "bandwidth: 200X")],
     [("bandwidth: 200X", "hosted_connections[0].bandwidth",
       "'200X' is not a bandwidth (expected e.g. 50M, 200M, 1G, 2.5G, 200Mbps, 1 Gbps)")]),
    ("bad-capacity", [("capacity: 10G", "capacity: ten gig")],
     [("capacity: ten gig", "circuits[0].capacity",
       "'ten gig' is not a bandwidth (expected e.g. 50M, 200M, 1G, 2.5G, 200Mbps, 1 Gbps)")]),
    ("duplicate-hosted-connection-id", [("id: pc-bp1hosted0002", "id: pc-bp1hosted0001")],
     [("id: pc-bp1hosted0001#2", "hosted_connections[1].id",
       "duplicate hosted connection id 'pc-bp1hosted0001' (first at line {id: pc-bp1hosted0001})")]),
    ("duplicate-device-name", [("name: hz-agg-02", "name: hz-acc-01")],
     [("name: hz-acc-01#2", "devices[1].name", "duplicate device name 'hz-acc-01' (first at line {name: hz-acc-01})"),
      ("device: hz-agg-02", "circuits[1].device", "unknown device 'hz-agg-02' (did you mean 'hz-acc-01'?)")]),
    ("duplicate-tenant", [("account_id: 1555000011112222", "account_id: 1987654321098765"),
                          ("tenant: 1555000011112222", 'tenant: "1987654321098765"')],
     [("account_id: 1987654321098765", "tenants[1].account_id",
       "duplicate tenant account id '1987654321098765' (first at line {account_id: \"1987654321098765\"})")]),
    ("dangling-device", [("device: hz-acc-01", "device: core-router")],
     [("device: core-router", "circuits[0].device", "unknown device 'core-router' (known: hz-acc-01, hz-agg-02)")]),
    ("dangling-circuit", [("circuit: pc-bp1circuit02", "circuit: pc-bp1circuit03")],
     [("circuit: pc-bp1circuit03", "hosted_connections[1].circuit",
       "unknown circuit 'pc-bp1circuit03' (did you mean 'pc-bp1circuit02'?)")]),
    ("dangling-tenant", [("tenant: 1555000011112222", "tenant: 42")],
     [("tenant: 42", "hosted_connections[2].tenant",
       "unknown tenant '42' (known: 1555000011112222, 1987654321098765)")]),
    ("dangling-credentials", [("credentials: with-v3", "credentials: with-v4")],
     [("credentials: with-v4", "devices[1].credentials", "unknown credentials 'with-v4' (did you mean 'with-v3'?)")]),
    ("enum-role", [("role: access", "role: core")],
     [("role: core", "devices[0].role", "'core' is not one of access, aggregation, edge")]),
    ("enum-connection-status", [("status: pending", "status: active")],
     [("status: active", "hosted_connections[1].status", "'active' is not one of pending, enabled, disabled, deleted")]),
    ("enum-snmp-version", [("version: 3", "version: 1")],
     [("version: 1", "devices[1].snmp.version", "1 is not one of 2c, 3")]),
    ("unsupported-platform", [("platform: cisco_ios", "platform: nokia_sros")],
     [("platform: nokia_sros", "devices[1].platform", "'nokia_sros' is not a platform name "
                                                     "(one of: huawei, hp_comware, cisco_ios, cisco_xr, juniper_junos, "
                                                     "arista_eos)")]),
    ("bad-cidr", [("address: 10.100.0.1/30", "address: 10.100.0.300/30")],
     [("10.100.0.300/30", "hosted_connections[0].address",
       "'10.100.0.300/30' is not an address with a prefix length (e.g. 10.100.0.1/30)")]),
    ("cidr-without-prefix", [("address: 10.100.0.1/30", "address: 10.100.0.1")],
     [("address: 10.100.0.1", "hosted_connections[0].address",
       "'10.100.0.1' is not an address with a prefix length (e.g. 10.100.0.1/30)")]),
    ("port-out-of-range", [("port: 1161", "port: 70000")],
     [("port: 70000", "devices[1].snmp.port", "70000 is not a port number (1..65535)")]),
    ("account-id-not-digits", [("account_id: 1234567890123456", "account_id: acme-1")],
     [("account_id: acme-1", "partner.account_id", "'acme-1' is not an account id (a string of digits)")]),
    ("missing-required-key", [("    region: cn-hangzhou\n", "")],
     [("  - id: pc-bp1circuit01", "circuits[0].region", "missing required key 'region'")]),
    ("required-key-without-value", [("carrier: China Telecom", "carrier:")],
     [("carrier:", "partner.carrier", "has no value, required key 'carrier'")]),
    ("list-item-not-a-mapping", [("  - account_id: 1555000011112222\n    name: Globex\n    site: international\n",
                                  "  - Globex\n")],
     [("  - Globex", "tenants[1]", "'Globex' is not a mapping (expected keys: account_id, name, site, ha, users)"),
      ("tenant: 1555000011112222", "hosted_connections[2].tenant",
       "unknown tenant '1555000011112222' (known: 1987654321098765)")]),
    ("section-not-a-list", [("circuits:\n", "circuits: pc-bp1circuit01\nold_circuits:\n")],
     [("circuits: pc-bp1circuit01", "circuits", "'pc-bp1circuit01' is not a list"),
      ("old_circuits:", "old_circuits", "unknown key 'old_circuits' (did you mean 'circuits'?)")]),
    ("permission-without-offset", [("valid_from: 2026-11-26T00:00:00+08:00", "valid_from: 2026-11-26T00:00:00")],
     [("valid_from:", "partner.permission.valid_from", "2026-11-26T00:00:00 has no UTC offset (e.g. 2026-11-26T00:00:00+08:00)")]),
    ("permission-not-a-datetime", [('valid_until: "2026-11-27T00:00:00+08:00"', "valid_until: tomorrow")],
     [("valid_until:", "partner.permission.valid_until",
       "'tomorrow' is not an ISO 8601 date and time (e.g. 2026-11-26T00:00:00+08:00)")]),
    ("permission-reversed", [('valid_until: "2026-11-27T00:00:00+08:00"', "valid_until: 2026-11-25T00:00:00+08:00")],
     [("valid_until:", "partner.permission.valid_until",
       "2026-11-25T00:00:00+08:00 is not after valid_from 2026-11-26T00:00:00+08:00")]),
    ("threshold-not-positive", [("qos_tolerance: 0.1", "qos_tolerance: -0.1")],
     [("qos_tolerance:", "thresholds.qos_tolerance", "-0.1 is not a positive number")]),
    ("env-name-holds-a-secret", [("password_env: ECP_PASSWORD}", "password_env: s3cr3t!}")],
     [("default: {", "credentials.default.password_env",
       "is not an environment variable name (the file holds the NAME of the variable, never the secret)")]),
    ("snmp-v3-without-v3-credentials", [("credentials: with-v3", "credentials: default")],
     [("snmp: {version: 3", "devices[1].snmp", "SNMP v3 needs snmp_v3 in credentials 'default'")]),
    ("snmp-v2c-without-community", [("snmp: {version: 2c, community_env: ECP_SNMP_COMMUNITY}", "snmp: {}")],
     [("snmp: {}", "devices[0].snmp", "SNMP v2c needs community_env (the environment variable holding the community)")]),
    ("bad-auth-protocol", [("auth_protocol: sha256", "auth_protocol: sha1")],
     [("auth_protocol: sha1", "credentials.with-v3.snmp_v3.auth_protocol", "'sha1' is not one of sha, sha256, md5")]),
    ("impossible-date", [("valid_from: 2026-11-26T00:00:00+08:00", "valid_from: 2026-13-26T00:00:00+08:00")],
     [("valid_from:", "partner.permission.valid_from", "cannot read this value: month must be in 1..12")]),
]


def expected_message(text: str, marker: str, path: str | None, message: str) -> str:
    # "{marker}" inside a message stands for the line number of that marker
    while "{" in message and "})" in message:
        start = message.index("{")
        end = message.index("}", start)
        message = message[:start] + str(line_of(text, message[start + 1:end])) + message[end + 1:]
    where = f"{path}: " if path else ""
    return f"inventory.yaml:{line_of(text, marker)}: {where}{message}"


@pytest.mark.parametrize("edits, expected", [pytest.param(e, x, id=i) for i, e, x in CASES])
def test_malformed_inventory_is_reported_precisely(edits: list[tuple[str, str]], expected: list[tuple]) -> None:
    text = mutate(*edits)
    assert problems(text) == [expected_message(text, *want) for want in expected]


def test_every_problem_in_a_file_is_reported_in_file_order() -> None:
    text = mutate(("thresholds:", "threshholds:"), ("role: access", "role: core"), ("vlan: 100", "vlan: abc"),
                  ("device: hz-acc-01", "device: core-router"), ("bandwidth: 1 Gbps", "bandwidth: fast"))
    got = problems(text)
    assert [m.split(":")[1] for m in got] == [str(line_of(text, marker)) for marker in (
        "threshholds:", "role: core", "device: core-router", "vlan: abc", "bandwidth: fast")]
    assert [m.split(": ")[1] for m in got] == [
        "threshholds", "devices[0].role", "circuits[0].device", "hosted_connections[0].vlan",
        "hosted_connections[1].bandwidth"]


# ---------------------------------------------------------------- files that are not inventories at all

@pytest.mark.parametrize("content, message", [
    pytest.param("", "inventory.yaml: the file is empty, expected a mapping with the sections partner, devices, "
                     "circuits", id="empty"),
    pytest.param("# only a comment\n\n", "inventory.yaml: the file is empty, expected a mapping with the sections "
                                         "partner, devices, circuits", id="comments-only"),
    pytest.param("\n- a\n- b\n", "inventory.yaml:2: the document is a list, expected a mapping with the sections "
                                 "partner, devices, circuits", id="list-document"),
    pytest.param("just text\n", "inventory.yaml:1: the document is 'just text', expected a mapping with the "
                                "sections partner, devices, circuits", id="scalar-document"),
    pytest.param("a: 1\n---\nb: 2\n", "inventory.yaml:2: YAML syntax error: but found another document "
                                      "(expected a single document in the stream started at line 1)",
                 id="two-documents"),
    pytest.param(b"\x7fELF\x02\x01\x01\x00\x00\x00", "inventory.yaml: binary file, expected the inventory YAML text file",
                 id="binary-garbage"),
    pytest.param(b"partner:\n  name: Caf\xe9\n", "inventory.yaml: not UTF-8 text (byte 0xe9 at offset 20), expected "
                                                 "the inventory YAML file", id="invalid-utf8"),
    pytest.param("partner: \x07\n", "inventory.yaml: not a YAML text file (control character '\\x07' at offset 9)",
                 id="control-character"),
])
def test_unreadable_documents_give_one_clear_line(content: str | bytes, message: str) -> None:
    assert problems(content) == [message]


def test_missing_file() -> None:
    with pytest.raises(InputError) as caught:
        load_inventory("nowhere/inventory.yaml")
    assert caught.value.messages == ["nowhere/inventory.yaml: no such file"]


def test_directory() -> None:
    Path("fleet").mkdir()
    with pytest.raises(InputError) as caught:
        load_inventory("fleet")
    assert caught.value.messages == ["fleet: is a directory, expected the inventory YAML file"]


def test_unreadable_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod 000 does not stop root (tests may run as root), so make the read itself fail
    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    path = write(VALID)
    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    assert caught.value.messages == ["inventory.yaml: permission denied"]


# ---------------------------------------------------------------- device family (render variant)

def test_device_family_defaults_to_router_and_accepts_switch() -> None:
    inv = load_inventory(write(mutate(("    role: aggregation\n", "    role: aggregation\n    family: switch\n"))))
    assert inv.devices["hz-acc-01"].family == "router"
    assert inv.devices["hz-agg-02"].family == "switch"


def test_an_unknown_device_family_names_file_line_and_path() -> None:
    text = mutate(("    role: access\n", "    role: access\n    family: firewall\n"))
    assert problems(text) == [f"inventory.yaml:{line_of(text, 'family: firewall')}: devices[0].family: "
                              "'firewall' is not one of router, switch"]
