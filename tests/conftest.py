from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from helpers.labdata import ENABLE, LIVE, PASSWORD, SPARE_PLATFORM, USERNAME, Lab, served_outputs
from helpers.rig import FakeDevices, Served, SilentServer, SnmpAgents, snmprec_for

# CI replays the same examples every run (a red build is always reproducible); locally every run explores anew.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).parents[1]


@pytest.fixture
def demo_inventory() -> Path:
    return ROOT / "fixtures" / "demo" / "inventory.yaml"


@pytest.fixture
def clean_inventory() -> Path:
    return ROOT / "fixtures" / "clean" / "inventory.yaml"


def pytest_collection_modifyitems(items):
    """A test that uses the lab (servers on 127.0.0.1) is a `live` test: `pytest -m "not live"` skips it."""
    for item in items:
        if "lab" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.live)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A small lab on 127.0.0.1: FakeNOS devices, snmpsim agents, a silent TCP server; once per session.

    One device per platform with a `live` section in tests/platforms/<platform>/lab.yaml, serving realistic
    configurations (parser cases) with the lab's own secrets written into them, so tests can prove those
    secrets never come out of ecpartner; plus hz-rej-03, which answers every command with its error.
    """
    devices = [Served(live["device"], platform, served_outputs(platform), USERNAME, PASSWORD,
                      ENABLE if live["enable"] else None) for platform, live in LIVE.items()]
    devices.append(Served("hz-rej-03", SPARE_PLATFORM, {}, USERNAME, PASSWORD))   # answers its platform's error
    walks = {live["device"]: (live["community"], snmprec_for(live["interfaces"], speed_mbps=live["speed_mbps"]))
             for live in LIVE.values()}
    with FakeDevices(devices) as fake, SnmpAgents(walks, tmp_path_factory.mktemp("snmpsim")) as agents, \
            SilentServer() as silent:
        yield Lab(fake, agents, silent)
