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
from collections.abc import Callable
from dataclasses import dataclass, field

from ecpartner.logsetup import REDACT, REMOVED
from ecpartner.platforms import platform_spec, vocabulary
from ecpartner.state import Collected

log = logging.getLogger(__name__)


_REJECTED_SCAN_LINES = 6     # a refusal is among the first lines of the answer (the platform's session.rejected)


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


# Scrubbing. The vocabulary is vendor knowledge: each platform's `secrets:` section of
# templates/<platform>/commands.yaml (see the comments there), read by ecpartner.platforms. This is only the engine.
MIN_SECRET_LENGTH = 4   # every literal secret in play is replaced in device output: 'p' would rewrite every p
_TOKENS = re.compile(r"(\s+)")


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


def rejection(output: str, platform: str) -> str | None:
    """The device's error line when it refused a command (the platform's `session.rejected`), else None."""
    rejected = platform_spec(platform).session.rejected
    for line in output.strip().splitlines()[:_REJECTED_SCAN_LINES]:
        if rejected.match(line):
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

    def __init__(self, timeout: float, commands: int, on_step: Callable[[str], None] | None = None):
        self.timeout = timeout
        self.on_step = on_step          # hears each step as it begins (a progress display)
        self.budget = device_budget(timeout, commands)
        self.started = self.since = time.monotonic()
        self.step, self.limit = "connect", 2 * timeout
        self.conn = None
        self.abandoned = False

    def enter(self, step: str) -> None:
        self.step, self.limit, self.since = step, self.timeout, time.monotonic()
        if self.on_step is not None and not self.abandoned:
            self.on_step(step)

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
            # read each answer only after the device echoed the command: without it (netmiko turns it off for
            # some platforms) a prompt left over from session preparation ends the read early, empty
            global_cmd_verify=True,
        )
    except Exception as e:  # netmiko wraps socket/paramiko errors; classify them for a person
        result.error = _connect_error(e, where, login.username, timeout)
        result.timings["connect"] = round(time.monotonic() - started, 3)
        return result
    watch.conn = conn
    try:
        result.timings["connect"] = round(time.monotonic() - started, 3)
        if platform_spec(platform).session.enable:   # never where netmiko's enable() enters a configuration view
            step = time.monotonic()
            watch.enter("enable")
            try:
                conn.enable()  # Cisco: needs `secret`
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
            refused = rejection(output, platform)
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
