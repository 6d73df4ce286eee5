"""SSH collector (netmiko): run a platform's read-only commands on one device and say exactly what happened.

The commands come from templates/<platform>/commands.yaml. The session never enters configuration mode:
netmiko's session preparation turns paging off (`screen-length 0 temporary`, `terminal length 0`), enable
mode is entered where the platform has one (a no-op elsewhere), then each command is sent and its text kept
exactly as the device printed it, except secrets: credential lines (`snmp-server community X`,
`local-user ... password irreversible-cipher X`, `secret 9 X`, ...) and every literal password/community
value in play read `<removed>`, so nothing downstream (reports, recordings, logs) can leak them, and a
live run and its recording parse the very same text. Every failure becomes one precise sentence.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from ecpartner.errors import InputError
from ecpartner.logsetup import REDACT, REMOVED
from ecpartner.resources import platform_dir
from ecpartner.state import Collected

log = logging.getLogger(__name__)


# Vendor error answers to a command, seen in the first lines of the output:
# Huawei/H3C "Error: Unrecognized command found at '^' position.", Cisco/Arista "% Invalid input detected",
# Junos "syntax error, expecting <command>.", "unknown command."
_REJECTED = re.compile(
    r"^\s*(?:Error:.*|% ?(?:Invalid|Incomplete|Ambiguous|Unknown|Unrecognized).*|syntax error.*|unknown command\.?)\s*$",
    re.IGNORECASE,
)
_REJECTED_SCAN_LINES = 6
# A safety net for read-only collection: a command list must never change the device.
_WRITES = re.compile(r"^\s*(conf(igure)?|system-view|sys|write|save|reload|reboot|reset|delete|erase|format|"
                     r"copy|commit|rollback|undo|no|clear|request)\b", re.IGNORECASE)


# netmiko logs channel traffic at DEBUG (device text holding a community, the enable exchange): the filter
# replaces every secret value in play before any handler sees the record (the CLI's handler has it too).
for _name in ("netmiko", "paramiko", "paramiko.transport"):
    logging.getLogger(_name).addFilter(REDACT)


def hide_in_logs(secrets: set[str] | frozenset[str]) -> None:
    """Redact these values from netmiko/paramiko log records from now on."""
    REDACT.secrets = REDACT.secrets | {s for s in secrets if s}


@dataclass(frozen=True)
class SshLogin:
    username: str
    password: str = field(repr=False)
    secret: str = field(repr=False)   # enable secret (the password when the inventory names none)


def platform_commands(platform: str, with_snmp: bool | None = None) -> tuple[str, ...]:
    """The read-only commands of a platform, from templates/<platform>/commands.yaml.

    with_snmp=True leaves out the commands marked `only_without_snmp: true` (the interface command that
    stands in for SNMP counters: large devices print pages of it); None or False: every command.
    """
    return tuple(command for command, only_without_snmp in _command_table(platform)
                 if not (with_snmp and only_without_snmp))


@cache
def _command_table(platform: str) -> tuple[tuple[str, bool], ...]:
    """(command, only_without_snmp) for each entry of commands.yaml, validated."""
    path, data = _commands_yaml(platform)
    entries = data.get("commands") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: 'commands' must be a non-empty list of {{command: ...}}")
    commands = []
    for i, entry in enumerate(entries):
        command = entry.get("command") if isinstance(entry, dict) else None
        if not isinstance(command, str) or not command.strip():
            raise InputError(f"{path}: commands[{i}]: 'command' must be a non-empty string")
        if _WRITES.match(command):
            raise InputError(f"{path}: commands[{i}]: {command!r} is not a read-only command")
        only_without_snmp = entry.get("only_without_snmp", False)
        if not isinstance(only_without_snmp, bool):
            raise InputError(f"{path}: commands[{i}]: 'only_without_snmp' must be true or false, "
                             f"not {only_without_snmp!r}")
        commands.append((command.strip(), only_without_snmp))
    return tuple(commands)


def _commands_yaml(platform: str) -> tuple[Path, object]:
    """templates/<platform>/commands.yaml, loaded: (path, document)."""
    path = platform_dir(platform) / "commands.yaml"
    try:
        return path, yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise InputError(f"platform {platform!r}: no {path} (nothing to collect over SSH)") from None
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"{path}: cannot read: {e}") from None


# Scrubbing. The vocabulary is vendor knowledge: each platform's `secrets:` section of
# templates/<platform>/commands.yaml (see the comments there). This is only the engine.
MIN_SECRET_LENGTH = 4   # every literal secret in play is replaced in device output: 'p' would rewrite every p
_VOCABULARY_KEYS = ("words", "skip", "not_secrets", "patterns", "free_text")
_TOKENS = re.compile(r"(\s+)")


@dataclass(frozen=True)
class Vocabulary:
    words: frozenset[str]               # a secret follows this token (`password`, `cipher`)...
    skip: frozenset[str]                # ...possibly after some of these (`7`, `sha`, `read`)...
    not_secrets: frozenset[str]         # ...unless this comes first (`crypto key generate`)
    patterns: tuple[re.Pattern, ...]    # positional forms: every group a pattern matches is a secret
    free_text: tuple[re.Pattern, ...]   # lines of free text (descriptions): only literal secrets go there
    trigger: re.Pattern                 # a word or a pattern: the lines worth a closer look


@cache
def vocabulary(platform: str) -> Vocabulary:
    """The platform's `secrets:` section, validated; InputError naming the file and the key otherwise."""
    path, data = _commands_yaml(platform)
    section = data.get("secrets") if isinstance(data, dict) else None
    if not isinstance(section, dict):
        raise InputError(f"{path}: no 'secrets' section: this platform's output cannot be scrubbed of credentials")
    for key in section:
        if key not in _VOCABULARY_KEYS:
            raise InputError(f"{path}: secrets: unknown key {key!r} (expected one of {', '.join(_VOCABULARY_KEYS)})")

    def strings(key: str) -> list[str]:
        values = section.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise InputError(f"{path}: secrets.{key}: must be a list of non-empty strings (quote numbers)")
        return values

    def regexes(key: str) -> tuple[re.Pattern, ...]:
        compiled = []
        for i, text in enumerate(strings(key)):
            try:
                compiled.append(re.compile(text, re.IGNORECASE))
            except re.error as e:
                raise InputError(f"{path}: secrets.{key}[{i}]: not a regular expression: {e}") from None
            if key == "patterns" and not compiled[-1].groups:
                raise InputError(f"{path}: secrets.patterns[{i}]: no group: say which part is the secret")
        return tuple(compiled)

    words, patterns = frozenset(w.lower() for w in strings("words")), regexes("patterns")
    word_regex = r'(?<!\S)"?(?:' + "|".join(re.escape(w) for w in sorted(words)) + r')"?(?!\S)'
    trigger = "|".join([*(f"(?:{p.pattern})" for p in patterns), *([word_regex] if words else [])]) or r"(?!)"
    return Vocabulary(words, frozenset(w.lower() for w in strings("skip")),
                      frozenset(w.lower() for w in strings("not_secrets")), patterns, regexes("free_text"),
                      re.compile(trigger, re.IGNORECASE))


def scrub_line(line: str, platform: str) -> str:
    """The line with its secret tokens replaced: `snmp-server community X RO` -> `... <removed> RO`."""
    v = vocabulary(platform)
    if not v.trigger.search(line) or any(p.search(line) for p in v.free_text):
        return line
    for pattern in v.patterns:
        line = _remove_groups(line, pattern)
    parts = _TOKENS.split(line)  # tokens at even positions, whitespace kept at odd positions
    expecting = False
    for i in range(0, len(parts), 2):
        token = parts[i]
        if not token:
            continue
        lower = token.lower().strip('"')
        if expecting:
            if lower in v.words or lower in v.skip:
                continue
            if lower not in v.not_secrets:
                parts[i] = REMOVED
            expecting = False
        elif lower in v.words:
            expecting = True
    return "".join(parts)


def _remove_groups(line: str, pattern: re.Pattern) -> str:
    spans = sorted(m.span(g) for m in pattern.finditer(line) for g in range(1, pattern.groups + 1) if m.start(g) >= 0)
    for start, end in reversed(spans):
        line = line[:start] + REMOVED + line[end:]
    return line


def scrub(text: str, secrets: set[str] | frozenset[str], platform: str) -> str:
    """Credential lines scrubbed with the platform's vocabulary, then every literal secret value replaced."""
    return hide_literals("\n".join(scrub_line(line, platform) for line in text.split("\n")), secrets)


def hide_literals(text: str, secrets: set[str] | frozenset[str] | list[str]) -> str:
    """Every occurrence of every secret value replaced, the longest first (one may contain another)."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REMOVED)
    return text


def short_secret(device: str, variable: str, what: str, value: str) -> str | None:
    """Why a secret is refused (too short to replace in device output without rewriting ordinary text), or
    None. Names the device and the variable, never the value."""
    if len(value) >= MIN_SECRET_LENGTH:
        return None
    return (f"device {device}: environment variable {variable} ({what}) is shorter than {MIN_SECRET_LENGTH} "
            f"characters: refused, since every occurrence of a secret is removed from device output")


def rejection(output: str) -> str | None:
    """The device's error line when it refused a command, else None."""
    for line in output.strip().splitlines()[:_REJECTED_SCAN_LINES]:
        if _REJECTED.match(line):
            return line.strip()
    return None


_WATCH_GRACE_S = 1.0


def device_budget(timeout: float, commands: int) -> float:
    """A device's wall-clock budget: one `timeout` per step, connecting counting twice (TCP, SSH and
    login, then netmiko's session preparation), enable once, each command once."""
    return timeout * (3 + commands)


class SessionWatch:
    """What one SSH session is doing right now, so a watchdog on another thread can name the step that
    overran and end it: netmiko's own timeouts bound each read, not a whole step (session preparation
    after login can take several of them), and a blocked thread cannot be cancelled from outside."""

    def __init__(self, timeout: float, commands: int):
        self.timeout = timeout
        self.budget = device_budget(timeout, commands)
        self.started = self.since = time.monotonic()
        self.step, self.limit = "connect", 2 * timeout
        self.conn = None
        self.abandoned = False

    def enter(self, step: str) -> None:
        self.step, self.limit, self.since = step, self.timeout, time.monotonic()

    def overrun(self, now: float) -> str | None:
        """Why the session is past its time, or None. netmiko gets a moment to report its own timeout first."""
        if now - self.since > self.limit + _WATCH_GRACE_S:
            return f"no answer within {self.limit:g}s during {self.step}"
        if now - self.started > self.budget:
            return f"device budget of {self.budget:g}s spent during {self.step}"
        return None

    def abandon(self) -> None:
        """Close the session under netmiko's feet: its blocked read then fails and the thread ends."""
        self.abandoned = True
        conn = self.conn
        transport = getattr(getattr(conn, "remote_conn", None), "get_transport", lambda: None)()
        if transport is not None:
            transport.close()


def collect_ssh(name: str, host: str, port: int, platform: str, login: SshLogin,
                commands: list[str] | tuple[str, ...], timeout: float = 30.0,
                secrets: set[str] | frozenset[str] = frozenset(), watch: SessionWatch | None = None) -> Collected:
    """Connect, enter enable mode where the platform has one, run the commands; never raises.

    Outputs are scrubbed of credential lines and of the login's own secrets plus `secrets`. `watch`
    is kept up to date with the current step, for a watchdog that enforces the device's budget.
    """
    from netmiko import ConnectHandler

    result = Collected(device=name, source="live")
    where = f"{host}:{port}"
    watch = watch or SessionWatch(timeout, len(commands))
    hidden = set(secrets) | {s for s in (login.password, login.secret) if s}
    hide_in_logs(hidden)
    started = time.monotonic()
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        result.error = f"ssh {where}: cannot resolve host name {host!r} (DNS)"
        return result
    try:
        conn = ConnectHandler(
            device_type=platform, host=host, port=port, username=login.username, password=login.password,
            secret=login.secret, conn_timeout=timeout, auth_timeout=timeout, banner_timeout=timeout,
            timeout=timeout, session_timeout=timeout,
            use_keys=False, allow_agent=False, ssh_config_file=None,
        )
    except Exception as e:  # netmiko wraps socket/paramiko errors; classify them for a person
        result.error = _connect_error(e, where, login.username, timeout)
        result.timings["connect"] = round(time.monotonic() - started, 3)
        return result
    watch.conn = conn
    try:
        result.timings["connect"] = round(time.monotonic() - started, 3)
        step = time.monotonic()
        watch.enter("enable")
        try:
            conn.enable()  # Cisco: needs `secret`; platforms without enable mode make this a no-op
        except Exception as e:
            result.error = f"ssh {where}: could not enter enable mode (wrong enable secret?): {_first_line(e)}"
            return result
        result.timings["enable"] = round(time.monotonic() - step, 3)
        for command in commands:
            if watch.abandoned:   # the watchdog gave up on this device: nobody reads what comes next
                return result
            step = time.monotonic()
            watch.enter(f"command {command!r}")
            try:
                output = conn.send_command(command, read_timeout=timeout)
            except Exception as e:
                result.error = _command_error(e, where, command, timeout)
                return result
            result.timings[command] = round(time.monotonic() - step, 3)
            refused = rejection(output)
            if refused:
                result.error = f"ssh {where}: command {command!r} rejected: {refused}"
                return result
            if output and not output.endswith("\n"):
                output += "\n"  # the line end before the next prompt, which netmiko strips with the prompt
            result.outputs[command] = scrub(output, hidden, platform)
    finally:
        try:
            conn.disconnect()
        except Exception:  # the device may already have closed the session; nothing to report
            pass
        result.timings["ssh_total"] = round(time.monotonic() - started, 3)
    return result


def _connect_error(e: Exception, where: str, username: str, timeout: float) -> str:
    from netmiko.exceptions import NetmikoAuthenticationException

    if isinstance(e, NetmikoAuthenticationException):
        return f"ssh {where}: authentication failed for user {username!r}"
    cause = e.__cause__ or e.__context__
    causes = [cause, *getattr(cause, "errors", {}).values()]  # paramiko's NoValidConnectionsError holds them
    text = f"{e} {' '.join(str(c) for c in causes if c)}"
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "Connection refused" in text:
        return f"ssh {where}: connection refused (is SSH enabled on that port?)"
    if "banner" in text.lower() or "No existing session" in text:  # TCP accepted, SSH handshake never came
        return (f"ssh {where}: timed out after {timeout:g}s waiting for the SSH banner "
                f"(the port accepts connections but nothing answers)")
    if isinstance(cause, (socket.timeout, TimeoutError)) or "timed out" in text.lower():
        return f"ssh {where}: timed out after {timeout:g}s connecting"
    if "Pattern not detected" in text or "ReadTimeout" in type(e).__name__:
        return f"ssh {where}: timed out after {timeout:g}s waiting for the prompt (unexpected prompt?)"
    return f"ssh {where}: {type(e).__name__}: {_first_line(e)}"


def _command_error(e: Exception, where: str, command: str, timeout: float) -> str:
    from netmiko.exceptions import ReadTimeout

    if isinstance(e, ReadTimeout):
        return (f"ssh {where}: timed out after {timeout:g}s waiting for the prompt after {command!r} "
                f"(unexpected prompt or a slow device)")
    if isinstance(e, (OSError, EOFError)) or "Socket is closed" in str(e):
        return f"ssh {where}: the device closed the session during {command!r}"
    return f"ssh {where}: {command!r} failed: {type(e).__name__}: {_first_line(e)}"


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
