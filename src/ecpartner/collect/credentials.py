"""Inventory credentials + environment -> what a collector logs in with (SshLogin, SnmpAuth).

Every command that reaches devices resolves secrets here, so `check --live`, `collect --record` and
`telemetry poll --live` name a missing variable and refuse a too-short secret alike. Each function raises
InputError listing every problem of that device at once, naming variables, never their values.
"""

from __future__ import annotations

from collections.abc import Mapping

from ecpartner.collect.snmp import SnmpAuth
from ecpartner.collect.ssh import SshLogin, short_secret
from ecpartner.errors import InputError
from ecpartner.inventory import Credentials, Device, Inventory


class _Environment:
    """Reads a device's variables, collecting every problem instead of stopping at the first."""

    def __init__(self, environ: Mapping[str, str], device: str):
        self.environ, self.device, self.problems = environ, device, []

    def get(self, variable: str | None, what: str, secret: bool = True) -> str:
        if not variable:
            self.problems.append(f"device {self.device}: no environment variable named for the {what}")
            return ""
        value = self.environ.get(variable)
        if value is None or value == "":
            self.problems.append(f"device {self.device}: environment variable {variable} ({what}) is not set")
            return ""
        refusal = short_secret(self.device, variable, what, value) if secret else None
        if refusal:
            self.problems.append(refusal)
        return value

    def checked(self, value):
        if self.problems:
            raise InputError(self.problems)
        return value


def device_credentials(inventory: Inventory, device: Device) -> Credentials:
    """The credential set a device logs in with. A recorded fleet needs none, so the inventory may leave them
    out: only a command that reaches devices asks, and a missing set is an InputError at the device's line."""
    index = list(inventory.devices).index(device.name) if device.name in inventory.devices else "?"
    where = f"{inventory.path}:{device.line}: devices[{index}].credentials"
    if device.credentials is None:
        raise InputError(f"{where}: device {device.name} has no 'credentials' key; reaching it (--live, collect) "
                         f"needs one, naming a set of the top-level 'credentials' section")
    cred = inventory.credentials.get(device.credentials)
    if cred is None:
        known = ", ".join(sorted(inventory.credentials))
        raise InputError(f"{where}: credentials {device.credentials!r} of device {device.name} are not defined "
                         + (f"(known: {known})" if known else "(the inventory has no 'credentials' section)")
                         + "; reaching it (--live, collect) needs them")
    return cred


def ssh_login(device: Device, credentials: Credentials, environ: Mapping[str, str]) -> SshLogin:
    """The SSH login; the enable secret is the password when the inventory names none."""
    env = _Environment(environ, device.name)
    username = env.get(credentials.username_env, "SSH username", secret=False)
    password = env.get(credentials.password_env, "SSH password")
    secret = env.get(credentials.secret_env, "enable secret") if credentials.secret_env else password
    return env.checked(SshLogin(username, password, secret))


def snmp_auth(device: Device, credentials: Credentials | None, environ: Mapping[str, str]) -> SnmpAuth | None:
    """v2c community or v3 user and keys; None for a device without SNMP settings."""
    if device.snmp is None:
        return None
    env = _Environment(environ, device.name)
    if device.snmp.version != "3":
        return env.checked(SnmpAuth(version="2c", community=env.get(device.snmp.community_env, "SNMP community")))
    v3 = credentials.snmp_v3 if credentials is not None else None
    if v3 is None:
        named = f"credentials {device.credentials}.snmp_v3" if device.credentials else "a 'credentials' key with snmp_v3"
        raise InputError(f"device {device.name}: SNMP v3 needs {named}")
    return env.checked(SnmpAuth(version="3", user=env.get(v3.user_env, "SNMPv3 user", secret=False),
                                auth_key=env.get(v3.auth_key_env, "SNMPv3 auth key"),
                                priv_key=env.get(v3.priv_key_env, "SNMPv3 priv key"),
                                auth_protocol=v3.auth_protocol, priv_protocol=v3.priv_protocol))
