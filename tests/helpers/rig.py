"""Real devices on 127.0.0.1 for live-collection tests: FakeNOS (SSH) and snmpsim (SNMP) started here.

- `FakeDevices`: one FakeNOS host per device, serving given command outputs with the platform's real
  prompts, error answer and enable step (tests/platforms/<platform>/lab.yaml `live`): e.g. a command
  that answers only after `enable` with the right secret. Every command a device
  receives is appended to `FakeDevices.seen` as (device, prompt, command), so tests can prove the
  collector stayed read-only and turned paging off.
- `SnmpAgents`: one snmpsim process per device (snmpsim picks its data by community, and a fleet often
  shares one community), each serving `<community>.snmprec` on its own UDP port.
- `serve_fleet(fleet_dir, ...)`: both for a recorded fleet (contract section 3), plus a copy of its
  inventory pointing at them: what `check --live` end-to-end tests need.
- `SilentServer`: accepts TCP connections and never says a word.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ecpartner.collect.fixtures import command_slug
from ecpartner.collect.snmp import SnmpAuth, SnmpError, snmp_walk_sync
from ecpartner.platforms import platform_commands

from helpers.platforms import lab

SNMPSIM = Path(sys.executable).with_name("snmpsim-command-responder")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    """One fake device: what it answers, and who may log in."""
    name: str
    platform: str                       # ecpartner platform: a folder of tests/platforms/
    outputs: dict[str, str]             # command -> text
    username: str
    password: str
    secret: str | None = None           # enable secret where the platform has an enable step (None: the password)
    port: int = field(default_factory=free_port)


class FakeDevices:
    """FakeNOS hosts for `Served` devices; a context manager (start/stop)."""

    def __init__(self, devices: list[Served]):
        self.devices = {d.name: d for d in devices}
        self.seen: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._net = None

    def _recorded(self, text: str):
        """A FakeNOS output callable: logs the command, returns the text."""
        def output(_device, base_prompt: str, current_prompt: str, command: str, **_kw) -> str:
            with self._lock:
                self.seen.append((base_prompt, current_prompt, command))
            return text
        return output

    def commands_seen(self, device: str) -> list[str]:
        return [c for d, _p, c in self.seen if d == device]

    def _commands(self, d: Served) -> dict:
        """FakeNOS commands of one device: the platform's session commands, its enable step, its outputs."""
        live = lab(d.platform)["live"]
        prompts = live["prompts"]

        def entry(spec: dict) -> dict:
            out = {"prompt": [prompts[p] for p in spec["prompt"]]}
            out["output"] = self._recorded(spec["output"]) if isinstance(spec["output"], str) else spec["output"]
            if "new_prompt" in spec:
                out["new_prompt"] = prompts[spec["new_prompt"]]
            return out

        cmds = {command: entry(spec) for command, spec in live["session"].items()}
        if live["enable"]:
            cmds[d.secret or d.password] = entry({"output": "", "new_prompt": live["enable"]["new_prompt"],
                                                  "prompt": [live["enable"]["answer_at"]]})
        for command, text in d.outputs.items():
            cmds[command] = {"output": self._recorded(text), "prompt": [prompts[p] for p in live["command_prompts"]]}
        return cmds

    def __enter__(self) -> FakeDevices:
        from fakenos import FakeNOS

        platforms = sorted({d.platform for d in self.devices.values()})
        plugins = [{"name": f"ecp_{p}", "initial_prompt": lab(p)["live"]["prompts"][lab(p)["live"]["initial_prompt"]],
                    "commands": {"_default_": {"output": lab(p)["live"]["error"]}}} for p in platforms]
        hosts = {}
        for d in self.devices.values():
            hosts[d.name] = {"username": d.username, "password": d.password, "port": d.port,
                             "nos": {"plugin": f"ecp_{d.platform}", "configuration": {"commands": self._commands(d)}}}
        self._net = FakeNOS(inventory={"hosts": hosts}, plugins=plugins)
        self._net.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._net is not None:
            self._net.stop()


class SnmpAgents:
    """One snmpsim command responder per device: {device: port}; waits until every agent answers."""

    def __init__(self, walks: dict[str, tuple[str, str]], workdir: Path, v3: tuple[str, str, str] | None = None):
        self.walks = walks                  # device -> (community, snmprec text)
        self.workdir = workdir
        self.v3 = v3                        # (user, SHA auth key, AES priv key): also answer SNMPv3 authPriv
        self.ports: dict[str, int] = {}
        self._procs: list[subprocess.Popen] = []

    def __enter__(self) -> SnmpAgents:
        env = {**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}
        for device, (community, text) in self.walks.items():
            data = self.workdir / device / "data"
            data.mkdir(parents=True)
            (data / f"{community}.snmprec").write_text(text, encoding="utf-8")
            port = free_port(socket.SOCK_DGRAM)
            self.ports[device] = port
            v3 = []
            if self.v3:
                user, auth_key, priv_key = self.v3
                v3 = [f"--v3-user={user}", f"--v3-auth-key={auth_key}", "--v3-auth-proto=SHA",
                      f"--v3-priv-key={priv_key}", "--v3-priv-proto=AES"]
            self._procs.append(subprocess.Popen(
                [str(SNMPSIM), f"--data-dir={data}", f"--cache-dir={self.workdir / device / 'cache'}",
                 f"--agent-udpv4-endpoint=127.0.0.1:{port}", "--logging-method=null", *v3],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        try:
            for device, (community, _text) in self.walks.items():
                self._wait(device, community)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait(self, device: str, community: str, within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            with contextlib.suppress(SnmpError):
                snmp_walk_sync("127.0.0.1", self.ports[device], SnmpAuth(community=community),
                               oids=("1.3.6.1.2.1.1.3",), timeout=0.3, retries=0)
                return
        raise RuntimeError(f"snmpsim for {device} did not answer on 127.0.0.1:{self.ports[device]} within {within}s")

    def __exit__(self, *exc) -> None:
        for proc in self._procs:
            proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()


class SilentServer:
    """A TCP server that accepts connections and never answers (a hung SSH daemon)."""

    def __init__(self):
        self.port = free_port()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", self.port))
        self._clients: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            with contextlib.suppress(OSError):
                client, _ = self._sock.accept()
                self._clients.append(client)  # held open, silent

    def __enter__(self) -> SilentServer:
        self._sock.listen()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        for c in self._clients:
            c.close()
        self._sock.close()


def snmprec_for(interfaces: list[str], uptime: int = 98765432, speed_mbps: int = 1000, counter_bits: int = 64) -> str:
    """A realistic IF-MIB walk with counters that grow while the agent runs (snmpsim `numeric`).
    counter_bits=32: an old agent without ifXTable (ifDescr, ifSpeed and the 32-bit ifTable counters only)."""
    records: list[tuple[str, str, str]] = [("1.3.6.1.2.1.1.3.0", "67:numeric", f"rate=100,initial={uptime}")]
    for index, name in enumerate(interfaces, 1):
        if counter_bits == 32:
            for column, tag, value in (
                    ("2", "4", name), ("5", "66", str(speed_mbps * 10**6)), ("10", "65:numeric", "rate=125000,initial=1000"),
                    ("11", "65:numeric", "rate=100,initial=10"), ("13", "65", "0"), ("14", "65", "0"),
                    ("16", "65:numeric", "rate=250000,initial=2000"), ("17", "65:numeric", "rate=200,initial=20"),
                    ("19", "65", str(index)), ("20", "65", "0")):
                records.append((f"1.3.6.1.2.1.2.2.1.{column}.{index}", tag, value))
            continue
        for column, tag, value in (
                ("1.3.6.1.2.1.2.2.1.2", "4", name), ("1.3.6.1.2.1.2.2.1.7", "2", "1"),
                ("1.3.6.1.2.1.2.2.1.8", "2", "1"), ("1.3.6.1.2.1.2.2.1.13", "65", "0"),
                ("1.3.6.1.2.1.2.2.1.14", "65", "0"), ("1.3.6.1.2.1.2.2.1.19", "65", str(index)),
                ("1.3.6.1.2.1.2.2.1.20", "65", "0"), ("1.3.6.1.2.1.31.1.1.1.1", "4", name),
                ("1.3.6.1.2.1.31.1.1.1.15", "66", str(speed_mbps))):
            records.append((f"{column}.{index}", tag, value))
        for column, rate in ((6, 1250000), (7, 1000), (8, 10), (9, 5), (10, 2500000), (11, 2000), (12, 10), (13, 5)):
            records.append((f"1.3.6.1.2.1.31.1.1.1.{column}.{index}", "70:numeric",
                            f"rate={rate},initial={1000000 * column + index}"))
    records.sort(key=lambda r: tuple(int(p) for p in r[0].split(".")))
    return "".join(f"{oid}|{tag}|{value}\n" for oid, tag, value in records)


@contextlib.contextmanager
def serve_fleet(fleet_dir: Path, workdir: Path, username: str, password: str, community: str,
                secret: str | None = None):
    """Serve a recorded fleet live: FakeNOS for devices/<name>/, snmpsim for snmp/<name>.snmprec.

    Yields (inventory_path, fake_devices, snmp_agents): a copy of the fleet's inventory whose devices
    point at 127.0.0.1 and the right ports. The environment variables the inventory names must be set
    by the caller to `username`, `password`, `community` (and `secret`).
    """
    inventory = yaml.safe_load((fleet_dir / "inventory.yaml").read_text(encoding="utf-8"))
    served, walks = [], {}
    for device in inventory["devices"]:
        name, platform = device["name"], device["platform"]
        outputs = {}
        for command in platform_commands(platform):
            path = fleet_dir / "devices" / name / f"{command_slug(command)}.txt"
            if path.is_file():
                outputs[command] = path.read_text(encoding="utf-8")
        served.append(Served(name, platform, outputs, username, password, secret))
        snmp_path = fleet_dir / "snmp" / f"{name}.snmprec"
        if device.get("snmp") is not None and snmp_path.is_file():
            walks[name] = (community, snmp_path.read_text(encoding="utf-8"))
    with FakeDevices(served) as fake, SnmpAgents(walks, workdir) as agents:
        for device in inventory["devices"]:
            device["host"], device["port"] = "127.0.0.1", fake.devices[device["name"]].port
            if device.get("snmp") is not None:
                # a device without a recorded walk gets a closed port: the live run finds it unreachable
                device["snmp"]["port"] = agents.ports.get(device["name"], free_port(socket.SOCK_DGRAM))
        live_dir = Path(tempfile.mkdtemp(dir=workdir, prefix="live-"))
        path = live_dir / "inventory.yaml"
        path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
        yield path, fake, agents
