"""The Alibaba Cloud side of each render action, as a runbook of API calls an operator runs in a shell.

Every request is built from the official SDK's request model (`alibabacloud_vpc20160428.models.*Request`):
a field the model does not have, or a value of the wrong type (VpconnAliUid and VlanId are integers), is a
TypeError here, so names and types come from Alibaba and a typo cannot reach a runbook. The SDK is imported
only when a runbook is built (start-up of check, plan and render stays light).

Each call is printed as an aliyun command line in the CLI's classic syntax (CLI_SYNTAX), every value
shell-quoted. Values found at run time (the VBR of a hosted connection, the id of a connection the
inventory does not know yet) come from a look-up step that sets a shell variable the later steps use.
Idempotency tokens are deterministic: the same connection and action always give the same Token or
ClientToken, so running a step twice does not act twice. Vendor-neutral: render prints these lines behind
the platform's comment marker, so pasting a whole file into a device applies none of them.
"""

from __future__ import annotations

import hashlib
import shlex
import typing
from dataclasses import dataclass, field, replace
from functools import cache

from ecpartner.safetext import slug

CLI_SYNTAX = "aliyun CLI 3.0 or later, classic PascalCase syntax: aliyun vpc <Action> --<Parameter> <value>"
ORDER_MODE = "PayByVirtualPhysicalConnectionOwner"     # the tenant pays (the API's other mode: the partner pays)
JQ_VBR = ".VirtualBorderRouterForPhysicalConnectionSet.VirtualBorderRouterForPhysicalConnectionType[0].VbrId // empty"
JQ_HOSTED = ".VirtualPhysicalConnections[0].PhysicalConnectionId // empty"


class ShellVar(str):
    """A value a look-up step puts in a shell variable: printed as "$NAME", never quoted away."""


VBR = ShellVar("VBR_ID")
HOSTED = ShellVar("HC_ID")


@dataclass(frozen=True)
class Call:
    action: str                 # the API action, e.g. CreateVirtualPhysicalConnection
    purpose: str                # one line: what the call does here
    request: dict               # the parameters as the SDK model serialises them (PascalCase), in print order
    capture: ShellVar | None = None   # a look-up: the shell variable its answer sets...
    query: str | None = None          # ...with this jq filter
    dry_run: bool | None = None       # True: a DryRun request; False: the action has no DryRun parameter

    @property
    def command(self) -> str:
        words = ["aliyun", "vpc", self.action]
        for name, value in self.request.items():
            words += [f"--{name}", _shell(value)]
        line = " ".join(words)
        if self.capture is not None:
            return f"{self.capture}=$({line} | jq -r {shlex.quote(self.query)}); echo \"{self.capture}=${{{self.capture}}}\""
        return line


@dataclass(frozen=True)
class Runbook:
    action: str                 # the render action
    notes: list[str]            # order and consequences, before the steps
    calls: list[Call] = field(default_factory=list)
    dry_run: bool = False

    def lines(self, title: str, device: str, interface: str) -> list[str]:
        """The runbook as text lines (without comment markers): notes, numbered calls, then the device step."""
        out = [f"{title}: Alibaba Cloud steps, in a shell ({CLI_SYNTAX})"] + [f"  {n}" for n in self.notes]
        for number, call in enumerate(self.calls, 1):
            why = call.purpose
            if call.dry_run is False:
                why += " (this call has no DryRun parameter: skip it in a dry run)"
            out += [f"  {number}. {call.action}: {why}", f"     {call.command}"]
        when = "only once the calls have run for real (not as a dry run): " if self.dry_run else ""
        out.append(f"  {len(self.calls) + 1}. {when}on {device}: the lines below ({interface})")
        return out


def _shell(value) -> str:
    kind = type(value)
    if kind is str:                     # most values: quoted only where the shell would read them otherwise
        return shlex.quote(value)
    if kind is int:
        return str(value)               # digits and a sign: nothing for a shell to read
    if isinstance(value, ShellVar):
        return f'"${value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return shlex.quote(str(value))


def token(action: str, c, *extra, dry_run: bool = False) -> str:
    """Deterministic idempotency token (ASCII, 36 characters): the same connection, action and values give
    the same token, so a step run twice acts once; a dry run has its own so it never spends the real one."""
    basis = "\x1f".join(str(x) for x in (action, c.key, c.circuit, c.tenant, c.vlan, *extra, "dry-run" * dry_run))
    return "ecp-" + hashlib.sha256(basis.encode()).hexdigest()[:32]


# ---------------------------------------------------------------- SDK models, checked

@cache
def _models():
    from alibabacloud_vpc20160428 import models    # lazy: only a run that prints cloud steps pays for it
    return models


@cache
def _hints(model: str) -> dict:
    """A request model's fields and their types, from its own annotations (read once per model)."""
    return typing.get_type_hints(getattr(_models(), model).__init__)


@cache
def _model(model: str) -> tuple[type, dict[str, tuple[object, str]]]:
    """The model's class and, per field, (its type, its serialised PascalCase name): looked up once per model."""
    return getattr(_models(), model), {name: (hint, _pascal(name)) for name, hint in _hints(model).items()}


def _accepts(hint, value) -> bool:
    if type(value) is hint:                 # the common case, exact: str for str, int for int, bool for bool
        return True
    origin = typing.get_origin(hint)
    if origin is typing.Union:
        return any(_accepts(h, value) for h in typing.get_args(hint) if h is not type(None))
    if origin is list:
        (item,) = typing.get_args(hint) or (object,)
        return isinstance(value, list) and all(_accepts(item, v) for v in value)
    if hint is bool:
        return type(value) is bool
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


@cache
def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def build(model: str, **fields) -> dict:
    """The request of SDK model `model` with `fields` (snake_case as the model names them), checked against the
    model's own annotations, serialised by the model (to_map) in the order given. TypeError for a field the
    model lacks or a value of the wrong type."""
    cls, known = _model(model)
    order = []
    for name, value in fields.items():
        if name not in known:
            raise TypeError(f"{model} has no field {name!r}")
        hint, serialised_name = known[name]
        if type(value) is not hint and not _accepts(hint, value):   # (the exact type: the common case, at once)
            raise TypeError(f"{model}.{name}: {value!r} is not {hint}")
        order.append(serialised_name)
    serialised = {k: v for k, v in cls(**fields).to_map().items() if v != []}   # unset lists serialise as []
    if len(order) != len(serialised) or not serialised.keys() >= set(order):
        raise TypeError(f"{model} serialises {sorted(serialised)}, not {sorted(order)}")
    flat: dict = {}
    for name in order:                 # RPC list parameters are numbered: VlanIds.1
        value = serialised[name]
        if isinstance(value, list):
            flat.update({f"{name}.{i}": v for i, v in enumerate(value, 1)})
        else:
            flat[name] = value
    return flat


def _call(action: str, purpose: str, dry_run: bool, c=None, *token_extra, tokened: bool = True, **fields) -> Call:
    """One call of `action` (model <action>Request); Token or ClientToken, whichever the model has, and DryRun."""
    model = f"{action}Request"
    hints = _hints(model)
    if tokened:
        name = "token" if "token" in hints else "client_token"
        fields[name] = token(action, c, *token_extra, dry_run=dry_run)
    has_dry_run = "dry_run" in hints
    if dry_run and has_dry_run:
        fields["dry_run"] = True
    return Call(action, purpose, build(model, **fields),
                dry_run=(True if has_dry_run else False) if dry_run else None)


# ---------------------------------------------------------------- the runbook of each action

def _hosted(c) -> tuple[str, list[Call]]:
    """The hosted connection's id, or a look-up of it by circuit and VLAN when the inventory has none yet."""
    if c.id is not None:
        return c.id, []
    find = build("ListVirtualPhysicalConnectionsRequest", region_id=c.region, physical_connection_id=c.circuit,
                 vlan_ids=[str(c.vlan)])
    return HOSTED, [Call("ListVirtualPhysicalConnections",
                         f"the id of the hosted connection on {c.circuit} VLAN {c.vlan} (the inventory has none)",
                         find, capture=HOSTED, query=JQ_HOSTED)]


def _vbr(c, hosted: str) -> Call:
    find = build("DescribeVirtualBorderRoutersForPhysicalConnectionRequest", region_id=c.region,
                 physical_connection_id=hosted)
    return Call("DescribeVirtualBorderRoutersForPhysicalConnection",
                "the tenant's VBR on the hosted connection (one at most; empty: skip the VBR steps)",
                find, capture=VBR, query=JQ_VBR)


def create_request(c, dry_run: bool = False) -> Call:
    """CreateVirtualPhysicalConnection for view `c` (plan shows it too)."""
    name = f"ecp-{slug(c.tenant_name)}-vlan{c.vlan}"[:128]
    return _call("CreateVirtualPhysicalConnection", f"create the hosted connection on {c.circuit} for tenant {c.tenant}",
                 dry_run, c, c.spec, region_id=c.region, physical_connection_id=c.circuit, vlan_id=c.vlan,
                 spec=c.spec, vpconn_ali_uid=int(c.tenant), order_mode=ORDER_MODE, name=name,
                 description=c.description)


def runbook(action: str, c, new=None, dry_run: bool = False) -> Runbook:
    """The cloud steps of `action` for connection view `c` (`new`: the view after modify-vlan)."""
    book = _runbook(action, c, new, dry_run)
    return book if book.dry_run == dry_run else replace(book, dry_run=dry_run)


def _runbook(action: str, c, new, dry_run: bool) -> Runbook:
    region = c.region
    if action == "create":
        return Runbook(action, ["The tenant then accepts the hosted connection in their own account."],
                       [create_request(c, dry_run)])
    hosted, found = _hosted(c)
    if action == "modify-vlan":
        update = _call("UpdateVirtualPhysicalConnection", f"VLAN {c.vlan} -> {new.vlan}", dry_run, c, new.vlan,
                       region_id=region, instance_id=hosted, vlan_id=new.vlan)
        return Runbook(action, [f"Order: the cloud VLAN first, then the device. The tenant's traffic on this "
                                f"connection stops from step {len(found) + 1} until the device lines are applied: "
                                f"do both in one maintenance window."], found + [update])
    vbr = _vbr(c, hosted)
    if action == "disable":
        return Runbook(action, ["Disabling keeps the resources (and their charges); enable recovers them."], found + [
            vbr,
            _call("TerminateVirtualBorderRouter", "disable the tenant's VBR", dry_run, c,
                  region_id=region, vbr_id=VBR),
            _call("TerminatePhysicalConnection", "disable the hosted connection", dry_run, c,
                  region_id=region, physical_connection_id=hosted)])
    if action == "enable":
        return Runbook(action, ["The hosted connection first, then its VBR."], found + [
            _call("RecoverPhysicalConnection", "re-enable the hosted connection", dry_run, c,
                  region_id=region, instance_id=hosted),
            vbr,
            _call("RecoverVirtualBorderRouter", "re-enable the tenant's VBR", dry_run, c,
                  region_id=region, vbr_id=VBR)])
    if action == "delete":
        return Runbook(action, ["Order (partner guide): the VBR is disabled and deleted before the hosted connection; "
                                "DeletePhysicalConnection refuses an enabled hosted connection, so it is disabled "
                                "first. A step already done answers IncorrectStatus: go on."], found + [
            vbr,
            _call("TerminateVirtualBorderRouter", "disable the tenant's VBR", dry_run, c, region_id=region, vbr_id=VBR),
            _call("DeleteVirtualBorderRouter", "delete the tenant's VBR", dry_run, c, region_id=region, vbr_id=VBR),
            _call("TerminatePhysicalConnection", "disable the hosted connection", dry_run, c,
                  region_id=region, physical_connection_id=hosted),
            _call("DeletePhysicalConnection", "delete the hosted connection", dry_run, c,
                  region_id=region, physical_connection_id=hosted)])
    raise ValueError(f"no cloud runbook for action {action!r}")
