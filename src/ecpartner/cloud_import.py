"""`ecpartner cloud import`: a starter inventory from what Alibaba Cloud says exists (partner, circuits,
tenants, hosted connections). What the cloud cannot know (the partner's name and carrier as the guide names
it, each circuit's device and port, the devices, the tenants' names and sites) is left as a clearly marked
placeholder, `<fill in: ...>`, that the loader reports at its line until it is filled in. Every value from
the cloud is written as a JSON string, which is a YAML double-quoted scalar: no cloud text can change the
document's structure."""

from __future__ import annotations

import json

from ecpartner.cloud_state import RegionCloud
from ecpartner.inventory import format_bandwidth

FILL = "<fill in: {}>"
CARRIER_OF = {"CT": "China Telecom", "CU": "China Unicom", "CM": "China Mobile"}


def _q(value) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def _fill(what: str) -> str:
    return _q(FILL.format(what))


def starter_inventory(pictures: dict[str, RegionCloud], partner_uid: str | None = None) -> str:
    """The inventory text. `pictures` must be read without error (the caller refuses failed regions)."""
    circuits = [c for p in pictures.values() for c in p.circuits.values()]
    connections = [h for p in pictures.values() for h in p.connections.values() if h.state != "deleted"]
    regions = {c.id: region for region, p in pictures.items() for c in p.circuits.values()}
    operators = sorted({c.line_operator for c in circuits if c.line_operator in CARRIER_OF})
    carrier = _q(CARRIER_OF[operators[0]]) if len(operators) == 1 else _fill(
        "the partner's carrier: China Mobile, China Unicom, China Telecom, CITIC Telecom or China Broadcasting Network")
    out = ["# Starter inventory written by `ecpartner cloud import` from Alibaba Cloud's answers.",
           "# Replace every <fill in: ...> value; `ecpartner check` names each one still there, at its line.",
           "partner:",
           f"  name: {_fill('the partner name')}",
           f"  carrier: {carrier}",
           f"  site: {_fill('china or international (the Alibaba Cloud site of the partner account)')}",
           f"  account_id: {_q(partner_uid) if partner_uid else _fill('the partner account id')}",
           "devices: []          # add the devices the circuits land on (name, host, platform, role, credentials)",
           "circuits:"]
    for c in circuits:
        capacity = format_bandwidth(c.bandwidth_mbps * 10**6) if c.bandwidth_mbps else None
        out += [f"  - id: {_q(c.id)}", f"    region: {_q(regions[c.id])}",
                f"    access_point: {_q(c.access_point) if c.access_point else _fill('access point id')}",
                f"    capacity: {_q(capacity) if capacity else _fill('circuit capacity, e.g. 10G')}",
                f"    device: {_fill('the device this circuit lands on')}",
                f"    interface: {_fill('its port on that device')}",
                f"    status: {_q('enabled' if c.status == 'Enabled' else 'disabled')}"]
    if not circuits:
        out[-1] = "circuits: []"
    tenants = sorted({h.ali_uid for h in connections if h.ali_uid})
    out.append("tenants:" if tenants else "tenants: []")
    for uid in tenants:
        out += [f"  - account_id: {_q(uid)}", f"    name: {_fill('the tenant name')}",
                f"    site: {_fill('china or international')}"]
    out.append("hosted_connections:" if connections else "hosted_connections: []")
    for h in connections:
        vlan = str(h.vlan) if h.vlan is not None else _fill("VLAN")
        out += [f"  - id: {_q(h.id)}", f"    circuit: {_q(h.circuit)}", f"    tenant: {_q(h.ali_uid)}",
                f"    vlan: {vlan}", f"    bandwidth: {_q(h.spec) if h.spec else _fill('spec, e.g. 200M')}",
                f"    status: {_q(h.state)}"]
    return "\n".join(out) + "\n"
