"""Read the inventory YAML (contract section 2) into the typed objects of ecpartner.inventory.

Loading checks structure only. Every problem becomes one 'FILE:LINE: path: problem' message and all of
them are raised together as one InputError, so a user fixes the whole file in one pass. A well-formed
value that breaks a guide requirement (VLAN 3001, 150M, a carrier not on the list) is left to the rules.

How: PyYAML composes the document into nodes (which carry line numbers); a document whose aliases would
expand it beyond 10x its own size is refused there, before anything is expanded; _Reader turns the nodes
into YMap/YList (dicts/lists that remember the line of each key and item) and catches duplicate keys, which
PyYAML would accept silently; _Validator walks the declarative schema below over that tree.

Names that become file names (device names, circuit and hosted connection ids) must be safe identifiers.

Speed (20,000 connections: ~1.1x of PyYAML's own C loader on the same file, bench/bench_inventory.py): libyaml
composes; _Reader builds each distinct scalar once and spells a path only for messages; the cyclic GC is paused
while loading (it kept rescanning the millions of objects a large inventory makes: 4x of the time).
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import yaml

from ecpartner.errors import InputError
from ecpartner.gc_pause import gc_paused
from ecpartner.inventory import (
    CIRCUIT_STATUSES, CONNECTION_STATUSES, FAMILIES, ROLES, SITES, Circuit, Credentials, Device, HostedConnection,
    Inventory, Partner, Permission, SnmpSettings, SnmpV3Credentials, Tenant, Thresholds, parse_bandwidth,
    parse_vlan_ranges,
)
from ecpartner.platforms import known_platforms
from ecpartner.timefmt import time_zone

INVALID = object()  # a value already reported as bad: skipped silently from then on
SAFE_NAME_MAX = 64
SAFE_NAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{SAFE_NAME_MAX - 1}}}")  # and no '..': see safe_name
SAFE_NAME_CHAR = re.compile(r"[A-Za-z0-9._-]")
EXPECTED = "a mapping with the sections partner, devices, circuits"


# ---------------------------------------------------------------- YAML with line numbers

class YMap(dict):
    """A mapping from the file that remembers its own line and the line of each key."""

    __slots__ = ("line", "key_lines")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}


class YList(list):
    """A sequence from the file that remembers the line of each item."""

    __slots__ = ("line", "item_lines")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


Report = Callable[[int, str, str], None]
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"  # a "<<" key: PyYAML's flatten_mapping merges the mapping it names
_SPECIAL_KEYS = (_MERGE, "tag:yaml.org,2002:value")  # keys flatten_mapping rewrites (YAML's "=" becomes a str)
# scalars whose value is immutable and depends on the tag and text alone: built once, shared
_SHARED_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp"))


def _copy(text: str) -> str:
    """A new string equal to `text` (str() and slicing return the same object)."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


class _LineMark:
    """Where a node starts, as much as the loader uses of it: the line (0-based, like PyYAML's marks)."""

    __slots__ = ("line",)

    def __init__(self, line: int) -> None:
        self.line = line


if hasattr(yaml, "CSafeLoader"):   # libyaml, when PyYAML was built with it
    class _LeanLoader(yaml.composer.Composer, yaml.CSafeLoader):
        """libyaml parses; PyYAML's composer builds the nodes, each with one small shared mark per line instead
        of libyaml's two full marks: the node tree of 20,000 connections is 100 MB instead of 150 MB, and it
        is the peak of a whole `check` (the tree exists only while loading)."""

        def __init__(self, stream: str) -> None:
            yaml.CSafeLoader.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            self._marks: dict[int, _LineMark] = {}

        def _mark(self, event: yaml.Event) -> _LineMark:
            line = event.start_mark.line
            mark = self._marks.get(line)
            if mark is None:
                mark = self._marks[line] = _LineMark(line)
            return mark

        def compose_scalar_node(self, anchor: str | None) -> yaml.ScalarNode:
            event = self.get_event()
            tag = event.tag
            if tag is None or tag == "!":
                tag = self.resolve(yaml.ScalarNode, event.value, event.implicit)
            mark = self._mark(event)
            node = yaml.ScalarNode(tag, event.value, mark, mark, style=event.style)
            if anchor is not None:
                self.anchors[anchor] = node
            return node

        def compose_sequence_node(self, anchor: str | None) -> yaml.SequenceNode:
            node = super().compose_sequence_node(anchor)
            node.start_mark = node.end_mark = _LineMark(node.start_mark.line)
            return node

        def compose_mapping_node(self, anchor: str | None) -> yaml.MappingNode:
            node = super().compose_mapping_node(anchor)
            node.start_mark = node.end_mark = _LineMark(node.start_mark.line)
            return node

    FAST_LOADER: Any = _LeanLoader
else:
    FAST_LOADER = None


class _AliasLineLoader(yaml.SafeLoader):
    """SafeLoader that also remembers where each alias is written: a composed alias is its anchor's node, which
    only knows the anchor's line. libyaml composes in C, out of reach, so its messages come from here."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_lines: dict[tuple[int, Any], int] = {}  # (id(parent node), item index or id(key node)) -> line

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            place = index if isinstance(index, int) else id(index)
            self.alias_lines[id(parent), place] = self.peek_event().start_mark.line + 1
        return super().compose_node(parent, index)


PURE_LOADER = _AliasLineLoader


ALIAS_GROWTH = 10      # aliases may make a document at most 10x its own nodes...
ALIAS_FLOOR = 10_000   # ...or 10,000 nodes, whichever is more: templates merged into each entry stay far below


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else []


def _refuse_alias_bombs(root: yaml.Node, loader: Any, name: str) -> None:
    """Raise InputError when aliases would expand the document far beyond its own size (a 'billion laughs'):
    merge keys copy what they merge and every walk over the values repeats each alias. Nothing is expanded
    here: each collection's expanded size is counted once, so this is linear in the document."""
    size: dict[int, int] = {}  # id(collection node) -> the nodes it stands for, aliases expanded
    written = 1                # the nodes as the file writes them, each alias counting as one

    def expanded(node: yaml.Node) -> int:
        nonlocal written
        if isinstance(node, yaml.ScalarNode):
            return 1
        if id(node) not in size:
            size[id(node)] = 1  # a cycle counts once, as the reader ends it
            children = _children(node)
            written += len(children)
            size[id(node)] = 1 + sum(map(expanded, children))
        return size[id(node)]

    total = expanded(root)
    limit = max(ALIAS_GROWTH * written, ALIAS_FLOOR)
    if total <= limit:
        return
    # Blame the alias, in file order, at which the expansion passes the limit.
    seen: set[int] = set()
    count = 0

    def passing(parent: yaml.Node, place: Any, node: yaml.Node, path: str) -> tuple[int, str] | None:
        nonlocal count
        if id(node) in seen:  # an alias of a collection; a scalar's alias counts one, like the scalar
            count += size[id(node)]
            # libyaml knows no alias lines: its InputError makes _compose read the text again with _AliasLineLoader
            line = getattr(loader, "alias_lines", {}).get((id(parent), place), _line(parent))
            return (line, path) if count > limit else None
        count += 1
        if isinstance(node, yaml.ScalarNode):
            return None
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            places = [(i, item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        else:
            places = [p for k, v in node.value for p in ((None, k, path), (id(k), v, _join(path, getattr(k, "value", "?"))))]
        return next(filter(None, (passing(node, *p) for p in places)), None)

    line, path = passing(root, None, root, "")
    raise InputError(f"{name}:{line}: {path or '(document)'}: refused, an alias bomb? With this alias the document "
                     f"expands to more than {limit:,} nodes (allowed: {ALIAS_GROWTH}x the {written:,} it writes, "
                     f"at least {ALIAS_FLOOR:,})")


class _Reader:
    """Composed YAML nodes -> YMap / YList / plain scalars (built by PyYAML's safe constructors).

    Most of a big inventory's load passes here, so the common case is kept short: a scalar of a core tag is
    constructed once per (tag, text) and the value shared (they are immutable: str, int, float, bool, None,
    datetime, bytes); a path is spelled out only for a collection or when a problem is reported; a mapping
    without merge ('<<') or value ('=') keys skips PyYAML's flatten_mapping."""

    def __init__(self, loader: yaml.SafeLoader, report: Report) -> None:
        self.loader, self.report = loader, report
        self.done: dict[int, Any] = {}  # node id -> value: an alias yields the same object, cycles end
        self.scalars: dict[tuple[str, str], Any] = {}  # (tag, text) -> the value built, for the core tags

    def value(self, node: yaml.Node, path: str) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.done:
            return self.done[id(node)]
        if node.tag not in (_SEQ, _MAP):  # e.g. !!python/object
            self.report(_line(node), path, f"cannot read this value: unsupported tag {node.tag!r}")
            return INVALID
        if isinstance(node, yaml.SequenceNode):
            seq = self.done[id(node)] = YList(_line(node))
            lines = seq.item_lines
            for i, item in enumerate(node.value):
                seq.append(self.value(item, f"{path}[{i}]") if not isinstance(item, yaml.ScalarNode)
                           else self.scalar(item, path, i))
                lines.append(item.start_mark.line + 1)
            return seq
        return self.mapping(node, path)

    def scalar(self, node: yaml.Node, path: str, index: Any = None) -> Any:
        """The value of a scalar; `index`, when given, is its list index or key under `path` (for messages)."""
        key = (node.tag, node.value)
        try:
            return self.scalars[key]
        except KeyError:
            pass
        try:
            value = self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError) as e:  # unknown tag, impossible date such as 2026-13-45
            problem = f"cannot read this value: {getattr(e, 'problem', None) or e}"
        except (KeyError, AttributeError):  # PyYAML's own crash on '!!bool maybe', '!!timestamp soon'
            problem = f"cannot read this value: {node.value!r} is not a !!{node.tag.rpartition(':')[2]}"
        else:
            # Copies, not the composer's own strings: those lie among the node tree's objects (150 MB at 20,000
            # connections), and each one kept would pin its memory pool after the tree is gone.
            if type(value) is str:
                value = _copy(value)
            if node.tag in _SHARED_TAGS:
                self.scalars[(node.tag, _copy(node.value))] = value
                self.loader.constructed_objects.pop(node, None)  # held by our cache instead, once per text
            return value
        where = path if index is None else f"{path}[{index}]" if isinstance(index, int) else _join(path, index)
        self.report(_line(node), where, problem)
        return INVALID

    def key(self, node: yaml.Node, path: str) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        self.report(_line(node), path, "a key must be a plain name, not a list or mapping")
        return INVALID

    def mapping(self, node: yaml.MappingNode, path: str) -> YMap:
        out = self.done[id(node)] = YMap(_line(node))
        pairs = node.value
        key_lines = out.key_lines
        for key_node, _ in pairs:  # before any key is read (a key's problem is reported once)
            if key_node.tag in _SPECIAL_KEYS:
                return self.merged_mapping(node, path, out)
        # Read the keys first: duplicates among the keys written here are reported before anything inside.
        keys, duplicates = [], []
        for key_node, _ in pairs:
            key = self.key(key_node, path)
            keys.append(key)
            if key is INVALID:
                continue
            line = key_node.start_mark.line + 1
            if key in key_lines:
                duplicates.append((line, _join(path, key), f"duplicate key {key!r} (first at line {key_lines[key]})"))
            else:
                key_lines[key] = line
        for problem in duplicates:
            self.report(*problem)
        for key, (key_node, value_node) in zip(keys, pairs):
            if key is INVALID:
                continue
            if key in out:  # a duplicate: the last one written wins, as in PyYAML, with its line
                key_lines[key] = key_node.start_mark.line + 1
            out[key] = (self.scalar(value_node, path, key) if isinstance(value_node, yaml.ScalarNode)
                        else self.value(value_node, _join(path, key)))
        return out

    def merged_mapping(self, node: yaml.MappingNode, path: str, out: YMap) -> YMap:
        """A mapping with '<<' merge keys (or YAML's '=' value key): PyYAML's flatten_mapping resolves them."""
        first: dict[Any, int] = {}
        for key_node, _ in node.value:  # duplicates among the keys written here (merged '<<' keys may be overridden)
            key = INVALID if key_node.tag == _MERGE else self.key(key_node, path)
            if key is not INVALID and key in first:
                self.report(_line(key_node), _join(path, key), f"duplicate key {key!r} (first at line {first[key]})")
            elif key is not INVALID:
                first[key] = _line(key_node)
        try:
            self.loader.flatten_mapping(node)  # resolve '<<: *anchor' merges
        except yaml.MarkedYAMLError as e:
            self.report(_line(node), path, f"cannot merge: {e.problem}")
        for key_node, value_node in node.value:
            key = self.key(key_node, path) if isinstance(key_node, yaml.ScalarNode) else INVALID
            if key is not INVALID:
                out[key] = self.value(value_node, _join(path, key))
                out.key_lines[key] = _line(key_node)
        return out


# ---------------------------------------------------------------- value checks: value -> typed value, or ValueError

def show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, YMap):
        return "a mapping"
    if isinstance(v, YList):  # never str() it: through aliases a list can stand for billions of items
        return "a list"
    return "null" if v is None else str(v)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)  # YAML true/false are bools, never ints here


def text(v: Any) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ValueError(f"{show(v)} is not a string" if not isinstance(v, str) else "must not be empty")
    return v


def integer(v: Any, low: int | None = None, high: int | None = None, what: str = "an integer") -> int:
    if not _is_int(v):
        raise ValueError(f"{show(v)} is not an integer")
    if (low is not None and v < low) or (high is not None and v > high):
        raise ValueError(f"{v} is not {what}")
    return v


def positive_int(v: Any) -> int:
    # bounded: the rules divide rates by user counts, and an int beyond any float overflows there
    return integer(v, 1, 10**9, what="a positive integer up to 1000000000")


def port(v: Any) -> int:
    return integer(v, 1, 65535, what="a port number (1..65535)")


def positive_number(v: Any) -> float:
    # .inf and ints beyond any float (1 followed by 400 zeros) would overflow the rules' arithmetic
    if not (_is_int(v) or isinstance(v, float)) or not 0 < v <= sys.float_info.max:
        raise ValueError(f"{show(v)} is not a positive number")
    return v


def boolean(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"{show(v)} is not true or false")
    return v


def account_id(v: Any) -> str:
    t = str(v) if _is_int(v) else v  # an unquoted id is an int to YAML
    if isinstance(t, str) and t.isascii() and t.isdigit():
        return t
    raise ValueError(f"{show(v)} is not an account id (a string of digits)")


def safe_name(v: Any) -> str:
    """Device names, circuit ids, hosted connection ids: they become file names (devices/<name>/,
    snmp/<name>.snmprec, render's <name>.<action>.cfg) and reach devices, so they are safetext's 'identifier'
    without '..'. Non-ASCII is refused too: it normalises differently from one file system to another."""
    t = text(v)
    if SAFE_NAME.fullmatch(t) and ".." not in t:
        return t
    bad = next((ch for ch in t if not SAFE_NAME_CHAR.fullmatch(ch)), None)
    if len(t) > SAFE_NAME_MAX:
        why = f"it is {len(t)} characters long, more than {SAFE_NAME_MAX}"
    elif bad is not None:
        why = f"it contains {bad!r}"
    elif ".." in t:
        why = "it contains '..'"
    else:
        why = f"it starts with {t[0]!r}"
    raise ValueError(f"{show(t if len(t) <= 70 else t[:64] + '...')} is not a safe name: {why} (names become file "
                     f"names: letters, digits, '.', '_' and '-', starting with a letter or digit, at most {SAFE_NAME_MAX})")


def env_name(v: Any) -> str:
    if isinstance(v, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v):
        return v
    # the value is not echoed: a user who wrote the secret itself here should not see it copied into logs
    raise ValueError("is not an environment variable name (the file holds the NAME of the variable, never the secret)")


def one_of(*choices: str) -> Callable[[Any], str]:
    def check(v: Any) -> str:
        t = str(v) if _is_int(v) else v  # snmp version: 3
        if isinstance(t, str) and t in choices:
            return t
        raise ValueError(f"{show(v)} is not one of {', '.join(choices)}")
    return check


def platform(v: Any) -> str:
    # A platform without templates/<platform>/ loads fine and its devices are reported as not collectable,
    # so one unsupported switch never blocks the whole check.
    known = known_platforms()
    if isinstance(v, str) and v in known:
        return v
    raise ValueError(f"{show(v)} is not a platform name (one of: {', '.join(known)})")


def bandwidth(v: Any) -> int:
    if not (isinstance(v, (str, float)) or _is_int(v)):
        raise ValueError(f"{show(v)} is not a bandwidth (expected e.g. 50M, 200M, 1G, 2.5G)")
    return parse_bandwidth(v)


def bandwidth_and_text(v: Any) -> tuple[int, str]:
    return bandwidth(v), str(v)


def vlan_ranges(v: Any):
    return parse_vlan_ranges(v)


def reserved_ranges(v: Any):
    return parse_vlan_ranges(v, allow_empty=True)


def cidr(v: Any) -> str:
    try:
        if "/" not in text(v):
            raise ValueError
        ipaddress.ip_interface(v)
    except ValueError:
        raise ValueError(f"{show(v)} is not an address with a prefix length (e.g. 10.100.0.1/30)") from None
    return v


def zone_name(v: Any) -> str:
    time_zone(v)
    return v


def timestamp(v: Any) -> datetime:
    example = "(e.g. 2026-11-26T00:00:00+08:00)"
    if isinstance(v, str):  # a quoted ISO timestamp; unquoted ones are already datetimes
        try:
            v = datetime.fromisoformat(v.strip())
        except ValueError:
            raise ValueError(f"{v!r} is not an ISO 8601 date and time {example}") from None
    if not isinstance(v, datetime):
        raise ValueError(f"{show(v)} is not a date and time {example}")
    if v.tzinfo is None:
        raise ValueError(f"{v.isoformat()} has no UTC offset {example}")
    return v


# ---------------------------------------------------------------- the schema

@dataclasses.dataclass(frozen=True)
class Key:
    check: Any  # a value check, a nested schema (dict), ListOf or MapOf
    required: bool = False


@dataclasses.dataclass(frozen=True)
class ListOf:
    schema: dict[str, Key]


@dataclasses.dataclass(frozen=True)
class MapOf:  # free names -> entries, e.g. credential sets
    schema: dict[str, Key]


def req(check: Any) -> Key:
    return Key(check, required=True)


def opt(check: Any) -> Key:
    return Key(check)


PERMISSION = {"valid_from": req(timestamp), "valid_until": req(timestamp)}
PARTNER = {"name": req(text), "carrier": req(text), "site": req(one_of(*SITES)), "account_id": req(account_id),
           "permission": opt(PERMISSION), "vlan_pool": opt(vlan_ranges), "reserved_vlans": opt(reserved_ranges),
           "timezone": opt(zone_name)}
THRESHOLDS = {f.name: opt(positive_number) for f in dataclasses.fields(Thresholds)}
SNMP = {"version": opt(one_of("2c", "3")), "community_env": opt(env_name), "port": opt(port)}
DEVICE = {"name": req(safe_name), "host": req(text), "platform": req(platform), "role": req(one_of(*ROLES)),
          "port": opt(port), "credentials": opt(text), "snmp": opt(SNMP), "family": opt(one_of(*FAMILIES))}
SNMP_V3 = {"user_env": req(env_name), "auth_key_env": req(env_name), "priv_key_env": req(env_name),
           "auth_protocol": opt(one_of("sha", "sha256", "md5")), "priv_protocol": opt(one_of("aes", "aes256", "des"))}
CREDENTIALS = {"username_env": req(env_name), "password_env": req(env_name), "secret_env": opt(env_name),
               "snmp_v3": opt(SNMP_V3)}
CIRCUIT = {"id": req(safe_name), "region": req(text), "access_point": req(text), "capacity": req(bandwidth),
           "device": req(text), "interface": req(text), "status": opt(one_of(*CIRCUIT_STATUSES)),
           "carrier": opt(text), "vlan_pool": opt(vlan_ranges), "reserved_vlans": opt(reserved_ranges)}
TENANT = {"account_id": req(account_id), "name": req(text), "site": req(one_of(*SITES)), "ha": opt(boolean),
          "users": opt(positive_int)}
HOSTED_CONNECTION = {"id": opt(safe_name), "circuit": req(text), "tenant": req(account_id), "vlan": req(integer),
                     "bandwidth": req(bandwidth_and_text), "status": req(one_of(*CONNECTION_STATUSES)),
                     "address": opt(cidr)}
INVENTORY = {"partner": req(PARTNER), "thresholds": opt(THRESHOLDS), "devices": req(ListOf(DEVICE)),
             "credentials": opt(MapOf(CREDENTIALS)), "circuits": req(ListOf(CIRCUIT)),
             "tenants": opt(ListOf(TENANT)), "hosted_connections": opt(ListOf(HOSTED_CONNECTION))}


@dataclasses.dataclass
class Item:
    """One checked entry of a list or of a MapOf: its checked fields plus where it is written."""
    name: str  # list index or mapping key
    path: str
    line: int
    raw: YMap
    data: dict[str, Any]

    def where(self, key: str) -> tuple[int, str]:
        return self.raw.key_lines.get(key, self.line), f"{self.path}.{key}"


def _suggest(word: Any, known: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(k) for k in known], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Validator:
    def __init__(self, report: Report) -> None:
        self.report = report

    def walk(self, value: Any, check: Any, path: str, line: int) -> Any:
        if value is INVALID:
            return INVALID
        if isinstance(check, dict):
            return self.mapping(value, check, path, line)
        if isinstance(check, (ListOf, MapOf)):
            kind, container = ("a list", YList) if isinstance(check, ListOf) else ("a mapping", YMap)
            if not isinstance(value, container):
                self.report(line, path, f"{show(value)} is not {kind}")
                return INVALID
            return self.entries(value, check, path)
        try:
            return check(value)
        except ValueError as e:
            self.report(line, path, str(e))
            return INVALID

    def mapping(self, value: Any, schema: dict[str, Key], path: str, line: int) -> Any:
        if not isinstance(value, YMap):
            self.report(line, path, f"{show(value)} is not a mapping (expected keys: {', '.join(schema)})")
            return INVALID
        if not value.keys() <= schema.keys():
            for key in value:
                if key not in schema:
                    self.report(value.key_lines[key], _join(path, key), f"unknown key {key!r}{_suggest(key, schema)}")
        out: dict[str, Any] = {}
        for key, spec in schema.items():
            item = value.get(key)
            if item is None:  # absent or written empty: an optional key takes its default
                if spec.required:
                    problem = "missing required key" if key not in value else "has no value, required key"
                    self.report(value.key_lines.get(key, line), _join(path, key), f"{problem} {key!r}")
                continue
            if item is INVALID:
                continue
            check = spec.check
            if callable(check):  # a value check, inlined from walk: most of the work on a big inventory
                try:
                    out[key] = check(item)
                except ValueError as e:
                    self.report(value.key_lines[key], _join(path, key), str(e))
                continue
            result = self.walk(item, check, _join(path, key), value.key_lines[key])
            if result is not INVALID:
                out[key] = result
        return out

    def entries(self, value: YList | YMap, check: ListOf | MapOf, path: str) -> Any:
        if isinstance(value, YList):
            places = [(i, f"{path}[{i}]", value.item_lines[i], v) for i, v in enumerate(value)]
        else:
            places = [(k, _join(path, k), value.key_lines[k], v) for k, v in value.items()]
        items = {}
        for name, where, line, raw in places:
            data = self.walk(raw, check.schema, where, line)
            if data is not INVALID:
                items[name] = Item(str(name), where, line, raw, data)
        return list(items.values()) if isinstance(value, YList) else {it.name: it for it in items.values()}


# ---------------------------------------------------------------- loading

def _read_text(path: Path, name: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, expected the inventory YAML file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as e:
        raise InputError(f"{name}: cannot read: {e.strerror or e}") from None
    if b"\x00" in data:
        raise InputError(f"{name}: binary file, expected the inventory YAML text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}), "
                         "expected the inventory YAML file") from None


def _compose(text: str, name: str, report: Report) -> Any:
    """Nodes -> values with lines. libyaml is ~10x faster (20,000 connections: ~1 s instead of ~12 s); when it
    rejects the text, the pure-Python loader reads it again, because its messages are the precise ones."""
    if FAST_LOADER is not None:
        found: list[tuple] = []
        try:
            root = _compose_with(FAST_LOADER, text, name, lambda *problem: found.append(problem))
        except (InputError, yaml.YAMLError):
            pass
        else:
            for problem in found:
                report(*problem)
            return root
    return _compose_with(PURE_LOADER, text, name, report)


def _compose_with(loader_class, text: str, name: str, report: Report) -> Any:
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as e:  # control characters
        ch = chr(e.character) if isinstance(e.character, int) else e.character
        raise InputError(f"{name}: not a YAML text file (control character {ch!r} at offset {e.position})") from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(f"{name}: the file is empty, expected {EXPECTED}")
        if "*" in text:  # no '*', no alias
            _refuse_alias_bombs(node, loader, name)
        root = _Reader(loader, report).value(node, "")
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or e.context
        if e.problem and e.context:  # e.g. "... (while parsing a flow mapping started at line 26)"
            started = f" started at line {e.context_mark.line + 1}" if e.context_mark and e.context_mark is not mark else ""
            problem = f"{e.problem} ({e.context}{started})"
        raise InputError(f"{name}:{mark.line + 1}: YAML syntax error: {problem}") from None
    except RecursionError:
        raise InputError(f"{name}: nested too deeply to be an inventory") from None
    finally:
        loader.dispose()
    if not isinstance(root, YMap):
        raise InputError(f"{name}:{_line(node)}: the document is {show(root)}, expected {EXPECTED}")
    return root


def load_inventory(path: str | Path) -> Inventory:
    """Read and validate an inventory file. Raises InputError with one 'file:line: path: problem' per problem."""
    return load(Path(path))


def load(path: Path) -> Inventory:
    """Read and check the inventory; raise InputError listing every problem, in file order."""
    with gc_paused():
        return _load(path)


def _load(path: Path) -> Inventory:
    name = str(path)
    problems: list[tuple[int, str]] = []

    def report(line: int, where: str, problem: str) -> None:
        problems.append((line, f"{name}:{line}: {where or '(document)'}: {problem}"))

    root = _compose(_read_text(path, name), name, report)
    data = _Validator(report).walk(root, INVENTORY, "", root.line)
    sections = {key: _section(data, root, key) for key in ("devices", "credentials", "circuits", "tenants", "hosted_connections")}
    _cross_check(root, data, sections, report)
    if problems:
        raise InputError([message for _, message in sorted(problems, key=lambda p: p[0])])
    return _build(path, data, sections)


def _section(data: dict[str, Any], root: YMap, key: str) -> Any:
    """The checked entries of a section; [] when an optional one is absent; None when unreadable (skip references)."""
    if key in data:
        return data[key]
    broken = root.get(key) is not None or INVENTORY[key].required
    return None if broken else []


def _cross_check(root: YMap, data: dict[str, Any], s: dict[str, Any], report: Report) -> None:
    def unique(items: list[Item] | None, key: str, what: str) -> None:
        # case-insensitively: HZ-ACC-01 and hz-acc-01 are one directory on case-insensitive file systems
        seen: dict[str, tuple[str, int]] = {}
        for it in items or []:
            if key not in it.data:
                continue
            value = it.data[key]
            if value.lower() in seen:
                first, line = seen[value.lower()]
                also = "" if first == value else f" as {first!r}: names differing only in case are one file on some systems"
                report(*it.where(key), f"duplicate {what} {value!r} (first at line {line}{also})")
            else:
                seen[value.lower()] = value, it.where(key)[0]

    def refer(items: list[Item] | None, key: str, known: Any, what: str) -> None:
        if known is None:
            return  # the referenced section is broken: already reported
        names = set(known) if isinstance(known, dict) else {it.data.get(what_key[what]) for it in known}
        names.discard(None)
        hints: dict[Any, str] = {}  # one difflib search per unknown name, however many entries repeat it
        for it in items or []:
            value = it.data.get(key)
            if value is not None and value not in names:
                if value not in hints:
                    hints[value] = _suggest(value, names) or (
                        f" (known: {', '.join(sorted(names))})" if names else f" (no {what} defined)")
                report(*it.where(key), f"unknown {what} {value!r}{hints[value]}")

    what_key = {"device": "name", "circuit": "id", "tenant": "account_id"}
    unique(s["devices"], "name", "device name")
    unique(s["circuits"], "id", "circuit id")
    unique(s["tenants"], "account_id", "tenant account id")
    unique(s["hosted_connections"], "id", "hosted connection id")
    if root.get("credentials") is not None:   # without the section, only commands that reach devices object
        refer(s["devices"], "credentials", s["credentials"], "credentials")
    refer(s["circuits"], "device", s["devices"], "device")
    refer(s["hosted_connections"], "circuit", s["circuits"], "circuit")
    refer(s["hosted_connections"], "tenant", s["tenants"], "tenant")

    for dev in s["devices"] or []:
        snmp = dev.data.get("snmp")
        if snmp is None:
            continue
        line, where = dev.where("snmp")
        version = snmp.get("version", None if "version" in dev.raw["snmp"] else "2c")
        if version == "2c" and "community_env" not in snmp and "community_env" not in dev.raw["snmp"]:
            report(line, where, "SNMP v2c needs community_env (the environment variable holding the community)")
        cred = (s["credentials"] or {}).get(dev.data.get("credentials"))
        if version == "3" and cred is not None and "snmp_v3" not in cred.raw:
            report(line, where, f"SNMP v3 needs snmp_v3 in credentials {cred.name!r}")

    permission = data.get("partner", {}).get("permission", {})
    if "valid_from" in permission and "valid_until" in permission and permission["valid_until"] <= permission["valid_from"]:
        report(root["partner"]["permission"].key_lines["valid_until"], "partner.permission.valid_until",
               f"{permission['valid_until'].isoformat()} is not after valid_from {permission['valid_from'].isoformat()}")


def _build(path: Path, data: dict[str, Any], s: dict[str, Any]) -> Inventory:
    partner = dict(data["partner"])
    partner["permission"] = Permission(**partner["permission"]) if "permission" in partner else None
    credentials = {}
    for name, it in (s["credentials"] or {}).items():
        v3 = it.data.get("snmp_v3")
        credentials[name] = Credentials(name=name, **{**it.data, "snmp_v3": SnmpV3Credentials(**v3) if v3 else None})
    devices = {}
    for it in s["devices"]:
        snmp = it.data.get("snmp")
        devices[it.data["name"]] = Device(**{**it.data, "snmp": SnmpSettings(**snmp) if snmp is not None else None}, line=it.line)
    hosted = []
    for it in s["hosted_connections"]:
        bps, bandwidth_text = it.data["bandwidth"]
        hosted.append(HostedConnection(**{**it.data, "bandwidth": bps, "bandwidth_text": bandwidth_text}, line=it.line))
    return Inventory(
        path=path,
        partner=Partner(**partner),
        thresholds=Thresholds(**data.get("thresholds", {})),
        devices=devices,
        credentials=credentials,
        circuits={it.data["id"]: Circuit(**it.data, line=it.line) for it in s["circuits"]},
        tenants={it.data["account_id"]: Tenant(**it.data, line=it.line) for it in s["tenants"]},
        hosted_connections=hosted,
    )
