"""`ecpartner plan convert --vbr VBR_ID`: the guide's "Convert a connection for an existing tenant" (a tenant's
VBR on the partner's circuit, shared model, becomes a hosted connection of its own).

What the cloud and the inventory show is checked: the VBR is on one of the partner's circuits, it has a
bandwidth cap ("Speed Unlimited is not a valid option for the Bandwidth Cap"), the circuit has room for it,
and its VLAN is used by no other connection on the circuit. What they cannot show is listed for the operator.
The runbook's calls are built from the SDK's request models (cloud_runbook.build): the cap first when missing
(ModifyVirtualBorderRouterAttribute), then CreateVpconnFromVbr (Token; DryRun with --dry-run).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ecpartner.cloud_runbook import CLI_SYNTAX, ORDER_MODE, Call, build
from ecpartner.findings import FAIL, PASS, SEV_ERROR, Finding, subject
from ecpartner.inventory import Inventory, format_bandwidth
from ecpartner.rules.common import verdict

REQUIREMENT = "Convert a connection for an existing tenant"
CANNOT_SEE = ("the tenant has been told about the conversion and will accept the hosted connection and pay for it",
              "outbound data transfer billing is enabled for the tenant's account",
              "who pays: CreateVpconnFromVbr uses OrderMode " + ORDER_MODE + " (the tenant, the console's "
              "default \"Pay by Other Account\")")


@dataclass
class ConvertPlan:
    vbr: str
    circuit: str | None = None
    region: str | None = None
    findings: list[Finding] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)      # the whole runbook, in order

    @property
    def blockers(self) -> list[Finding]:
        return [f for f in self.findings if f.is_problem and f.severity == SEV_ERROR]

    @property
    def exit_code(self) -> int:
        return 1 if self.blockers else 0


def _token(*parts) -> str:
    return "ecp-" + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def plan_convert(inv: Inventory, cloud: dict | None, vbr_id: str, dry_run: bool = False,
                 cap_mbps: int | None = None) -> ConvertPlan:
    """The conversion of `vbr_id`, from the cloud picture (region -> RegionCloud); `cap_mbps`: the bandwidth cap
    to set when the VBR has none."""
    out = ConvertPlan(vbr_id)
    found = [(region, v) for region, rc in (cloud or {}).items() for on, vbrs in rc.vbrs.items()
             if on in rc.circuits for v in vbrs if v.id == vbr_id]
    where = subject(region=None)
    if not found:
        seen = "no cloud data (record it with `cloud collect --record`, or use --cloud)" if not cloud else \
            "no VBR with that id on any of the partner's circuits in " + ", ".join(sorted(cloud))
        out.findings.append(Finding("convert-vbr", FAIL, SEV_ERROR, where, f"VBR {vbr_id}: {seen}",
                                    expected="a VBR on one of the partner's circuits", actual=None,
                                    requirement=REQUIREMENT))
        return out
    region, vbr = found[0]
    out.circuit, out.region = vbr.on, region
    circuit = inv.circuits.get(vbr.on)
    where = subject(circuit=vbr.on, region=region, tenant=vbr.owner)
    out.findings.append(Finding("convert-vbr", PASS, SEV_ERROR, where,
                                f"VBR {vbr_id} (tenant {vbr.owner}, VLAN {vbr.vlan}) is on the partner's circuit {vbr.on}",
                                expected="a VBR on one of the partner's circuits", actual=vbr.on,
                                requirement=REQUIREMENT))
    cap = vbr.bandwidth_mbps or cap_mbps
    out.findings.append(Finding(
        "convert-bandwidth-cap", verdict(cap is not None), SEV_ERROR, where,
        f"VBR {vbr_id} has a bandwidth cap of {vbr.bandwidth_mbps} Mbps" if vbr.bandwidth_mbps else
        f"VBR {vbr_id} has no bandwidth cap: it is set to {cap_mbps} Mbps first (step 1)" if cap_mbps else
        f"VBR {vbr_id} has no bandwidth cap; \"Speed Unlimited is not a valid option for the Bandwidth Cap\": "
        f"name one with --bandwidth-cap MBPS", expected="a bandwidth cap", actual=vbr.bandwidth_mbps,
        requirement=REQUIREMENT))
    if circuit is None:
        out.findings.append(Finding("convert-room", FAIL, SEV_ERROR, where,
                                    f"Circuit {vbr.on} is not in the inventory: its room cannot be judged",
                                    expected=f"{vbr.on} in the inventory", actual=None, requirement=REQUIREMENT))
    else:
        holding = [hc for hc in inv.connections_on(circuit.id) if hc.counts]
        used = sum(hc.bandwidth for hc in holding)
        need = (cap or 0) * 10**6
        room = (f"Circuit {circuit.id}: {format_bandwidth(used)} allocated + {format_bandwidth(need)} for the "
                f"conversion on {format_bandwidth(circuit.capacity)}" if cap is not None else
                f"Circuit {circuit.id}: {format_bandwidth(used)} allocated on {format_bandwidth(circuit.capacity)}; "
                f"the room for the conversion cannot be judged without a bandwidth cap")
        out.findings.append(Finding(
            "convert-room", verdict(cap is not None and used + need <= circuit.capacity), SEV_ERROR, where, room,
            expected=f"at most {format_bandwidth(circuit.capacity)}",
            actual=format_bandwidth(used + need) if cap is not None else None, requirement=REQUIREMENT))
        clash = [hc.key for hc in holding if hc.vlan == vbr.vlan]
        out.findings.append(Finding(
            "convert-vlan-unique", verdict(not clash), SEV_ERROR, where,
            f"VLAN {vbr.vlan} is used on {circuit.id} by " + ", ".join(clash) if clash else
            f"VLAN {vbr.vlan} is used by no other connection on {circuit.id}",
            expected=f"VLAN {vbr.vlan} free on {circuit.id}", actual=clash or None, requirement=REQUIREMENT))
    token = _token("CreateVpconnFromVbr", vbr_id, "dry-run" * dry_run)
    if vbr.bandwidth_mbps is None and cap_mbps:
        out.calls.append(Call("ModifyVirtualBorderRouterAttribute", f"set the bandwidth cap of {vbr_id} to {cap_mbps} Mbps",
                              build("ModifyVirtualBorderRouterAttributeRequest", region_id=region, vbr_id=vbr_id,
                                    bandwidth=cap_mbps, client_token=_token("cap", vbr_id, cap_mbps)),
                              dry_run=False if dry_run else None))
    fields = dict(region_id=region, vbr_id=vbr_id, order_mode=ORDER_MODE, token=token)
    if dry_run:
        fields["dry_run"] = True
    out.calls.append(Call("CreateVpconnFromVbr", f"convert {vbr_id} into a hosted connection of tenant {vbr.owner}",
                          build("CreateVpconnFromVbrRequest", **fields), dry_run=True if dry_run else None))
    out.steps = [f"{c.action}: {c.purpose}\n     {c.command}" for c in out.calls] + [
        f"notify tenant {vbr.owner} to accept the hosted connection and complete payment (Tenant operation guide)",
        "after the tenant accepts, confirm the conversion: console, the VBR's Actions > Confirm; the tenant's VBR is "
        "then associated with the new hosted connection, and add it to the inventory"]
    return out


def to_text(p: ConvertPlan, safe) -> str:
    lines = [f"Conversion of VBR {safe(p.vbr)}" + (f" on {safe(p.circuit)} ({safe(p.region)})" if p.circuit else ""),
             f"Verdict: {'BLOCKED' if p.blockers else 'may be converted'} (exit {p.exit_code})", "",
             "Preconditions checked:"]
    lines += [f"  [{f.status.upper()}] {safe(f.message)}" for f in p.findings]
    lines += ["", "Preconditions to confirm yourself (not visible to ecpartner):"]
    lines += [f"  - {safe(c)}" for c in CANNOT_SEE]
    if p.steps and not p.blockers:
        lines += ["", f"Runbook, in order ({CLI_SYNTAX}):"]
        for n, step in enumerate(p.steps, 1):
            first, *more = step.split("\n")
            lines += [f"  {n}. {safe(first)}"] + [safe(line) for line in more]
    return "\n".join(lines) + "\n"


def to_json(p: ConvertPlan) -> dict:
    return {"vbr": p.vbr, "circuit": p.circuit, "region": p.region, "exit_code": p.exit_code,
            "findings": [f.to_dict() for f in p.findings], "to_confirm": list(CANNOT_SEE),
            "calls": [{"action": c.action, "request": c.request, "command": c.command} for c in p.calls],
            "steps": p.steps}
