"""Build a synthetic recorded fleet of realistic size in the fixture layout (contract section 3).

python bench/make_fleet.py OUT_DIR [--devices 100] [--circuits-per-device 2] [--connections 20000] [--arp-per-interface]
Half the devices are Huawei VRP, half Cisco IOS-XE; every connection is configured, monitored and limited,
so the fleet exercises the full parse and rule path rather than short-circuiting on errors.
--arp-per-interface makes every device a Huawei S-series with an `arp anti-attack rate-limit` on each
subinterface (one ARP limit per connection: the shape where scanning every limit per connection is quadratic).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from ecpartner.collect.snmprec import format_snmprec  # noqa: E402

SPECS = [("50M", 50_000), ("100M", 100_000), ("200M", 200_000), ("300M", 300_000), ("500M", 500_000)]


def huawei_config(name, ports, arp_per_interface=False):
    lines = ["!Software Version V800R012C10SPC300", "#", f"sysname {name}", "#",
             "arp speed-limit source-ip maximum 1", "#", "icmp rate-limit enable",
             "icmp rate-limit total threshold 1000", "#"]
    for port, conns in ports:
        lines += [f"interface {port}", " undo portswitch", " undo shutdown", "#"]
        for vlan, hc_id, tenant, (_, kbps) in conns:
            lines += [f"interface {port}.{vlan}", f" vlan-type dot1q {vlan}",
                      f" description HC {hc_id} tenant {tenant}",
                      f" ip address 10.{vlan // 250}.{vlan % 250}.1 255.255.255.252", " statistic enable",
                      f" qos car cir {kbps} cbs {kbps * 188} green pass red discard inbound",
                      f" qos car cir {kbps} cbs {kbps * 188} green pass red discard outbound"]
            if arp_per_interface:
                lines += [" arp anti-attack rate-limit enable", " arp anti-attack rate-limit packet 1 interval 1"]
            lines.append("#")
    return "\n".join(lines + ["return", ""])


def cisco_config(name, ports):
    lines = ["Building configuration...", "", "Current configuration : 99999 bytes", "!", "version 17.9", "!",
             f"hostname {name}", "!", "ip access-list extended COPP-ICMP", " permit icmp any any echo", "!",
             "class-map match-any COPP-ARP", " match protocol arp", "class-map match-any COPP-ICMP",
             " match access-group name COPP-ICMP", "!"]
    for spec, kbps in SPECS:
        lines += [f"policy-map ECP-{spec}", " class class-default",
                  f"  police cir {kbps * 1000} bc {kbps * 1000 // 32} conform-action transmit  exceed-action drop"]
    users = sum(len(c) for _, c in ports)
    lines += ["policy-map COPP", " class COPP-ARP", f"  police rate {users} pps", " class COPP-ICMP",
              "  police rate 1000 pps", "!"]
    for port, conns in ports:
        lines += [f"interface {port}", " no ip address", "!"]
        for vlan, hc_id, tenant, (spec, _) in conns:
            lines += [f"interface {port}.{vlan}", f" description HC {hc_id} tenant {tenant}",
                      f" encapsulation dot1Q {vlan}", f" ip address 10.{vlan // 250}.{vlan % 250}.1 255.255.255.252",
                      f" service-policy input ECP-{spec}", f" service-policy output ECP-{spec}", "!"]
    lines += ["control-plane", " service-policy input COPP", "!", "end", ""]
    return "\n".join(lines)


def snmp_walk(names, short):
    walk = {"1.3.6.1.2.1.1.3.0": ("67", "123456789")}
    for index, name in enumerate(names, 1):
        walk[f"1.3.6.1.2.1.2.2.1.2.{index}"] = ("4", name)
        walk[f"1.3.6.1.2.1.31.1.1.1.1.{index}"] = ("4", name.replace("TenGigabitEthernet", "Te") if short else name)
        for column in (13, 14, 19, 20):
            walk[f"1.3.6.1.2.1.2.2.1.{column}.{index}"] = ("65", str(index))
        for column in range(6, 14):
            walk[f"1.3.6.1.2.1.31.1.1.1.{column}.{index}"] = ("70", str(10**9 + index * column))
        walk[f"1.3.6.1.2.1.31.1.1.1.15.{index}"] = ("66", "10000")
    return walk


def build(out: Path, devices: int, circuits_per_device: int, connections: int,
          arp_per_interface: bool = False) -> None:
    per_circuit = connections // (devices * circuits_per_device)
    inv = ["partner:", "  name: Bench Telecom", "  carrier: China Telecom", "  site: china",
           '  account_id: "1234567890123456"', "devices:"]
    circuits, tenants, hcs = ["circuits:"], ["tenants:"], ["hosted_connections:"]
    n = 0
    for d in range(devices):
        huawei = arp_per_interface or d % 2 == 0
        name = f"acc-{d:03d}"
        inv += [f"  - {{name: {name}, host: 192.0.2.{d % 250 + 1}, platform: {'huawei' if huawei else 'cisco_ios'}, "
                f"role: access, credentials: default, snmp: {{version: 2c, community_env: ECP_SNMP_COMMUNITY}}}}"]
        ports = []
        for c in range(circuits_per_device):
            port = f"XGigabitEthernet0/0/{c + 1}" if huawei else f"TenGigabitEthernet0/1/{c}"
            cid = f"pc-{d:03d}-{c}"
            circuits.append(f"  - {{id: {cid}, region: cn-region-{d % 10}, access_point: ap-{d % 10}-{c}, "
                            f"capacity: 100G, device: {name}, interface: {port}}}")
            conns = []
            for v in range(per_circuit):
                vlan, spec = 100 + v, SPECS[n % len(SPECS)]
                tenant = f"1{n:015d}"
                hc_id = f"pc-hc{n:06d}"
                tenants.append(f'  - {{account_id: "{tenant}", name: Tenant {n}, site: china}}')
                hcs.append(f'  - {{id: {hc_id}, circuit: {cid}, tenant: "{tenant}", vlan: {vlan}, '
                           f'bandwidth: {spec[0]}, status: enabled}}')
                conns.append((vlan, hc_id, tenant, spec))
                n += 1
            ports.append((port, conns))
        device_dir = out / "devices" / name
        device_dir.mkdir(parents=True, exist_ok=True)
        if huawei:
            (device_dir / "display_current_configuration.txt").write_text(huawei_config(name, ports, arp_per_interface))
        else:
            (device_dir / "show_running_config.txt").write_text(cisco_config(name, ports))
        names = [p for p, _ in ports] + [f"{p}.{v}" for p, conns in ports for v, *_ in conns]
        (out / "snmp").mkdir(exist_ok=True)
        (out / "snmp" / f"{name}.snmprec").write_text(format_snmprec(snmp_walk(names, short=not huawei)))
    inv += ["credentials:", "  default: {username_env: ECP_USERNAME, password_env: ECP_PASSWORD}"]
    (out / "inventory.yaml").write_text("\n".join(inv + circuits + tenants + hcs) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--devices", type=int, default=100)
    ap.add_argument("--circuits-per-device", type=int, default=2)
    ap.add_argument("--connections", type=int, default=20000)
    ap.add_argument("--arp-per-interface", action="store_true")
    a = ap.parse_args()
    build(a.out, a.devices, a.circuits_per_device, a.connections, a.arp_per_interface)
