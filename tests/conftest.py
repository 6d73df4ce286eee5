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

# alibabacloud-credentials reads these when first imported: no test may ever ask the ECS metadata service
# (an address off this machine) for a RAM role, whatever the environment it runs in
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"


@pytest.fixture
def demo_inventory() -> Path:
    return ROOT / "fixtures" / "demo" / "inventory.yaml"


@pytest.fixture
def clean_inventory() -> Path:
    return ROOT / "fixtures" / "clean" / "inventory.yaml"


@pytest.fixture
def edited_platform(tmp_path, monkeypatch):
    """edit(name, change, like="huawei"): templates/<like>/ copied to a temporary templates folder as
    templates/<name>/, its commands.yaml document passed through change(doc); the temporary folder is the
    templates folder (and no platform is cached) until the test ends."""
    import shutil

    import yaml

    from ecpartner import platforms

    real, templates = platforms.templates_dir(), tmp_path / "templates"

    def edit(name: str, change, like: str = "huawei") -> Path:
        folder = templates / name
        shutil.copytree(real / like, folder)
        path = folder / "commands.yaml"
        doc = change(yaml.safe_load(path.read_text(encoding="utf-8")))
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return path

    templates.mkdir()
    shutil.copy(real / "platforms.yaml", templates / "platforms.yaml")
    monkeypatch.setattr(platforms, "templates_dir", lambda: templates)
    platforms.platform_spec.cache_clear()
    platforms.known_platforms.cache_clear()
    yield edit
    platforms.platform_spec.cache_clear()
    platforms.known_platforms.cache_clear()


@pytest.fixture
def unsupported_platform(tmp_path, monkeypatch):
    """A platform name the inventory accepts but no templates/<platform>/ folder backs: the real templates
    copied, their platforms.yaml listing one more name. Once every contract platform has a folder, this is
    how a test still meets a device that is "not supported yet"."""
    import shutil

    import yaml

    from ecpartner import platforms

    templates = tmp_path / "templates-unsupported"
    shutil.copytree(platforms.templates_dir(), templates)
    doc = yaml.safe_load((templates / "platforms.yaml").read_text(encoding="utf-8"))
    doc["names"].append("acme_os")
    (templates / "platforms.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    monkeypatch.setattr(platforms, "templates_dir", lambda: templates)
    platforms.platform_spec.cache_clear()
    platforms.known_platforms.cache_clear()
    platforms._has_spec.cache_clear()
    yield "acme_os"
    platforms.platform_spec.cache_clear()
    platforms.known_platforms.cache_clear()
    platforms._has_spec.cache_clear()


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


@pytest.fixture(autouse=True)
def _fresh_ifindex_maps():
    """A live poll keeps each device's learned ifIndex map for the process: every test starts without."""
    from ecpartner.telemetry.snmp_poll import forget_maps

    forget_maps()
    yield
    forget_maps()
