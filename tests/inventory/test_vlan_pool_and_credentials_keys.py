"""Inventory extensions: `vlan_pool` / `reserved_vlans` (circuit and partner) are validated at load with
file:line; `credentials` may be left out of an inventory of a recorded fleet."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecpartner.errors import InputError
from ecpartner.inventory_loader import load_inventory

BASE = """\
partner:
  name: Example Telecom
  carrier: China Telecom
  site: china
  account_id: "1234567890123456"
  {partner_extra}
devices:
  - {{name: acc-01, host: 192.0.2.11, platform: huawei, role: access{device_extra}}}
{credentials}circuits:
  - id: pc-a
    region: cn-hangzhou
    access_point: ap-cn-hangzhou-yh-B
    capacity: 10G
    device: acc-01
    interface: GigabitEthernet0/0/1
    {circuit_extra}
"""
CREDENTIALS = "credentials:\n  default: {username_env: ECP_USERNAME, password_env: ECP_PASSWORD}\n"


def inventory(tmp_path: Path, partner_extra="", circuit_extra="", device_extra="", credentials="") -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(BASE.format(partner_extra=partner_extra, circuit_extra=circuit_extra,
                                device_extra=device_extra, credentials=credentials))
    return path


def load_error(path: Path) -> list[str]:
    with pytest.raises(InputError) as e:
        load_inventory(path)
    return e.value.messages


def test_pool_and_reserved_vlans_are_read_as_ranges(tmp_path):
    inv = load_inventory(inventory(tmp_path, partner_extra='vlan_pool: "100-199, 300"\n  reserved_vlans: [150, "160-169"]',
                                   circuit_extra="vlan_pool: 1-99\n    reserved_vlans: 5"))
    assert inv.partner.vlan_pool == ((100, 199), (300, 300))
    assert inv.partner.reserved_vlans == ((150, 150), (160, 169))
    assert inv.circuits["pc-a"].vlan_pool == ((1, 99),) and inv.circuits["pc-a"].reserved_vlans == ((5, 5),)


def test_an_empty_reserved_list_overrides_the_partners_but_an_empty_pool_is_an_error(tmp_path):
    inv = load_inventory(inventory(tmp_path, partner_extra="reserved_vlans: 1000-1099", circuit_extra="reserved_vlans: []"))
    assert inv.partner.reserved_vlans == ((1000, 1099),) and inv.circuits["pc-a"].reserved_vlans == ()
    path = inventory(tmp_path, circuit_extra="vlan_pool: []")
    assert load_error(path) == [f"{path}:16: circuits[0].vlan_pool: is empty (expected e.g. 100-199,300)"]


def test_without_pool_keys_nothing_is_set(tmp_path):
    inv = load_inventory(inventory(tmp_path))
    assert inv.partner.vlan_pool is None and inv.circuits["pc-a"].vlan_pool is None
    assert inv.circuits["pc-a"].reserved_vlans is None


@pytest.mark.parametrize("value, problem", [
    ('"100-199,150"', "'100-199' and '150' overlap"),
    ('"10-20,15-30"', "'10-20' and '15-30' overlap"),
    ("100-3000", "'100-3000': VLAN 3000 is outside 0..2999"),
    ('"200-100"', "'200-100': the range runs backwards (200 > 100)"),
    ('"100-"', "'100-' is not a VLAN or range (expected e.g. 100-199,300)"),
    ('"abc"', "'abc' is not a VLAN or range"),
    ("[1.5]", "1.5 is not a VLAN or range"),
    ("[]", "is empty"),
    ("-5", "'-5' is not a VLAN or range"),
])
def test_bad_pools_are_load_errors_at_their_line(tmp_path, value, problem):
    path = inventory(tmp_path, circuit_extra=f"vlan_pool: {value}")
    messages = load_error(path)
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"{path}:16: circuits[0].vlan_pool: ") and problem in messages[0]


def test_bad_reserved_and_partner_keys_are_named_too(tmp_path):
    path = inventory(tmp_path, partner_extra="reserved_vlans: 1-2,2", circuit_extra="reserved_vlans: 4000")
    assert load_error(path) == [f"{path}:6: partner.reserved_vlans: '1-2' and '2' overlap",
                                f"{path}:16: circuits[0].reserved_vlans: '4000': VLAN 4000 is outside 0..2999"]


def test_unknown_pool_like_key_is_still_an_error(tmp_path):
    path = inventory(tmp_path, circuit_extra="vlan_pools: 1-10")
    assert "unknown key 'vlan_pools' (did you mean 'vlan_pool'?)" in load_error(path)[0]


def test_an_inventory_without_credentials_loads(tmp_path):
    inv = load_inventory(inventory(tmp_path))
    assert inv.credentials == {} and inv.devices["acc-01"].credentials is None


def test_a_device_naming_credentials_without_the_section_loads(tmp_path):
    inv = load_inventory(inventory(tmp_path, device_extra=", credentials: default"))
    assert inv.devices["acc-01"].credentials == "default" and inv.credentials == {}


def test_a_misspelt_credentials_name_is_still_a_load_error_when_the_section_exists(tmp_path):
    path = inventory(tmp_path, device_extra=", credentials: defualt", credentials=CREDENTIALS)
    assert load_error(path) == [f"{path}:8: devices[0].credentials: unknown credentials 'defualt' "
                                "(did you mean 'default'?)"]
