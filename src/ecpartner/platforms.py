"""The vendor knowledge: templates/<platform>/commands.yaml, read and validated once per platform.

Collectors, parser, renderer, rules and plan all read a platform through platform_spec(): what to run,
which TTP templates read it, defaults, the naming model of routed ports and subinterfaces, session
vocabularies (error answers, configuration-mode words, secret-bearing keywords) and message hints.
The rest of src/ is vendor-neutral. Any unknown key or wrong type is an InputError naming file and key.
Bottom floor: imports nothing of ecpartner but errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from ecpartner.errors import InputError


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when PyYAML has it: read at every start-up


def _load_yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)


# ---------------------------------------------------------------- where the templates are

@cache
def templates_dir() -> Path:
    packaged = Path(__file__).parent / "templates"  # wheel: force-included into the package
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "templates"  # editable install / source tree
    if checkout.is_dir():
        return checkout
    raise RuntimeError(f"ecpartner templates not found (looked in {packaged} and {checkout})")


def platforms() -> list[str]:
    """Platforms we have vendor knowledge for: every templates/<platform>/commands.yaml."""
    return sorted(p.parent.name for p in templates_dir().glob("*/commands.yaml"))


@cache
def known_platforms() -> tuple[str, ...]:
    """Platform names an inventory may use: templates/platforms.yaml (the contract's), then every folder."""
    path = templates_dir() / "platforms.yaml"
    try:
        names = (_load_yaml(path) or {}).get("names")
    except (OSError, yaml.YAMLError, AttributeError) as e:
        raise InputError(f"{path}: cannot read: {e}") from None
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise InputError(f"{path}: names: must be a list of platform names")
    return tuple(dict.fromkeys([*names, *platforms()]))


def platform_dir(platform: str) -> Path:
    return templates_dir() / platform


# ---------------------------------------------------------------- the typed value

@dataclass(frozen=True)
class CommandSpec:
    command: str
    templates: tuple[tuple[str, str], ...]   # (file name, TTP template text)
    only_without_snmp: bool = False          # the CLI stand-in for SNMP counters: skipped when SNMP is walked


@dataclass(frozen=True)
class Statistics:
    interface: bool                 # ports count traffic without configuration
    subinterface: bool              # subinterfaces do too


@dataclass(frozen=True)
class Sources:
    """How a limit is named in messages when its template gives no `source` ({placeholders} filled in)."""
    rate: str                       # an interface rate limit
    car: str                        # a named CAR profile applied to an interface: {name}
    policy_class: str               # a policed class of a policy: {policy}, {classifier}
    control_plane: str              # that class in the control-plane policy: {source}
    arp: str                        # an interface ARP limit
    arp_device: str                 # a device-wide ARP limit: {scope}
    icmp_interface: str             # an interface ICMP limit
    icmp_device: str                # a device-wide ICMP limit
    icmp_default: str               # ICMP limiting enabled with the platform's default threshold


@dataclass(frozen=True)
class Defaults:
    rate_unit: str                  # the unit of a rate a template gives without one
    statistics: Statistics
    icmp_threshold_pps: float | None   # ICMP limiting enabled without a threshold
    arp_default_pps: float | None      # ARP limiting enabled without a rate
    mqc_default_class: str | None      # the class that matches everything
    sources: Sources


@dataclass(frozen=True)
class Session:
    rejected: re.Pattern            # a line of output saying the device refused the command
    writes: frozenset[str]          # first words of configuration-mode or writing commands (lowercase)
    enable: bool = True             # netmiko's enable() is a privilege step to take (False: on a platform where it
                                    # would enter a configuration view, or has none)


@dataclass(frozen=True)
class Naming:
    """How the configuration names the interface carrying a VLAN on a port."""
    routed: str                     # VLAN 0, the whole port: "{port}"
    subinterface: str               # VLAN n: "{port}.{vlan}" (a convention: the encapsulation decides)
    _parent: re.Pattern = field(repr=False, compare=False)

    def interface(self, port: str, vlan: int) -> str:
        return self.routed.format(port=port) if vlan == 0 else self.subinterface.format(port=port, vlan=vlan)

    def parent(self, name: str) -> str | None:
        """The port of a subinterface name, None for a port: the subinterface pattern with any number."""
        m = self._parent.fullmatch(name)
        return m.group("port") if m else None


@dataclass(frozen=True)
class Hints:
    """Platform advice appended to findings (None: nothing to add)."""
    statistics: str | None          # how to turn traffic statistics on


@dataclass(frozen=True)
class Vocabulary:
    """The `secrets:` section: what collection removes from device output (the engine: collect.ssh.scrub)."""
    words: frozenset[str]               # a secret follows this token (`password`, `cipher`)...
    skip: frozenset[str]                # ...possibly after some of these (`7`, `sha`, `read`)...
    not_secrets: frozenset[str]         # ...unless this comes first (`crypto key generate`)
    patterns: tuple[re.Pattern, ...]    # positional forms: every group a pattern matches is a secret
    free_text: tuple[re.Pattern, ...]   # lines of free text (descriptions): only literal secrets go there
    trigger: re.Pattern                 # a word or a pattern: the lines worth a closer look


@dataclass(frozen=True)
class PlatformSpec:
    platform: str
    path: Path                          # its commands.yaml, for messages
    config_command: str
    commands: tuple[CommandSpec, ...]
    defaults: Defaults
    session: Session
    naming: Naming
    hints: Hints
    secrets: Vocabulary
    comment: str | None = None          # the CLI's comment marker ('#', '!'): plan previews are commented out

    def command(self, command: str) -> CommandSpec:
        for c in self.commands:
            if c.command == command:
                return c
        raise KeyError(command)


def platform_commands(platform: str, with_snmp: bool | None = None) -> tuple[str, ...]:
    """The read-only commands of a platform. with_snmp=True leaves out the `only_without_snmp` ones."""
    return tuple(c.command for c in platform_spec(platform).commands if not (with_snmp and c.only_without_snmp))


def vocabulary(platform: str) -> Vocabulary:
    return platform_spec(platform).secrets


def interface_name(platform: str, port: str, vlan: int) -> str | None:
    """The platform's conventional name for the interface carrying `vlan` on `port` (the port itself for
    VLAN 0); None for a platform without templates: nothing is known of its naming."""
    model = naming(platform)
    return model.interface(port, vlan) if model is not None else None


def naming(platform: str) -> Naming | None:
    """The platform's naming model; None for a platform without templates."""
    return platform_spec(platform).naming if _has_spec(templates_dir(), platform) else None


@cache
def _has_spec(templates: Path, platform: str) -> bool:
    """templates/<platform>/commands.yaml exists: asked once per folder, not once per connection."""
    return (templates / platform / "commands.yaml").is_file()


# ---------------------------------------------------------------- reading and validating

_TOP = ("platform", "config_command", "comment", "commands", "defaults", "session", "naming", "hints", "secrets")
_COMMAND = ("command", "templates", "only_without_snmp")
_DEFAULTS = ("rate_unit", "statistics", "icmp_threshold_pps", "arp_default_pps", "mqc_default_class", "sources")
_STATISTICS = ("interface", "subinterface")
_SOURCES = tuple(Sources.__dataclass_fields__)
_SESSION = ("rejected", "writes", "enable")
_NAMING = ("routed", "subinterface")
_HINTS = tuple(Hints.__dataclass_fields__)
_SECRETS = ("words", "skip", "not_secrets", "patterns", "free_text")
# every key the code reads, section by section: what tests/test_platforms.py requires each platform to spell
SCHEMA = {"": _TOP, "commands[]": _COMMAND, "defaults": _DEFAULTS, "defaults.statistics": _STATISTICS,
          "defaults.sources": _SOURCES, "session": _SESSION, "naming": _NAMING, "hints": _HINTS, "secrets": _SECRETS}


@cache
def platform_spec(platform: str) -> PlatformSpec:
    """templates/<platform>/commands.yaml as a typed value; InputError naming the file and the key otherwise."""
    folder = platform_dir(platform)
    path = folder / "commands.yaml"
    try:
        data = _load_yaml(path)
    except FileNotFoundError:
        raise InputError(f"platform {platform} is not supported yet (no {path})") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise InputError(f"{path}: cannot read: {e}") from None
    r = _Reader(path)
    top = r.section(data, "", _TOP)
    if top.get("platform", platform) != platform:
        r.fail("platform", f"{top['platform']!r} is not the folder's name {platform!r}")
    config_command = r.text(top, "", "config_command")
    session = _session(r, top)
    commands = tuple(_command(r, folder, entry, f"commands[{i}]", session)
                     for i, entry in enumerate(r.items(top, "commands")))
    if not commands:
        r.fail("commands", "must be a non-empty list of {command: ...}")
    if config_command not in [c.command for c in commands]:
        r.fail("config_command", f"{config_command!r} is not one of the commands")
    comment = top.get("comment")
    if comment is not None and not (isinstance(comment, str) and comment.strip()):
        r.fail("comment", "must be a non-empty string")
    return PlatformSpec(platform=platform, path=path, config_command=config_command, commands=commands,
                        defaults=_defaults(r, top), session=session, naming=_naming(r, top), hints=_hints(r, top),
                        secrets=_vocabulary(r, top), comment=comment)


class _Reader:
    """Type checks that name the file and the key."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, why: str):
        raise InputError(f"{self.path}: {key}: {why}" if key else f"{self.path}: {why}")

    def section(self, value, where: str, allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be a mapping of " + ", ".join(allowed))
        for key in value:
            if key not in allowed:
                self.fail(where, f"unknown key {key!r} (expected one of {', '.join(allowed)})")
        return value

    def required(self, data: dict, where: str, key: str):
        if key not in data:
            self.fail(_join(where, key), "missing")
        return data[key]

    def text(self, data: dict, where: str, key: str) -> str:
        value = self.required(data, where, key)
        if not isinstance(value, str) or not value.strip():
            self.fail(_join(where, key), "must be a non-empty string")
        return value.strip()

    def optional_text(self, data: dict, where: str, key: str) -> str | None:
        return None if data.get(key) is None else self.text(data, where, key)

    def boolean(self, data: dict, where: str, key: str) -> bool:
        value = self.required(data, where, key)
        if not isinstance(value, bool):
            self.fail(_join(where, key), f"must be true or false, not {value!r}")
        return value

    def number(self, data: dict, where: str, key: str) -> float | None:
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
            self.fail(_join(where, key), f"must be a positive number or null, not {value!r}")
        return value

    def items(self, data: dict, key: str) -> list:
        value = self.required(data, "", key)
        if not isinstance(value, list):
            self.fail(key, "must be a list")
        return value

    def strings(self, data: dict, where: str, key: str) -> list[str]:
        values = data.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            self.fail(_join(where, key), "must be a list of non-empty strings (quote numbers)")
        return values

    def regexes(self, data: dict, where: str, key: str) -> tuple[re.Pattern, ...]:
        compiled = []
        for i, text in enumerate(self.strings(data, where, key)):
            try:
                compiled.append(re.compile(text, re.IGNORECASE))
            except re.error as e:
                self.fail(f"{_join(where, key)}[{i}]", f"not a regular expression: {e}")
        return tuple(compiled)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _command(r: _Reader, folder: Path, entry, where: str, session: Session) -> CommandSpec:
    if not isinstance(entry, dict) or not isinstance(entry.get("command"), str) or not entry["command"].strip():
        r.fail(where, "'command' must be a non-empty string")
    r.section(entry, where, _COMMAND)
    command = entry["command"].strip()
    if command.split()[0].lower() in session.writes:     # the safety net of read-only collection
        r.fail(where, f"{command!r} is not a read-only command (session.writes)")
    only_without_snmp = entry.get("only_without_snmp", False)
    if not isinstance(only_without_snmp, bool):
        r.fail(where, f"'only_without_snmp' must be true or false, not {only_without_snmp!r}")
    names = r.strings(entry, where, "templates")
    templates = []
    for name in names:
        try:
            templates.append((name, (folder / "parse" / name).read_text(encoding="utf-8")))
        except OSError as e:
            r.fail(f"{where}.templates", f"cannot read {folder / 'parse' / name}: {e.strerror or e}")
    return CommandSpec(command, tuple(templates), only_without_snmp)


def _defaults(r: _Reader, top: dict) -> Defaults:
    d = r.section(r.required(top, "", "defaults"), "defaults", _DEFAULTS)
    s = r.section(r.required(d, "defaults", "statistics"), "defaults.statistics", _STATISTICS)
    sources = r.section(r.required(d, "defaults", "sources"), "defaults.sources", _SOURCES)
    mqc = r.optional_text(d, "defaults", "mqc_default_class")
    return Defaults(rate_unit=r.text(d, "defaults", "rate_unit").lower(),
                    statistics=Statistics(*(r.boolean(s, "defaults.statistics", k) for k in _STATISTICS)),
                    icmp_threshold_pps=r.number(d, "defaults", "icmp_threshold_pps"),
                    arp_default_pps=r.number(d, "defaults", "arp_default_pps"),
                    mqc_default_class=mqc,
                    sources=Sources(**{k: _source(r, sources, k) for k in _SOURCES}))


_PLACEHOLDERS = {"car": ("name",), "policy_class": ("policy", "classifier"), "control_plane": ("source",),
                 "arp_device": ("scope",)}


def _source(r: _Reader, sources: dict, key: str) -> str:
    text = r.text(sources, "defaults.sources", key)
    names = _PLACEHOLDERS.get(key, ())
    try:
        text.format(**dict.fromkeys(names, ""))
    except (KeyError, IndexError, ValueError):
        allowed = ", ".join(f"{{{n}}}" for n in names) or "nothing"
        r.fail(f"defaults.sources.{key}", f"{text!r} may fill in {allowed} only")
    return text


def _session(r: _Reader, top: dict) -> Session:
    s = r.section(r.required(top, "", "session"), "session", _SESSION)
    rejected, writes = r.regexes(s, "session", "rejected"), r.strings(s, "session", "writes")
    if not rejected or not writes:
        r.fail("session", "'rejected' and 'writes' must both list something (error answers, configuration words)")
    # the whole line is the device's answer; leading and trailing blanks are not
    answer = re.compile(r"^\s*(?:" + "|".join(f"(?:{p.pattern})" for p in rejected) + r")\s*$", re.IGNORECASE)
    return Session(answer, frozenset(w.lower() for w in writes), r.boolean(s, "session", "enable"))


def _naming(r: _Reader, top: dict) -> Naming:
    n = r.section(r.required(top, "", "naming"), "naming", _NAMING)
    routed, sub = r.text(n, "naming", "routed"), r.text(n, "naming", "subinterface")
    if not re.fullmatch(r"[^{}]*\{port\}[^{}]*", routed):
        r.fail("naming.routed", f"{routed!r} must hold {{port}} once and no other braces")
    if not re.fullmatch(r"[^{}]*\{port\}[^{}]*\{vlan\}[^{}]*", sub):
        r.fail("naming.subinterface", f"{sub!r} must hold {{port}}, then {{vlan}}, once each and no other braces")
    # the parent of a subinterface: its port, whatever number follows (greedy: the last separator counts)
    before, rest = sub.split("{port}")
    between, after = rest.split("{vlan}")
    parent = re.compile(re.escape(before) + "(?P<port>.*)" + re.escape(between) + ".*?" + re.escape(after), re.DOTALL)
    return Naming(routed, sub, parent)


def _hints(r: _Reader, top: dict) -> Hints:
    hints = r.section(top.get("hints") or {}, "hints", _HINTS)
    return Hints(**{key: r.optional_text(hints, "hints", key) for key in _HINTS})


def _vocabulary(r: _Reader, top: dict) -> Vocabulary:
    if not isinstance(top.get("secrets"), dict):
        r.fail("", "no 'secrets' section: this platform's output cannot be scrubbed of credentials")
    section = r.section(top["secrets"], "secrets", _SECRETS)
    patterns = r.regexes(section, "secrets", "patterns")
    for i, pattern in enumerate(patterns):
        if not pattern.groups:
            r.fail(f"secrets.patterns[{i}]", "no group: say which part is the secret")
    words = frozenset(w.lower() for w in r.strings(section, "secrets", "words"))
    word_regex = r'(?<!\S)"?(?:' + "|".join(re.escape(w) for w in sorted(words)) + r')"?(?!\S)'
    trigger = "|".join([*(f"(?:{p.pattern})" for p in patterns), *([word_regex] if words else [])]) or r"(?!)"
    return Vocabulary(words, frozenset(w.lower() for w in r.strings(section, "secrets", "skip")),
                      frozenset(w.lower() for w in r.strings(section, "secrets", "not_secrets")), patterns,
                      r.regexes(section, "secrets", "free_text"), re.compile(trigger, re.IGNORECASE))
