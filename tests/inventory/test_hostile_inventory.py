"""Hostile inventories (issue 8): names that would escape a directory, ambiguous connection names, absurd
bandwidths and YAML alias bombs are load errors ('file:line: path: message', exit 2), never a traceback,
never a hang, through load_inventory and through the CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecpartner.cli import main
from ecpartner.errors import InputError
from ecpartner.inventory import parse_bandwidth
from ecpartner.inventory_loader import load_inventory

VALID = (Path(__file__).parent / "valid_inventory.yaml").read_text()
CLEAN = Path(__file__).parents[2] / "fixtures" / "clean"
SAFE_RULE = ("(names become file names: letters, digits, '.', '_' and '-', starting with a letter or digit, "
             "at most 64)")
GUARD = 300  # seconds: only so that a regression fails instead of hanging the suite; no duration is asserted


@pytest.fixture(autouse=True)
def in_tmp_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # messages then name the file as typed: 'inventory.yaml'


def mutate(text: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


def problems(text: str) -> list[str]:
    Path("inventory.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_inventory("inventory.yaml")
    return caught.value.messages


def load_inventory_text(text: str):
    Path("inventory.yaml").write_text(text, encoding="utf-8")
    return load_inventory("inventory.yaml")


def clean_fleet(*edits: tuple[str, str]) -> str:
    """fixtures/clean copied here with edits; returns the inventory text."""
    shutil.copytree(CLEAN, "clean")
    path = Path("clean/inventory.yaml")
    path.write_text(mutate(path.read_text(), *edits))
    return path.read_text()


def cli(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- names used in file paths

UNSAFE = [
    ("../../PWNED", "'../../PWNED'", "it contains '/'"),
    (r'"..\\evil"', r"'..\\evil'", r"it contains '\\'"),
    ("..", "'..'", "it contains '..'"),
    ("hz..acc", "'hz..acc'", "it contains '..'"),
    (".hidden", "'.hidden'", "it starts with '.'"),
    ("-rf", "'-rf'", "it starts with '-'"),
    (r'"hz\0acc"', r"'hz\x00acc'", r"it contains '\x00'"),
    (r'"hz\eacc"', r"'hz\x1bacc'", r"it contains '\x1b'"),
    ('"hz acc"', "'hz acc'", "it contains ' '"),
    ("hz-äcc", "'hz-äcc'", "it contains 'ä'"),
    ("x" * 65, f"'{'x' * 65}'", "it is 65 characters long, more than 64"),
    ("x" * 500, f"'{'x' * 64}...'", "it is 500 characters long, more than 64"),
]
FIELDS = [  # (where the name is written, its path)
    ("  - name: hz-acc-01", "devices[0].name"),
    ("  - id: pc-bp1circuit01", "circuits[0].id"),
    ("  - id: pc-bp1hosted0001", "hosted_connections[0].id"),
]


@pytest.mark.parametrize("written, path", FIELDS, ids=[p for _, p in FIELDS])
@pytest.mark.parametrize("value, shown, why", UNSAFE, ids=[
    "slash", "backslash", "dotdot", "inner-dotdot", "leading-dot", "leading-dash", "nul", "escape", "space",
    "non-ascii", "65-chars", "500-chars"])
def test_a_name_that_is_not_a_safe_identifier_is_a_load_error(written: str, path: str, value: str, shown: str,
                                                               why: str) -> None:
    key = written.split(":")[0]
    text = mutate(VALID, (written, f"{key}: {value}"))
    # references to the old name also fail (unknown device ...); the name's own message comes first, by line
    assert problems(text)[0] == f"inventory.yaml:{line_of(text, key + ': ' + value)}: {path}: {shown} is not a safe name: {why} {SAFE_RULE}"


def test_names_at_the_edge_of_the_pattern_load_and_case_twins_do_not() -> None:
    edge = "A.b_c-9" + "x" * 57  # 64 characters, every allowed kind
    inv = load_inventory_text(mutate(VALID, ("name: hz-acc-01", f"name: {edge}"), ("device: hz-acc-01", f"device: {edge}")))
    assert list(inv.devices) == [edge, "hz-agg-02"]

    text = mutate(VALID, ("name: hz-agg-02", "name: HZ-ACC-01"), ("id: pc-bp1circuit02", "id: PC-bp1circuit01"))
    got = problems(text)
    assert f"inventory.yaml:{line_of(text, 'name: HZ-ACC-01')}: devices[1].name: duplicate device name 'HZ-ACC-01' " \
           f"(first at line {line_of(text, 'name: hz-acc-01')} as 'hz-acc-01': names differing only in case are one " \
           "file on some systems)" in got
    assert f"inventory.yaml:{line_of(text, 'id: PC-bp1circuit01')}: circuits[1].id: duplicate circuit id " \
           f"'PC-bp1circuit01' (first at line {line_of(text, 'id: pc-bp1circuit01')} as 'pc-bp1circuit01': names " \
           "differing only in case are one file on some systems)" in got


def test_check_refuses_a_device_name_that_leaves_the_fleet_directory(capsys: pytest.CaptureFixture) -> None:
    text = clean_fleet(("{name: bj-acc-01,", "{name: ../../PWNED,"))
    code, out, err = cli(capsys, "check", "clean/inventory.yaml")
    assert code == 2 and out == ""
    assert err.splitlines()[0] == (f"ecpartner: clean/inventory.yaml:{line_of(text, '../../PWNED')}: devices[0].name: "
                                   f"'../../PWNED' is not a safe name: it contains '/' {SAFE_RULE}")


def test_an_id_spelled_like_another_connections_key_is_refused_not_rendered_instead(
        capsys: pytest.CaptureFixture) -> None:
    # pc-bj01/vlan103 is the key of the clean fleet's pending connection without an id
    text = clean_fleet(("  - {circuit: pc-bj01,", '  - {id: pc-bj01/vlan103, circuit: pc-bj02, tenant: "1100000000000002", '
                        "vlan: 104, bandwidth: 300M, status: enabled}\n  - {circuit: pc-bj01,"))
    for argv in (["render", "clean/inventory.yaml", "--connection", "pc-bj01/vlan103"], ["check", "clean/inventory.yaml"]):
        code, out, err = cli(capsys, *argv)
        assert (code, out) == (2, ""), argv
        assert err == (f"ecpartner: clean/inventory.yaml:{line_of(text, 'id: pc-bj01/vlan103')}: hosted_connections[4].id: "
                       f"'pc-bj01/vlan103' is not a safe name: it contains '/' {SAFE_RULE}\n"), argv


def test_render_refuses_a_connection_name_shared_by_two_connections(capsys: pytest.CaptureFixture) -> None:
    # two connections without an id on one circuit and VLAN (a rule finding, not a load error) share a key
    text = clean_fleet(("hosted_connections:\n", "hosted_connections:\n  - {circuit: pc-bj01, tenant: \"1987654321098765\", "
                        "vlan: 103, bandwidth: 50M, status: deleted}\n"))
    first, second = (i for i, line in enumerate(text.splitlines(), 1) if "vlan: 103" in line)  # the old pending one
    code, out, err = cli(capsys, "render", "clean/inventory.yaml", "--connection", "pc-bj01/vlan103", "--action", "delete")
    assert (code, out) == (2, "")
    assert err == (f"ecpartner: clean/inventory.yaml: --connection 'pc-bj01/vlan103' is ambiguous: the hosted "
                   f"connections at lines {first}, {second} all go by it (give them their ids)\n")


# ---------------------------------------------------------------- bandwidths and other numbers

NUMBERS = [
    ("bandwidth: 200M", "٢٠٠M", "hosted_connections[0].bandwidth",
     "'٢٠٠M' is not a bandwidth (expected e.g. 50M, 200M, 1G, 2.5G, 200Mbps, 1 Gbps)"),
    ("bandwidth: 200M", '"200M\\n"', "hosted_connections[0].bandwidth",
     "'200M\\n' is not a bandwidth (expected e.g. 50M, 200M, 1G, 2.5G, 200Mbps, 1 Gbps)"),
    ("bandwidth: 200M", "0.0000001M", "hosted_connections[0].bandwidth", "'0.0000001M' is not a bandwidth: less than 1 bit/s"),
    ("bandwidth: 200M", "0M", "hosted_connections[0].bandwidth", "'0M' is not a bandwidth: less than 1 bit/s"),
    ("bandwidth: 200M", "1" + "0" * 400 + "M", "hosted_connections[0].bandwidth",
     f"'1{'0' * 34}...' is not a bandwidth: more than 10 Tbit/s (10000G)"),   # shown cut, on one line
    ("capacity: 10G", "10000.5G", "circuits[0].capacity", "'10000.5G' is not a bandwidth: more than 10 Tbit/s (10000G)"),
    ("qos_tolerance: 0.1", ".inf", "thresholds.qos_tolerance", "inf is not a positive number"),
    ("icmp_min_pps: 600", "1" + "0" * 400, "thresholds.icmp_min_pps", f"1{'0' * 400} is not a positive number"),
    ("users: 4", "1" + "0" * 400, "tenants[0].users", f"1{'0' * 400} is not a positive integer up to 1000000000"),
]
# (A YAML float never reaches parse_bandwidth's arithmetic: it has no unit, so 1.0e+400 is 'inf is not a bandwidth'.)


@pytest.mark.parametrize("written, value, path, message", NUMBERS, ids=[
    "arabic-indic-digits", "line-break", "below-1-bit", "zero", "overflow", "above-10T", "inf-threshold",
    "huge-threshold", "huge-users"])
def test_numbers_out_of_any_sane_range_are_load_errors(written: str, value: str, path: str, message: str) -> None:
    key = written.split(":")[0]
    text = mutate(VALID, (written, f"{key}: {value}"))
    assert problems(text) == [f"inventory.yaml:{line_of(text, f'{key}: {value}')}: {path}: {message}"]


def test_contract_bandwidths_parse_and_the_bounds_are_one_bit_and_ten_terabit() -> None:
    assert [parse_bandwidth(s) for s in ("50M", "200M", "1G", "2.5G", "10G", "200Mbps", "1 Gbps", "1gbps")] == [
        50 * 10**6, 200 * 10**6, 10**9, 25 * 10**8, 10**10, 200 * 10**6, 10**9, 10**9]
    assert (parse_bandwidth("0.000001M"), parse_bandwidth("10000G")) == (1, 10**13)
    for text in ("0.0000001M", "10000.000001G", "１０G", "1\u3000G"):
        with pytest.raises(ValueError):
            parse_bandwidth(text)


@pytest.mark.parametrize("bandwidth, message", [
    ("0.0000001M", "'0.0000001M' is not a bandwidth: less than 1 bit/s"),
    ("٢٠٠M", "'٢٠٠M' is not a bandwidth (expected e.g. 50M, 200M, 1G, 2.5G, 200Mbps, 1 Gbps)"),
    ("1" + "0" * 400 + "M", f"'1{'0' * 34}...' is not a bandwidth: more than 10 Tbit/s (10000G)"),
], ids=["below-1-bit", "arabic-indic-digits", "overflow"])
def test_check_exits_2_on_a_bandwidth_out_of_range(capsys: pytest.CaptureFixture, bandwidth: str, message: str) -> None:
    text = clean_fleet(("vlan: 101, bandwidth: 200M", f"vlan: 101, bandwidth: {bandwidth}"))
    code, out, err = cli(capsys, "check", "clean/inventory.yaml")
    assert (code, out) == (2, "")
    assert err == f"ecpartner: clean/inventory.yaml:{line_of(text, bandwidth)}: hosted_connections[1].bandwidth: {message}\n"


# ---------------------------------------------------------------- alias bombs

def laughs(levels: int = 10, style: str = "flow") -> str:
    """a0 holds 9 strings, each a<n> 9 aliases of a<n-1>: a9 stands for 9^10 (3.5 billion) strings."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    for n in range(1, levels):
        items = [f"*a{n - 1}"] * 9
        lines.append(f"a{n}: &a{n} [{', '.join(items)}]" if style == "flow" else
                     f"a{n}: &a{n}\n" + "\n".join(f"  - {item}" for item in items))
    return "\n".join(lines) + "\n"


BOMBS = {
    # the 2 KB file: a tenant named by the last alias
    "laughs": laughs() + mutate(VALID, ("    name: Acme", "    name: *a9")),
    # the same written as block sequences, one alias a line: the message names that line exactly
    "laughs-block": laughs(style="block") + mutate(VALID, ("    name: Acme", "    name: *a9")),
    # merge keys fanning out: each mapping merges the previous one nine times
    "merge-fan": "\n".join(["m0: &m0 {" + ", ".join(f"k{i}: lol" for i in range(9)) + "}"] +
                           [f"m{n}: &m{n} {{<<: [{', '.join([f'*m{n - 1}'] * 9)}]}}" for n in range(1, 10)]) + "\n" +
                 mutate(VALID, ("  - account_id: \"1987654321098765\"", "  - <<: *m9\n    account_id: \"1987654321098765\"")),
    # merge keys chained: every template merges the one before, so merging copies n^2/2 keys for n lines
    "merge-chain": "templates:\n  - &m0 {k0: x}\n" + "".join(f"  - &m{n} {{<<: *m{n - 1}, k{n}: x}}\n" for n in range(1, 3000))
                   + VALID,
}
REFUSED = re.compile(r"inventory\.yaml:(\d+): (\S+): refused, an alias bomb\? With this alias the document expands to "
                     r"more than [\d,]+ nodes \(allowed: 10x the [\d,]+ it writes, at least 10,000\)")


def run_python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=GUARD)


def assert_names_an_alias(text: str, message: str) -> None:
    """The message names a line that holds an alias, and the path of that alias."""
    match = REFUSED.fullmatch(message)
    assert match, message
    line, path = int(match[1]), match[2]
    assert "*" in text.splitlines()[line - 1], (line, text.splitlines()[line - 1])
    top = re.match(r"[a-z0-9_]+", path)[0]
    assert line >= line_of(text, f"{top}:"), path


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_an_alias_bomb_is_refused_by_load_inventory_without_expanding_it(bomb: str) -> None:
    Path("inventory.yaml").write_text(BOMBS[bomb])
    # in a child process: on a regression it would hang or eat the memory of the test run itself
    child = run_python("-c", "import json, sys\nfrom ecpartner.errors import InputError\n"
                             "from ecpartner.inventory_loader import load_inventory\n"
                             "try:\n    load_inventory('inventory.yaml')\nexcept InputError as e:\n"
                             "    print(json.dumps(e.messages))\n    sys.exit(2)\n")
    assert child.returncode == 2, child.stderr
    [message] = json.loads(child.stdout)
    assert_names_an_alias(BOMBS[bomb], message)


def test_the_block_bomb_names_the_exact_alias_line() -> None:
    text = BOMBS["laughs-block"]
    Path("inventory.yaml").write_text(text)
    child = run_python("-m", "ecpartner", "check", "inventory.yaml")
    assert (child.returncode, child.stdout) == (2, "")
    # a4's first item is where the running expansion passes 10,000 nodes (a3 alone stands for 7,381)
    assert child.stderr.startswith(f"ecpartner: inventory.yaml:{line_of(text, 'a4: &a4') + 1}: a4[0]: refused, an alias bomb?")


@pytest.mark.parametrize("bomb", ["laughs", "merge-chain"])
def test_check_exits_2_on_an_alias_bomb(bomb: str) -> None:
    Path("inventory.yaml").write_text(BOMBS[bomb])
    child = run_python("-m", "ecpartner", "check", "inventory.yaml")
    assert (child.returncode, child.stdout) == (2, ""), child.stderr
    [line] = child.stderr.splitlines()
    assert line.startswith("ecpartner: ")
    assert_names_an_alias(BOMBS[bomb], line[len("ecpartner: "):])


def test_templates_merged_into_every_entry_load_and_a_small_merge_bomb_does_not() -> None:
    """The bound is relative to the document: 2,000 connections merging one template are 2,000 aliases and load."""
    entries = "".join(f"  - {{<<: *hc, vlan: {1000 + n}}}\n" for n in range(2000))
    text = mutate(VALID, ("  - circuit: pc-bp1circuit01\n", "  - &hc\n    circuit: pc-bp1circuit01\n"))
    text += entries
    inv = load_inventory_text(text)
    assert len(inv.hosted_connections) == 2003
    assert {(hc.circuit, hc.bandwidth, hc.status) for hc in inv.hosted_connections[3:]} == {
        ("pc-bp1circuit01", 200_000_000, "disabled")}
    assert [hc.key for hc in inv.hosted_connections[-2:]] == ["pc-bp1circuit01/vlan2998", "pc-bp1circuit01/vlan2999"]

    # 600 chained templates are 600 lines, but merging copies 180,000 keys
    chain = "templates:\n  - &m0 {k0: x}\n" + "".join(f"  - &m{n} {{<<: *m{n - 1}, k{n}: x}}\n" for n in range(1, 600))
    [message] = problems(chain + VALID)
    assert_names_an_alias(chain + VALID, message)
