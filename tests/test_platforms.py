"""templates/<platform>/commands.yaml: every folder valid and complete, and every mistake in one an
InputError naming the file and the key (read by ecpartner.platforms, the one owner)."""

from __future__ import annotations

import pytest
import yaml

from ecpartner.collect.ssh import rejection
from ecpartner.errors import InputError
from ecpartner.platforms import SCHEMA, known_platforms, platform_commands, platform_dir, platform_spec, platforms
from ecpartner.render import ACTIONS

PLATFORMS = platforms()


def test_the_platforms_with_templates_are_known_to_the_inventory():
    assert {"huawei", "cisco_ios"} <= set(PLATFORMS)
    assert set(PLATFORMS) <= set(known_platforms())
    assert known_platforms()[:6] == ("huawei", "hp_comware", "cisco_ios", "cisco_xr", "juniper_junos", "arista_eos")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_commands_yaml_is_valid_and_spells_every_key_the_code_reads(platform):
    spec = platform_spec(platform)                     # validates: raises InputError otherwise
    doc = yaml.safe_load((platform_dir(platform) / "commands.yaml").read_text(encoding="utf-8"))
    missing = []
    for section, keys in SCHEMA.items():
        if section == "commands[]":
            continue
        value = doc
        for part in filter(None, section.split(".")):
            value = value[part]
        missing += [f"{section}.{key}".lstrip(".") for key in keys if key not in value]
    assert not missing, f"{platform}/commands.yaml leaves out {missing} (write null where nothing applies)"
    assert all({"command", "templates"} <= set(entry) for entry in doc["commands"])
    used = {name for command in spec.commands for name, _ in command.templates}
    assert used == {p.name for p in (platform_dir(platform) / "parse").glob("*.ttp")}   # no template unused
    for action in (*ACTIONS, "device"):
        assert (platform_dir(platform) / "render" / f"{action}.j2").is_file()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_naming_model_names_and_parents_interfaces(platform):
    naming = platform_spec(platform).naming
    port = "Port0/0/1"
    for vlan in (100, 2999):
        name = naming.interface(port, vlan)
        assert name != port and naming.parent(name) == port
        assert naming.parent(name.replace(str(vlan), "7")) == port      # the number need not be the VLAN
    assert naming.parent(port) is None or naming.interface(port, 0) != port


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_platform_refuses_its_own_write_words_and_knows_its_error_answers(platform):
    spec = platform_spec(platform)
    assert spec.session.writes and not {c.split()[0].lower() for c in platform_commands(platform)} & spec.session.writes
    assert rejection(spec.config_command + "\n", platform) is None


def _edit(key_path: str, value):
    def change(doc):
        *parents, last = key_path.split(".")
        target = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
        return doc
    return change


@pytest.mark.parametrize("key_path, value, message", [
    ("colour", "blue", "commands.yaml: unknown key 'colour'"),
    ("defaults.statistics.subinterfaces", True, "commands.yaml: defaults.statistics: unknown key 'subinterfaces'"),
    ("defaults.statistics.subinterface", "no", "defaults.statistics.subinterface: must be true or false, not 'no'"),
    ("defaults.icmp_threshold_pps", "128", "defaults.icmp_threshold_pps: must be a positive number or null"),
    ("defaults.sources.car", "qos car {nmae}", "defaults.sources.car: 'qos car {nmae}' may fill in {name} only"),
    ("defaults.sources", KeyError, "commands.yaml: defaults.sources: missing"),
    ("naming", KeyError, "commands.yaml: naming: missing"),
    ("naming.subinterface", "{port}", "naming.subinterface: '{port}' must hold {port}, then {vlan}"),
    ("naming.routed", "{vlan}", "naming.routed: '{vlan}' must hold {port} once"),
    ("session.rejected", ["(unclosed"], "session.rejected[0]: not a regular expression"),
    ("session.writes", [], "session: 'rejected' and 'writes' must both list something"),
    ("session.enable", "yes", "session.enable: must be true or false, not 'yes'"),
    ("session.enable", KeyError, "session.enable: missing"),
    ("commands.0.command", "system-view", "commands[0]: 'system-view' is not a read-only command (session.writes)"),
    ("commands.0.templates", ["nowhere.ttp"], "commands[0].templates: cannot read"),
    ("config_command", "display nothing", "config_command: 'display nothing' is not one of the commands"),
    ("hints.statistics", 3, "hints.statistics: must be a non-empty string"),
    ("platform", "cisco_ios", "platform: 'cisco_ios' is not the folder's name 'huawei'"),
])
def test_a_mistake_in_commands_yaml_names_the_file_and_the_key(edited_platform, key_path, value, message):
    path = edited_platform("huawei", _edit(key_path, value))
    with pytest.raises(InputError) as raised:
        platform_spec("huawei")
    assert str(raised.value).startswith(f"{path}: ") and message in str(raised.value)


def test_the_platform_data_drives_the_code(edited_platform):
    """A platform's naming, error answers and hints are its data: change them and the behaviour follows."""
    from ecpartner.state import DeviceState, Interface

    def change(doc):
        doc["naming"] = {"routed": "{port}.0", "subinterface": "{port}:{vlan}"}
        doc["session"]["rejected"] = ["Computer says no.*"]
        return doc

    edited_platform("acme_os", lambda doc: change({**doc, "platform": "acme_os"}))
    naming = platform_spec("acme_os").naming
    assert naming.interface("ge-0/0/1", 0) == "ge-0/0/1.0" and naming.interface("ge-0/0/1", 5) == "ge-0/0/1:5"
    assert naming.parent("ge-0/0/1:17") == "ge-0/0/1" and naming.parent("ge-0/0/1.0") is None
    assert rejection("Computer says no\n", "acme_os") == "Computer says no"
    assert rejection("Error: Unrecognized command\n", "acme_os") is None

    state = DeviceState("d", "acme_os")
    for iface in (Interface("ge-0/0/1"), Interface("ge-0/0/1.0"), Interface("ge-0/0/1:5", parent="ge-0/0/1", vlan=5)):
        state.interfaces[iface.name] = iface
    assert state.carrier("ge-0/0/1", 0, naming.interface("ge-0/0/1", 0)).name == "ge-0/0/1.0"
    assert state.carrier("ge-0/0/1", 5, naming.interface("ge-0/0/1", 5)).name == "ge-0/0/1:5"
