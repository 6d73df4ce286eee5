"""A render run counts the users behind each circuit once (RenderRun), not per connection: the port-wide ARP
rate of every view must be the one the per-circuit count gives, in every shape the count distinguishes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ecpartner.errors import InputError
from ecpartner.render import RenderRun, connection_view, render_each

from helpers.render_inventory import add_circuit, add_connection, add_device, add_tenant, empty_inventory


def port_users_of_circuit(inv, hc, users):
    """The reference count, per connection: `users` + the users of every other enabled connection on hc's circuit
    (a copy of hc with an id is that connection)."""
    return users + sum(max(int(inv.tenants[o.tenant].users), 1) for o in inv.connections_on(hc.circuit)
                       if o.status == "enabled" and o is not hc and (hc.id is None or o.id != hc.id)
                       and o.tenant in inv.tenants)


def mixed():
    inv = empty_inventory(arp_pps_per_user=1.5)
    add_device(inv, "acc-01", "huawei")
    add_device(inv, "acc-02", "cisco_ios")
    add_circuit(inv, "pc-a", "acc-01", "XGigabitEthernet0/0/1")
    add_circuit(inv, "pc-b", "acc-02", "TenGigabitEthernet0/1/0")
    for n, users in enumerate((1, 2, 3, 4, 5, 6), 1):
        add_tenant(inv, f"130000000000000{n}", f"T{n}", users=users)
    add_connection(inv, "pc-a", "1300000000000001", 100, id="pc-h1")
    add_connection(inv, "pc-a", "1300000000000002", 101, id="pc-h2")
    add_connection(inv, "pc-a", "1300000000000003", 102)                      # no id yet
    add_connection(inv, "pc-a", "1300000000000004", 103, status="disabled", id="pc-h4")
    add_connection(inv, "pc-a", "1300000000000005", 104, status="pending")
    add_connection(inv, "pc-a", "1300000000000006", 105, id="pc-h1")          # the same id twice
    add_connection(inv, "pc-a", "1300000000000009", 106, id="pc-h9")          # an unknown tenant
    add_connection(inv, "pc-b", "1300000000000006", 200, id="pc-h6")
    add_connection(inv, "pc-b", "1300000000000001", 201)
    return inv


def test_the_run_counts_port_users_as_the_circuit_count_does():
    inv = mixed()
    run = RenderRun(inv)
    known = [hc for hc in inv.hosted_connections if hc.tenant in inv.tenants]
    # each listed connection, and copies of them as modify-vlan makes (with and without an id)
    subjects = known + [replace(hc, vlan=hc.vlan + 1000) for hc in known]
    counts = []
    for hc in subjects:
        users = max(inv.tenants[hc.tenant].users, 1)
        counts.append(run.port_users(hc, users))
        assert counts[-1] == port_users_of_circuit(inv, hc, users), hc
    n = len(known)
    assert counts[0] == 1 + 2 + 3           # pc-h1: both connections of that id are its own share
    assert counts[2] == 3 + 1 + 2 + 6       # without an id: only itself is left out
    assert counts[3] == 4 + 1 + 2 + 3 + 6   # disabled and pending ones serve nobody; an unknown tenant is skipped
    assert counts[n + 1] == counts[1]       # a copy with an id is that connection
    assert counts[n + 2] == 3 + 12          # a copy without one is another connection
    views_alone = [connection_view(inv, hc) for hc in subjects]
    assert [connection_view(inv, hc, run) for hc in subjects] == views_alone
    assert views_alone[0].port_arp_pps == 9 and views_alone[2].port_arp_pps == 18   # 1.5 pps per user


def test_a_run_of_another_inventory_is_not_used():
    inv, other = mixed(), mixed()
    other.hosted_connections = other.hosted_connections[:1]
    hc = inv.hosted_connections[1]
    assert connection_view(inv, hc, RenderRun(other)) == connection_view(inv, hc)


def test_render_each_renders_what_each_connection_alone_renders():
    inv = mixed()
    inv.hosted_connections = [hc for hc in inv.hosted_connections if hc.tenant in inv.tenants]
    inv.hosted_connections[5] = replace(inv.hosted_connections[5], id="pc-h7")
    files, skipped = render_each(inv)
    assert skipped == [] and set(files) == {"acc-01", "acc-02"}
    for hc in inv.hosted_connections:
        if hc.counts:
            assert connection_view(inv, hc).description in files[inv.circuits[hc.circuit].device]


def test_a_refused_circuit_is_refused_for_each_of_its_connections_and_checks_keep_their_order():
    # a run keeps a circuit's fields once they pass; a refusal is never kept, so each connection is named
    inv = mixed()
    inv.circuits["pc-a"] = replace(inv.circuits["pc-a"], region="cn;hangzhou")
    inv.hosted_connections.append(replace(inv.hosted_connections[0], id="pc;bad"))
    run = RenderRun(inv)
    for hc in inv.hosted_connections:
        if hc.circuit != "pc-a":
            assert connection_view(inv, hc, run).region == "cn-hangzhou"
            continue
        with pytest.raises(InputError) as refused:
            connection_view(inv, hc, run)
        if hc.tenant not in inv.tenants:        # a missing tenant is said before the circuit's fields
            assert str(refused.value) == f"hosted connection {hc.key}: tenant {hc.tenant!r} is not in the inventory"
        elif hc.id == "pc;bad":                  # and the connection's own id before them too
            assert str(refused.value).startswith("hosted connection pc;bad: id 'pc;bad' cannot be sent")
        else:
            assert str(refused.value).startswith(f"hosted connection {hc.key}: circuit pc-a region 'cn;hangzhou' "
                                                 f"cannot be sent to a device")
