"""Injection: hostile names, descriptions and identifiers never reach a device; each is rejected with
a message naming the connection and the field. Policy: reject, never normalise (docs/render.md)."""

from __future__ import annotations

import os
import time
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


from ecpartner.errors import InputError
from ecpartner.render import _finalize, environment, render_fleet
from ecpartner.safetext import check_free_text, check_ipv4_host, check_ipv4_interface, check_pattern

from helpers.render_inventory import PLATFORMS, golden_inventory

HOSTILE_NAMES = {
    "newline": ("Acme\nundo interface GigabitEthernet0/0/0", "line break"),
    "carriage return": ("Acme\rshutdown", "line break"),
    "crlf": ("Acme\r\n", "line break"),
    "tab completion": ("Acme\tGamma", "control character"),
    "escape sequence": ("Acme\x1b[2J", "control character"),
    "nul": ("Acme\x00", "control character"),
    "leading hash": ("#Acme", "starts with '#'"),
    "leading bang": ("!Acme", "starts with '!'"),
    "semicolon": ("Acme; reload", "';'"),
    "pipe": ("Acme | include secret", "'|'"),
    "non-ascii": ("阿里巴巴", "non-ASCII"),
    "non-ascii lookalike": ("Acme\u00a0Corp", "non-ASCII"),
    "cisco help": ("Acme?", "'?'"),
    "dollar": ("Acme $(reboot)", "'$'"),
    "jinja braces": ("{{ c.ip }}", "'{'"),
    "over-long": ("A" * 41, "more than 40"),
    "empty": ("   ", "empty"),
    "trailing space": ("Acme ", "trailing spaces"),
    "unicode line separator": ("Acme\u2028shutdown", "line break"),
    # Junos quotes descriptions: a quote would end the string, a backslash escape the closing one
    "double quote": ('Acme" disable', "'\"'"),
    "backslash": ("Acme\\", "'\\\\'"),
}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("case", sorted(HOSTILE_NAMES))
def test_hostile_tenant_name_is_rejected_naming_connection_and_field(platform, case):
    name, reason = HOSTILE_NAMES[case]
    inv = golden_inventory(platform)
    inv.tenants["1987654321098765"] = replace(inv.tenants["1987654321098765"], name=name)
    with pytest.raises(InputError) as e:
        render_fleet(inv, action="create")
    message = e.value.messages[0]
    assert "hosted connection pc-hosted0001" in message
    assert "tenant 1987654321098765 name" in message
    assert reason in message
    assert "\n" not in message and "\r" not in message      # the message itself shows the value escaped


@pytest.mark.parametrize("field, value, words", [
    ("interface", "GigabitEthernet0/0/1\nshutdown", "circuit pc-circuit-a interface"),
    ("interface", "Gi0/0/1 ; reload", "circuit pc-circuit-a interface"),
    ("id", "pc-1\nno interface Gi0/0/0", "id"),
    ("address", "10.100.0.1/30\nshutdown", "address"),
    ("address", "2001:db8::1/64", "IPv6"),
    ("address", "10.100.0.0/30", "network or broadcast"),
    ("address", "10.100.0.1", "no prefix"),
])
def test_hostile_identifiers_are_rejected(field, value, words):
    inv = golden_inventory("huawei")
    if field == "interface":
        inv.circuits["pc-circuit-a"] = replace(inv.circuits["pc-circuit-a"], interface=value)
    else:
        inv.hosted_connections[0] = replace(inv.hosted_connections[0], **{field: value})
    with pytest.raises(InputError) as e:
        render_fleet(inv, action="create")
    assert words in str(e.value)


def test_every_problem_is_reported_and_nothing_is_rendered():
    inv = golden_inventory("cisco_ios")
    for account in inv.tenants:
        inv.tenants[account] = replace(inv.tenants[account], name="bad|name")
    with pytest.raises(InputError) as e:
        render_fleet(inv, action="create")
    assert len(e.value.messages) == 4     # one per connection, all at once, and what to do
    assert e.value.messages[-1].startswith("nothing was rendered")


def test_description_of_80_characters_is_rejected():
    check_free_text("x" * 79, "hc", "description")
    with pytest.raises(InputError, match="80 characters long, more than 79"):
        check_free_text("x" * 80, "hc", "description")


def test_long_but_legal_name_pushing_description_over_the_limit_is_rejected():
    inv = golden_inventory("huawei")
    inv.tenants["1987654321098765"] = replace(inv.tenants["1987654321098765"], name="A" * 40)
    with pytest.raises(InputError, match="pc-hosted0001: description .* more than 79"):
        render_fleet(inv, action="create")


def test_finalize_refuses_control_characters_even_from_an_unchecked_value():
    with pytest.raises(InputError, match="line break or control character"):
        _finalize("ok\nshutdown")
    template = environment("huawei").from_string("description {{ value }}")
    with pytest.raises(InputError):
        template.render(value="x\r\nundo interface Gi0/0/0")


def test_missing_value_is_a_clear_error_not_an_empty_line():
    with pytest.raises(Exception) as e:
        environment("huawei").get_template("create.j2").render()   # no `c` given
    assert "'c' is undefined" in str(e.value)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_accepted_text_is_always_one_safe_printable_ascii_line(text):
    try:
        check_free_text(text, "hc", "name", 60)
    except InputError as e:
        assert "hc: name" in str(e)
        return
    assert text.isascii() and text.isprintable() and text[0] not in "#!"
    assert not set(text) & set(";|?\n\r\t$`'\"\\{}<>")


def test_address_forms():
    assert str(check_ipv4_interface("10.0.0.0/31", "hc").ip) == "10.0.0.0"     # /31: both addresses are hosts
    assert str(check_ipv4_interface("10.0.0.1/32", "hc").netmask) == "255.255.255.255"


ADDRESSES = ["10.0.0.1/30", "10.0.0.0/30", "10.0.0.3/30", "10.0.0.0/31", "10.0.0.1/32", "0.0.0.0/0", "1.2.3.4/0",
             "255.255.255.255/32", "255.255.255.254/31", "10.0.0.1/33", "010.0.0.1/30", "10.0.0.1/030", " 10.0.0.1/30",
             "10.0.0.1", "10.0.0.1/255.255.255.252", "256.0.0.1/24", "2001:db8::1/64", "10.0.0.1/-1", "1.2.3.4/8"]


def _interface_answer(cidr):
    try:
        iface = check_ipv4_interface(cidr, "hc")
    except InputError as e:
        return str(e)
    return str(iface.ip), str(iface.netmask), iface.network.prefixlen


def _host_answer(cidr):
    try:
        return check_ipv4_host(cidr, "hc")
    except InputError as e:
        return str(e)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["0", "1", "9", "00", "01", "10", "99", "100", "199", "249", "250", "255", "256", "300"]),
                min_size=4, max_size=4),
       st.sampled_from(["", "0", "1", "8", "9", "19", "24", "29", "30", "31", "32", "33", "030", "255.255.255.0"]))
def test_the_canonical_address_fast_path_answers_as_ipaddress_does(octets, prefix):
    cidr = ".".join(octets) + (f"/{prefix}" if prefix else "")
    assert _host_answer(cidr) == _interface_answer(cidr)


@pytest.mark.parametrize("cidr", ADDRESSES)
def test_address_edge_cases_answer_as_ipaddress_does(cidr):
    assert _host_answer(cidr) == _interface_answer(cidr)


def test_a_refused_identifier_is_refused_every_time_naming_each_connection():
    # a refusal is raised each time it is asked, naming the connection that asked
    for owner in ("hosted connection a", "hosted connection b"):
        with pytest.raises(InputError, match=f"{owner}: circuit id 'pc;1'"):
            check_pattern("pc;1", owner, "circuit id", "identifier")
    assert check_pattern("pc-1", "hc", "circuit id", "identifier") == "pc-1"


def test_finalize_fast_path_keeps_refusing_what_the_pattern_refuses():
    for value in ("ok\u2028x", "ok\x85x", "ok\x7fx", "ok\tx"):
        with pytest.raises(InputError, match="line break or control character"):
            _finalize(value)
    assert _finalize("caf\u00e9 ok") == "caf\u00e9 ok"      # not printable ASCII, but no control character


def test_templates_are_compiled_once_per_run(edited_platform):
    # get_template used to stat every template (and each include) on every render through auto_reload
    folder = edited_platform("huawei_compiled_once", lambda doc: {**doc, "platform": "huawei_compiled_once"}).parent / "render"
    first = {name: environment("huawei_compiled_once").get_template(name) for name in ("create.j2", "_build.j2")}
    later = time.time() + 60
    for name in first:
        (folder / name).write_text("{{ c.key }} changed\n", encoding="utf-8")
        os.utime(folder / name, (later, later))
    assert all(environment("huawei_compiled_once").get_template(name) is t for name, t in first.items())
