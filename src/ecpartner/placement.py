"""Where each hosted connection sits: its circuit, device and tenant, and the interface that carries it in
the device's parsed configuration. Joined once per run from the inventory and the device states, so rules,
plan, render and telemetry all answer "which interface is this connection on" the same way.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple

from ecpartner.inventory import Circuit, Device, HostedConnection, Inventory, Tenant
from ecpartner.platforms import naming
from ecpartner.state import DeviceState, Interface


class Placement(NamedTuple):
    """Immutable like a frozen dataclass, but built ~4x faster: one is made per connection and run."""
    connection: HostedConnection
    circuit: Circuit | None             # None only for an inventory that failed its references (render says so)
    device: Device | None
    tenant: Tenant | None
    state: DeviceState | None           # None: no parsed configuration (not collected, failed, or not asked for)
    conventional: str | None            # the platform's name for it (naming model); None without templates
    interface: Interface | None         # what carries it in the configuration (by dot1q VLAN); None if nothing

    @property
    def interface_name(self) -> str | None:
        """The name in the configuration when something carries it, else the conventional one."""
        return self.interface.name if self.interface is not None else self.conventional

    @property
    def misnamed(self) -> Interface | None:
        """The subinterface with the conventional name when it carries another VLAN (or none): the name says
        one thing, the encapsulation another."""
        if self.state is None or self.connection.vlan == 0 or self.conventional is None:
            return None
        iface = self.state.interfaces.get(self.conventional)
        return iface if iface is not None and iface.vlan != self.connection.vlan else None


class Placements:
    """Placement per hosted connection, made on first use and kept for the run."""

    def __init__(self, inventory: Inventory, states: Mapping[str, DeviceState] | None = None):
        self.inventory, self.states = inventory, states or {}
        self._made: dict[int, tuple[HostedConnection, Placement]] = {}
        self._naming: dict[str, object] = {}   # platform -> its naming model (platforms.naming), asked once per run

    def of(self, hc: HostedConnection) -> Placement:
        made = self._made.get(id(hc))
        if made is None:
            made = self._made[id(hc)] = (hc, self._place(hc))   # hc kept: its id stays its own
        return made[1]

    def _place(self, hc: HostedConnection) -> Placement:
        inv = self.inventory
        circuit = inv.circuits.get(hc.circuit)
        device = inv.devices.get(circuit.device) if circuit is not None else None
        state = self.states.get(device.name) if device is not None else None
        conventional = None
        if device is not None:
            if device.platform not in self._naming:
                self._naming[device.platform] = naming(device.platform)
            model = self._naming[device.platform]
            conventional = model.interface(circuit.interface, hc.vlan) if model is not None else None
        interface = state.carrier(circuit.interface, hc.vlan, conventional) if state is not None else None
        return Placement(hc, circuit, device, inv.tenants.get(hc.tenant), state, conventional, interface)
