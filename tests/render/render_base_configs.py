"""Realistic base running-configurations, one per platform, with the circuit port as a parameter."""

from __future__ import annotations

HUAWEI = """\
!Software Version V800R012C10SPC300
!Last configuration was updated at 2026-11-20 10:12:31+08:00 by admin
#
sysname acc-01
#
aaa
 authentication-scheme default
 domain default
 local-user admin service-type ssh
#
interface GigabitEthernet0/0/0
 undo shutdown
 ip address 192.0.2.11 255.255.255.0
#
interface {port}
 undo portswitch
 undo shutdown
 description TO-ALIYUN-circuit
#
interface LoopBack0
 ip address 10.255.0.1 255.255.255.255
#
snmp-agent
snmp-agent sys-info version v2c v3
#
user-interface vty 0 4
 authentication-mode aaa
 protocol inbound ssh
#
return
"""

CISCO_IOS = """\
Building configuration...

Current configuration : 2421 bytes
!
version 17.9
service timestamps log datetime msec
!
hostname acc-01
!
class-map match-any C-ALL
 match any
!
interface GigabitEthernet0
 vrf forwarding Mgmt-intf
 ip address 198.51.100.10 255.255.255.0
 negotiation auto
!
interface {port}
 description EC circuit
 no ip address
 negotiation auto
!
router bgp 65010
 bgp log-neighbor-changes
!
ip route 0.0.0.0 0.0.0.0 192.0.2.1
!
control-plane
!
line vty 0 4
 transport input ssh
!
end
"""

BASE = {"huawei": HUAWEI, "cisco_ios": CISCO_IOS}
CONFIG_COMMAND = {"huawei": "display current-configuration", "cisco_ios": "show running-config"}


def base_config(platform: str, port: str) -> str:
    return BASE[platform].format(port=port)
