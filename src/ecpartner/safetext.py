"""Injection-proof checks for every value that reaches a device's command line.

A rendered configuration is pasted into a CLI, where a newline starts a new command, `#`/`!` at the
start of a line is a comment (or a Huawei section break), `?` asks Cisco IOS for help, a tab completes,
and `;`/`|` are command separators or output filters on some platforms. Such values are REJECTED, never
silently rewritten: an InputError names the connection, the field and the offending character, so the
operator fixes the inventory once and the device shows exactly what the inventory says
(policy documented in docs/render.md).

Free text (tenant names, descriptions) is limited to a conservative printable-ASCII whitelist;
identifiers (interface names, ids, account ids) to their own tighter patterns.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

from ecpartner.errors import InputError

DESCRIPTION_MAX = 79          # descriptions of 80 characters or more are rejected (fits every platform)
NAME_MAX = 40                 # a tenant name is a part of the description, keep room for the ids

# Letters, digits, space and punctuation that no CLI treats specially.
_FREE_TEXT = re.compile(r"[A-Za-z0-9 ._,:/()@+&=-]")
_SAFE_LINE = re.compile(r"[A-Za-z0-9._,:/()@+&=-](?:[A-Za-z0-9 ._,:/()@+&=-]*[A-Za-z0-9._,:/()@+&=-])?")
_INTERFACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/.:-]{0,63}$")   # GigabitEthernet0/0/1, 100GE1/0/1, Eth-Trunk1
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")   # pc-bp1hosted0001, hz-acc-01, cn-hangzhou
_ACCOUNT = re.compile(r"^[0-9]{1,20}$")
_PATTERNS = {"interface": _INTERFACE, "identifier": _IDENTIFIER, "account": _ACCOUNT}
_EXPECTED = {"interface": "an interface name: letters, digits, '/', '.', ':' and '-' (at most 64)",
             "identifier": "letters, digits, '.', '_' and '-' (at most 64)",
             "account": "digits only"}
# An IPv4 address/prefix exactly as ipaddress prints it back (no leading zeros, no spaces, prefix 0-32)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = re.compile(rf"(({_OCTET})\.({_OCTET})\.({_OCTET})\.({_OCTET}))/(3[0-2]|[12]?[0-9])")
_NETMASKS = tuple(str(ipaddress.IPv4Address((1 << 32) - (1 << (32 - n)))) for n in range(33))


def _describe(ch: str) -> str:
    """How to name a rejected character in a message: visible ones quoted, others by code point and name."""
    if ch.isprintable() and not ch.isspace():
        return f"{ch!r}"
    name = unicodedata.name(ch, "control character")
    return f"U+{ord(ch):04X} ({name})"


def _reason(text: str, max_len: int) -> str | None:
    """Why `text` may not reach a device as free text, or None when it is safe."""
    if not isinstance(text, str):
        return f"{text!r} is not text"
    if _SAFE_LINE.fullmatch(text) and len(text) <= max_len:
        return None                   # fast path: the common, clean case

    if not text.strip():
        return "it is empty"
    if text[0] in "#!":
        return f"it starts with {text[0]!r}: a comment marker on the device"
    for position, ch in enumerate(text, start=1):
        if ch in "\n\r\u2028\u2029":
            return f"it contains a line break ({_describe(ch)}) at character {position}: it would start a new command"
        if unicodedata.category(ch).startswith("C"):
            return f"it contains a control character {_describe(ch)} at character {position}"
        if ord(ch) > 126:
            return f"it contains non-ASCII {_describe(ch)} at character {position} (write it in ASCII, e.g. pinyin)"
        if ch in ";|":
            return f"it contains {ch!r} at character {position}: a command separator or output filter on some CLIs"
        if not _FREE_TEXT.fullmatch(ch):
            return (f"it contains {ch!r} at character {position}; allowed are letters, digits, space and "
                    f"._,:/()@+&=-")
    if text != text.strip():
        return "it has leading or trailing spaces"
    if len(text) > max_len:
        return f"it is {len(text)} characters long, more than {max_len}"
    return None


def check_free_text(text: str, owner: str, field: str, max_len: int = DESCRIPTION_MAX) -> str:
    """Return `text` unchanged when safe; else raise InputError naming owner and field."""
    reason = _reason(text, max_len)
    if reason is not None:
        raise InputError(f"{owner}: {field} {_shown(text)} cannot be sent to a device: {reason}")
    return text


def check_pattern(value: object, owner: str, field: str, kind: str) -> str:
    """Identifiers: interface names ('interface'), ids ('identifier'), account ids ('account')."""
    text = str(value)
    if _PATTERNS[kind].fullmatch(text) is None:
        raise InputError(f"{owner}: {field} {_shown(text)} cannot be sent to a device: expected {_EXPECTED[kind]}")
    return text


def check_vlan(vlan: object, owner: str, field: str = "vlan") -> int:
    if not isinstance(vlan, int) or isinstance(vlan, bool) or not 0 <= vlan <= 2999:
        raise InputError(f"{owner}: {field} {vlan!r} is not a VLAN in 0..2999")
    return vlan


def check_ipv4_interface(cidr: str, owner: str, field: str = "address") -> ipaddress.IPv4Interface:
    """A partner-side IPv4 address with prefix, usable as a host address (not the network or broadcast)."""
    try:
        iface = ipaddress.ip_interface(str(cidr).strip())
    except ValueError:
        raise InputError(f"{owner}: {field} {_shown(str(cidr))} is not an address with a prefix "
                         f"(expected e.g. 10.100.0.1/30)") from None
    if not isinstance(iface, ipaddress.IPv4Interface):
        raise InputError(f"{owner}: {field} {cidr} is IPv6; the render templates configure IPv4 addresses only")
    if "/" not in str(cidr):
        raise InputError(f"{owner}: {field} {cidr} has no prefix length (expected e.g. 10.100.0.1/30)")
    net = iface.network
    if net.prefixlen < 31 and iface.ip in (net.network_address, net.broadcast_address):
        raise InputError(f"{owner}: {field} {cidr} is the network or broadcast address of {net}, not a host address")
    return iface


def check_ipv4_host(cidr: str, owner: str, field: str = "address") -> tuple[str, str, int]:
    """check_ipv4_interface as (address, netmask, prefix length). The canonical form every inventory
    writes (10.100.0.1/30) is read with integer arithmetic; anything else, and every refusal, goes through
    check_ipv4_interface, so both accept exactly the same values."""
    m = _CANONICAL_IPV4.fullmatch(str(cidr))
    if m:
        ip, a, b, c, d, prefixlen = m.groups()
        prefixlen = int(prefixlen)
        hostmask = (1 << (32 - prefixlen)) - 1
        # the host part of a /24 or longer (every hosted connection's) is in the last octet: one int, not four
        host = int(d) & hostmask if prefixlen >= 24 else (int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)) & hostmask
        if prefixlen >= 31 or host not in (0, hostmask):   # a host address
            return ip, _NETMASKS[prefixlen], prefixlen
    iface = check_ipv4_interface(cidr, owner, field)
    return str(iface.ip), str(iface.netmask), iface.network.prefixlen


def slug(text: str) -> str:
    """Safe text -> a name fragment for API Names: runs of anything but letters/digits become '-'."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "tenant"


def _shown(text: str) -> str:
    """The value as a message shows it: escaped (a newline stays visible) and cut to a readable length."""
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "...'"
