"""A small recorded fleet on disk (contract sections 2 and 3) for command-line tests of render and plan."""

from __future__ import annotations

from pathlib import Path

from ecpartner.collect.fixtures import command_slug
from ecpartner.inventory_loader import load_inventory
from ecpartner.parse import build_state
from ecpartner.render import render_fleet

from helpers.platforms import base_config, config_command
from helpers.render_device_apply import apply

INVENTORY = """\
partner:
  name: Example Telecom
  carrier: China Telecom
  site: china
  account_id: "1234567890123456"
  permission:
    valid_from: 2020-01-01T00:00:00+08:00
    valid_until: 2099-01-01T00:00:00+08:00
devices:
  - {name: hz-acc-01, host: 192.0.2.11, platform: huawei, role: access, credentials: default}
  - {name: sh-acc-01, host: 192.0.2.21, platform: cisco_ios, role: access, credentials: default}
credentials:
  default: {username_env: ECP_USERNAME, password_env: ECP_PASSWORD}
circuits:
  - {id: pc-hz01, region: cn-hangzhou, access_point: ap-cn-hangzhou-yh-B, capacity: 1G, device: hz-acc-01, interface: GigabitEthernet0/0/1}
  - {id: pc-sh01, region: cn-shanghai, access_point: ap-cn-shanghai-zj-A, capacity: 10G, device: sh-acc-01, interface: TenGigabitEthernet0/1/0}
tenants:
  - {account_id: "1987654321098765", name: Acme, site: china, users: 2}
  - {account_id: "1100000000000002", name: Beta Logistics, site: china}
hosted_connections:
  - {id: pc-hc01, circuit: pc-hz01, tenant: "1987654321098765", vlan: 100, bandwidth: 200M, status: enabled, address: 10.100.0.1/30}
  - {id: pc-hc02, circuit: pc-hz01, tenant: "1100000000000002", vlan: 101, bandwidth: 500M, status: disabled}
  - {id: pc-hc03, circuit: pc-sh01, tenant: "1100000000000002", vlan: 0, bandwidth: 1G, status: enabled, address: 10.200.0.1/30}
"""

def make_fleet(root: Path) -> Path:
    """inventory.yaml plus devices/<name>/<slug>.txt: each device configured by our own render."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "inventory.yaml"
    path.write_text(INVENTORY)
    inventory = load_inventory(path)
    files = render_fleet(inventory, action="create")
    for circuit in inventory.circuits.values():     # one circuit per device: its port is the base config's
        device, platform = circuit.device, inventory.devices[circuit.device].platform
        folder = root / "devices" / device
        folder.mkdir(parents=True)
        config = apply(platform, base_config(platform, circuit.interface), files[device])
        (folder / f"{command_slug(config_command(platform))}.txt").write_text(config)
        interfaces = build_state(device, platform, {config_command(platform): config}).interfaces
        (root / "snmp").mkdir(exist_ok=True)
        (root / "snmp" / f"{device}.snmprec").write_text(snmprec(sorted(interfaces)))
    return path


HC_COLUMNS = (6, 7, 8, 9, 10, 11, 12, 13)      # ifHCIn/OutOctets and unicast/multicast/broadcast packets
IF_COLUMNS = (13, 14, 19, 20)                  # ifIn/OutDiscards, ifIn/OutErrors


def snmprec(names: list[str]) -> str:
    """An IF-MIB walk in snmpsim's format: every interface readable (monitoring data is runtime, not config)."""
    lines = ["1.3.6.1.2.1.1.3.0|67|5555555"]
    for index, name in enumerate(names, start=1):
        lines.append(f"1.3.6.1.2.1.31.1.1.1.1.{index}|4|{name}")
        lines += [f"1.3.6.1.2.1.31.1.1.1.{col}.{index}|70|{1000 * col}" for col in HC_COLUMNS]
        lines += [f"1.3.6.1.2.1.2.2.1.{col}.{index}|65|0" for col in IF_COLUMNS]
    return "\n".join(sorted(lines, key=lambda l: [int(x) for x in l.split("|")[0].split(".")])) + "\n"
