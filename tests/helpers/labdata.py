"""The lab's data: secrets, device configurations, and helpers to write inventories for it."""

from __future__ import annotations

import socket
from pathlib import Path

import yaml

from helpers.platforms import PLATFORMS, case_text, config_command, lab
from helpers.rig import FakeDevices, SilentServer, SnmpAgents, free_port

USERNAME = "ecp-ops"
PASSWORD = "Pw-4u7rx9Zq"
ENABLE = "En-8k2qLmT"
# one lab device per platform with a `live` section in its lab.yaml, in the order of their names
LIVE = dict(sorted(((p, lab(p)["live"]) for p in PLATFORMS if "live" in lab(p)), key=lambda item: item[1]["device"]))
BY_DEVICE = {live["device"]: live for live in LIVE.values()}
SPARE_PLATFORM = "huawei"   # the platform of lab devices that serve nothing (hz-rej-03, a closed or silent port)
SECRETS = (PASSWORD, ENABLE, *(live["community"] for live in LIVE.values()))
ENV = {"ECPT_USER": USERNAME, "ECPT_PASSWORD": PASSWORD, "ECPT_ENABLE": ENABLE,
       **{live["community_env"]: live["community"] for live in LIVE.values()}}


def served_outputs(platform: str) -> dict[str, str]:
    """What the platform's lab device serves: command -> its parser case with the lab's edits and secrets."""
    live = LIVE[platform]
    values = {"{username}": USERNAME, "{password}": PASSWORD, "{enable}": ENABLE, "{community}": live["community"]}
    outputs = {}
    for command, spec in live["outputs"].items():
        text = case_text(platform, spec["case"])
        for old, new, *count in spec.get("edits", ()):     # [old, new] or [old, new, how many]
            for placeholder, value in values.items():
                new = new.replace(placeholder, value)
            text = text.replace(old, new, *count)
        outputs[command] = text
    return outputs


def config_of(platform: str) -> str:
    """The running configuration the platform's lab device serves."""
    return served_outputs(platform)[config_command(platform)]


# The lab devices by their names in tests (kept so tests read as before).
COMMUNITY_HZ, COMMUNITY_SH = BY_DEVICE["hz-acc-01"]["community"], BY_DEVICE["sh-acc-02"]["community"]
HZ_INTERFACES, SH_INTERFACES = BY_DEVICE["hz-acc-01"]["interfaces"], BY_DEVICE["sh-acc-02"]["interfaces"]


def lab_device_config(device: str) -> str:
    """The running configuration a lab device (by name) serves."""
    return config_of(next(p for p, live in LIVE.items() if live["device"] == device))


def huawei_config() -> str:      # the old names, kept for the tests that use them
    return lab_device_config("hz-acc-01")


def cisco_config() -> str:
    return lab_device_config("sh-acc-02")


# the interface commands they serve (counters when a device has no SNMP)
HZ_DISPLAY_INTERFACE = served_outputs("huawei")["display interface"]
SH_SHOW_INTERFACES = served_outputs("cisco_ios")["show interfaces"]


class Lab:
    def __init__(self, fake: FakeDevices, agents: SnmpAgents, silent: SilentServer):
        self.fake, self.agents, self.silent = fake, agents, silent
        self.closed_tcp = free_port()
        self.closed_udp = free_port(socket.SOCK_DGRAM)

    def device(self, name: str, **overrides) -> dict:
        """An inventory device entry for a lab device (overrides: host, port, snmp, credentials...)."""
        served = self.fake.devices.get(name)
        platform = served.platform if served else SPARE_PLATFORM
        entry = {"name": name, "host": "127.0.0.1", "platform": platform,
                 "role": "access", "port": served.port if served else self.closed_tcp,
                 # "cisco": the credentials with an enable secret (write_inventory)
                 "credentials": "cisco" if served and lab(platform)["live"]["enable"] else "default"}
        if name in self.agents.ports:
            env = BY_DEVICE[name]["community_env"]
            entry["snmp"] = {"version": "2c", "community_env": env, "port": self.agents.ports[name]}
        entry.update(overrides)
        return entry


def write_inventory(directory: Path, devices: list[dict]) -> Path:
    """A minimal valid inventory (contract section 2) for these devices."""
    doc = {
        "partner": {"name": "Lab Telecom", "carrier": "China Telecom", "site": "china", "account_id": "1234567890123456"},
        "devices": devices,
        "credentials": {
            "default": {"username_env": "ECPT_USER", "password_env": "ECPT_PASSWORD"},
            "cisco": {"username_env": "ECPT_USER", "password_env": "ECPT_PASSWORD", "secret_env": "ECPT_ENABLE"},
        },
        "circuits": [],
    }
    path = directory / "inventory.yaml"
    path.write_text("# lab inventory\n" + yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path
