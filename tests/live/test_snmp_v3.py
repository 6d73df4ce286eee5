"""SNMPv3 authPriv (SHA/AES) against snmpsim, and v3 credentials resolved from the environment."""

from __future__ import annotations

import pytest

from helpers.labdata import HZ_INTERFACES, write_inventory
from helpers.rig import SnmpAgents, snmprec_for
from ecpartner.collect.live import plan_jobs
from ecpartner.collect.snmp import SnmpAuth, SnmpError, snmp_walk_sync
from ecpartner.inventory_loader import load_inventory

pytestmark = pytest.mark.live   # starts its own snmpsim

USER, AUTH_KEY, PRIV_KEY = "ecp-v3", "v3-auth-7hQ2xP", "v3-priv-Lm93Zk"
CONTEXT = "v3data"   # snmpsim selects its data by context name; devices use the default, empty one


@pytest.fixture(scope="module")
def v3_agent(tmp_path_factory):
    with SnmpAgents({"v3": (CONTEXT, snmprec_for(HZ_INTERFACES))}, tmp_path_factory.mktemp("v3"),
                    v3=(USER, AUTH_KEY, PRIV_KEY)) as agents:
        yield agents.ports["v3"]


def test_v3_authpriv_walk(v3_agent):
    auth = SnmpAuth(version="3", user=USER, auth_key=AUTH_KEY, priv_key=PRIV_KEY, context=CONTEXT)
    walk = snmp_walk_sync("127.0.0.1", v3_agent, auth)
    assert [walk[f"1.3.6.1.2.1.31.1.1.1.1.{i}"][1] for i in range(1, 7)] == HZ_INTERFACES
    assert walk["1.3.6.1.2.1.31.1.1.1.10.3"][0] == "70"


def test_v3_wrong_auth_key_is_named_without_the_key(v3_agent):
    auth = SnmpAuth(version="3", user=USER, auth_key="not-the-key-123", priv_key=PRIV_KEY, context=CONTEXT)
    with pytest.raises(SnmpError) as caught:
        snmp_walk_sync("127.0.0.1", v3_agent, auth, timeout=1, retries=0)
    assert str(caught.value) == (f"snmp 127.0.0.1:{v3_agent}: Wrong SNMP PDU digest "
                                 f"(check the SNMPv3 user, keys and protocols)")
    assert "not-the-key-123" not in repr(auth)


def test_v3_credentials_come_from_the_environment(tmp_path):
    path = write_inventory(tmp_path, [{"name": "hz-v3-01", "host": "127.0.0.1", "platform": "huawei",
                                       "role": "access", "credentials": "v3", "snmp": {"version": "3", "port": 1161}}])
    text = path.read_text().replace("credentials:\n", "credentials:\n  v3: {username_env: ECPT_USER, password_env: "
                                    "ECPT_PASSWORD, snmp_v3: {user_env: ECPT_V3_USER, auth_key_env: ECPT_V3_AUTH, "
                                    "priv_key_env: ECPT_V3_PRIV}}\n", 1)
    path.write_text(text)
    env = {"ECPT_USER": "u", "ECPT_PASSWORD": "pass-word", "ECPT_V3_USER": USER, "ECPT_V3_AUTH": AUTH_KEY, "ECPT_V3_PRIV": PRIV_KEY}
    [job] = plan_jobs(load_inventory(path), environ=env)
    assert job.snmp == SnmpAuth(version="3", user=USER, auth_key=AUTH_KEY, priv_key=PRIV_KEY)
    assert AUTH_KEY not in repr(job) and PRIV_KEY not in repr(job) and "pass-word" not in repr(job)


def test_v3_poll_gets_the_tenant_counters(v3_agent):
    import asyncio

    from ecpartner.collect.snmpget import snmp_get

    auth = SnmpAuth(version="3", user=USER, auth_key=AUTH_KEY, priv_key=PRIV_KEY, context=CONTEXT)
    oids = ["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.31.1.1.1.1.2", "1.3.6.1.2.1.31.1.1.1.10.2", "1.3.6.1.2.1.31.1.1.1.6.99"]
    got = asyncio.run(snmp_get("127.0.0.1", v3_agent, auth, oids, 2, 1))
    assert set(got) == set(oids[:3])   # the agent has no ifIndex 99
    assert got["1.3.6.1.2.1.31.1.1.1.1.2"] == ("4", HZ_INTERFACES[1]) and got["1.3.6.1.2.1.31.1.1.1.10.2"][0] == "70"
    bad = SnmpAuth(version="3", user=USER, auth_key="not-the-key-123", priv_key=PRIV_KEY, context=CONTEXT)
    with pytest.raises(SnmpError, match="Wrong SNMP PDU digest") as caught:
        asyncio.run(snmp_get("127.0.0.1", v3_agent, bad, oids, 1, 0))
    assert "not-the-key-123" not in str(caught.value)
