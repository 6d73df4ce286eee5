"""The lab's data: secrets, device configurations, and helpers to write inventories for it."""

from __future__ import annotations

import socket
from pathlib import Path

import yaml

from rig import FakeDevices, SilentServer, SnmpAgents, free_port

PARSE_CASES = Path(__file__).resolve().parents[1] / "parse"

USERNAME = "ecp-ops"
PASSWORD = "Pw-4u7rx9Zq"
ENABLE = "En-8k2qLmT"
COMMUNITY_HZ = "hzComm-3f9a"
COMMUNITY_SH = "shComm-71bd"
SECRETS = (PASSWORD, ENABLE, COMMUNITY_HZ, COMMUNITY_SH)
ENV = {"ECPT_USER": USERNAME, "ECPT_PASSWORD": PASSWORD, "ECPT_ENABLE": ENABLE,
       "ECPT_COMMUNITY_HZ": COMMUNITY_HZ, "ECPT_COMMUNITY_SH": COMMUNITY_SH}


def huawei_config() -> str:
    text = (PARSE_CASES / "huawei" / "ne_subif_basic.txt").read_text(encoding="utf-8")
    # VRP shows the community as cipher text: the line must still be scrubbed
    return text.replace("snmp-agent\n", "snmp-agent\nsnmp-agent community read cipher %^%#kX8]Lq2=3S%^%# acl 2000\n", 1)


def cisco_config() -> str:
    text = (PARSE_CASES / "cisco_ios" / "router_subif_police_cir.txt").read_text(encoding="utf-8")
    # IOS without password-encryption prints these in clear text: the worst case for a recording
    text = text.replace("service password-encryption", "no service password-encryption")
    text = text.replace("username admin privilege 15 secret 9 <removed>",
                        f"username admin privilege 15 secret 9 $9$mQ2aLr0pQw$Zz1\nusername {USERNAME} password 0 {PASSWORD}")
    text = text.replace("snmp-server community <COMMUNITY> RO", f"snmp-server community {COMMUNITY_SH} RO")
    return text.replace("hostname sh-acc-02", "hostname sh-acc-02\nenable password " + ENABLE)


HZ_INTERFACES = ["GigabitEthernet0/0/0", "GigabitEthernet0/0/1", "GigabitEthernet0/0/1.100",
                 "GigabitEthernet0/0/2", "LoopBack0", "NULL0"]
SH_INTERFACES = ["GigabitEthernet0/0/0", "GigabitEthernet0/0/1", "GigabitEthernet0/0/1.100",
                 "GigabitEthernet0/0/2", "GigabitEthernet0"]


class Lab:
    def __init__(self, fake: FakeDevices, agents: SnmpAgents, silent: SilentServer):
        self.fake, self.agents, self.silent = fake, agents, silent
        self.closed_tcp = free_port()
        self.closed_udp = free_port(socket.SOCK_DGRAM)

    def device(self, name: str, **overrides) -> dict:
        """An inventory device entry for a lab device (overrides: host, port, snmp, credentials...)."""
        served = self.fake.devices.get(name)
        entry = {"name": name, "host": "127.0.0.1", "platform": served.platform if served else "huawei",
                 "role": "access", "port": served.port if served else self.closed_tcp,
                 "credentials": "cisco" if served and served.platform == "cisco_ios" else "default"}
        if name in self.agents.ports:
            env = "ECPT_COMMUNITY_HZ" if name.startswith("hz") else "ECPT_COMMUNITY_SH"
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
