"""Build a synthetic recorded fleet with devices of every platform that has a folder, in the fixture layout.

python bench/make_mixed_fleet.py OUT_DIR [--devices-per-platform 20] [--connections 12000]

No platform is written out here: each device's running configuration is the platform's realistic test
configuration (tests/platforms/<platform>/render/base.cfg, with its one circuit port) with the project's own
`render --action create` of its connections applied the way the device saves pasted configuration
(tests/helpers/render_device_apply.py). A new platform folder joins the fleet with no change to this file.
Every connection is configured, monitored and limited as ecpartner renders it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
from ecpartner.collect.fixtures import command_slug  # noqa: E402
from ecpartner.collect.snmprec import format_snmprec  # noqa: E402
from ecpartner.inventory_loader import load_inventory  # noqa: E402
from ecpartner.parse import build_state  # noqa: E402
from ecpartner.render import render_fleet  # noqa: E402
from helpers.platforms import PLATFORMS, base_config, config_command, lab  # noqa: E402
from helpers.render_device_apply import apply  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from make_fleet import snmp_walk  # noqa: E402  (full names: every platform matches ifName exactly)

SPECS = ["50M", "100M", "200M", "300M", "500M"]


def write_inventory(out: Path, devices_per_platform: int, connections: int,
                    platforms: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """The inventory of the fleet, one circuit per device (base.cfg has one port); device -> (platform, port)."""
    per_circuit = connections // (len(platforms) * devices_per_platform)
    inv = ["partner:", "  name: Bench Telecom", "  carrier: China Telecom", "  site: china",
           '  account_id: "1234567890123456"', "devices:"]
    circuits, tenants, hcs = ["circuits:"], ["tenants:"], ["hosted_connections:"]
    devices: dict[str, tuple[str, str]] = {}
    n = 0
    for platform in platforms:
        ports = lab(platform)["render"]["ports"]
        for d in range(devices_per_platform):
            name, port = f"{platform.replace('_', '-')}-{d:03d}", ports[d % len(ports)]
            devices[name] = (platform, port)
            inv.append(f"  - {{name: {name}, host: 192.0.2.{len(devices) % 250 + 1}, platform: {platform}, "
                       f"role: access, credentials: default, snmp: {{version: 2c, community_env: ECP_SNMP_COMMUNITY}}}}")
            circuits.append(f"  - {{id: pc-{name}, region: cn-region-{d // 2 % 10}, access_point: ap-{d // 2 % 10}-{d % 2}, "
                            f"capacity: 100G, device: {name}, interface: '{port}'}}")
            for v in range(per_circuit):
                tenant = f"1{n:015d}"
                tenants.append(f'  - {{account_id: "{tenant}", name: Tenant {n}, site: china}}')
                hcs.append(f'  - {{id: pc-hc{n:06d}, circuit: pc-{name}, tenant: "{tenant}", vlan: {100 + v}, '
                           f'bandwidth: {SPECS[n % len(SPECS)]}, status: enabled}}')
                n += 1
    inv += ["credentials:", "  default: {username_env: ECP_USERNAME, password_env: ECP_PASSWORD}"]
    out.mkdir(parents=True, exist_ok=True)
    (out / "inventory.yaml").write_text("\n".join(inv + circuits + tenants + hcs) + "\n")
    return devices


def build(out: Path, devices_per_platform: int = 20, connections: int = 12000,
          platforms: tuple[str, ...] = PLATFORMS) -> None:
    devices = write_inventory(out, devices_per_platform, connections, platforms)
    rendered = render_fleet(load_inventory(out / "inventory.yaml"), action="create")
    (out / "snmp").mkdir(exist_ok=True)
    for name, (platform, port) in devices.items():
        config = apply(platform, base_config(platform, port), rendered[name])
        command = config_command(platform)
        device_dir = out / "devices" / name
        device_dir.mkdir(parents=True, exist_ok=True)
        (device_dir / f"{command_slug(command)}.txt").write_text(config)
        interfaces = list(build_state(name, platform, {command: config}).interfaces)
        (out / "snmp" / f"{name}.snmprec").write_text(format_snmprec(snmp_walk(interfaces, short=False)))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--devices-per-platform", type=int, default=20)
    ap.add_argument("--connections", type=int, default=12000)
    a = ap.parse_args()
    build(a.out, a.devices_per_platform, a.connections)
