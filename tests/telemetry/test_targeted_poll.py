"""A live poll reads only what its samples need: GET of sysUpTime and the 12 counter columns (and the name
the match was made on) per tenant ifIndex; the ifIndex map learned once, learned again when it changes;
32-bit agents; the v2c codec against a real agent (snmpsim) and against broken ones."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from ecpartner.collect.snmp import SnmpAuth, SnmpError, WalkJob, snmp_walk_sync
from ecpartner.collect.snmpget import _integer, _tlv, encode_oid, snmp_get
from ecpartner.ifmib import POLL_COUNTERS, SYS_UPTIME
from ecpartner.parse.snmp_counters import read_counters
from ecpartner.telemetry import snmp_poll

from helpers.rig import SnmpAgents, snmprec_for

COMMUNITY = "targeted-community"
NAMES = ["GigabitEthernet0/0/0", "GigabitEthernet0/0/1.100", "GigabitEthernet0/0/1.200", "GigabitEthernet0/0/2"]
STATIC = ("1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.19")   # ifName, ifDescr, ifOutDiscards


@pytest.fixture(scope="module")
def agents(tmp_path_factory):
    with SnmpAgents({"wide": (COMMUNITY, snmprec_for(NAMES)),
                     "narrow": (COMMUNITY + "-32", snmprec_for(NAMES, counter_bits=32))},
                    tmp_path_factory.mktemp("agents")) as served:
        yield served.ports


@pytest.mark.live
def test_get_answers_as_a_walk_of_the_same_agent_and_leaves_out_what_it_lacks(agents):
    auth = SnmpAuth(community=COMMUNITY)
    walk = snmp_walk_sync("127.0.0.1", agents["wide"], auth)
    static = sorted(oid for oid in walk if oid.rsplit(".", 1)[0] in STATIC)
    counters = [f"{column}.{i}" for i in (2, 3) for column in POLL_COUNTERS]
    asked = [SYS_UPTIME, *static, *counters, "1.3.6.1.2.1.31.1.1.1.6.99", "1.3.6.1.2.1.99.1.0"] * 10   # 10 batches
    got = asyncio.run(snmp_get("127.0.0.1", agents["wide"], auth, asked, 2, 1))
    assert {oid: got[oid] for oid in static} == {oid: walk[oid] for oid in static}
    assert set(got) == {SYS_UPTIME, *static, *counters}       # nothing the agent lacks, nothing not asked for
    assert {got[oid][0] for oid in counters} == {"70", "65"} and got[SYS_UPTIME][0] == "67"
    with pytest.raises(SnmpError, match=r"no response from 127\.0\.0\.1:\d+ within 0\.3s x 1 retries \(wrong community"):
        asyncio.run(snmp_get("127.0.0.1", agents["wide"], SnmpAuth(community="wrong"), asked[:3], 0.3, 1))


@pytest.mark.live
@pytest.mark.parametrize("kind, bits", [("wide", 64), ("narrow", 32)])
def test_a_poll_reads_the_counters_of_the_tenant_interfaces_only(agents, kind, bits, monkeypatch):
    community = COMMUNITY if kind == "wide" else COMMUNITY + "-32"
    job = WalkJob("dev", "127.0.0.1", agents[kind], SnmpAuth(community=community), 30)
    asked: list[str] = []
    real_get = snmp_poll.snmp_get

    async def spy(host, port, auth, oids, *args, **kwargs):
        asked.extend(oids)
        return await real_get(host, port, auth, oids, *args, **kwargs)

    monkeypatch.setattr(snmp_poll, "snmp_get", spy)
    wanted = {"dev": ["GigabitEthernet0/0/1.100", "GigabitEthernet0/0/1.200"]}
    walked = asyncio.run(snmp_poll.poll_fleet([job], wanted))["dev"]
    assert walked.error is None
    counters, unreadable = read_counters(walked.walk, wanted["dev"])
    assert unreadable == {} and {c.counter_bits for c in counters.values()} == {bits}
    assert all(c.in_octets and c.out_octets and c.in_packets for c in counters.values())
    assert counters["GigabitEthernet0/0/1.200"].out_discards == 3      # ifOutDiscards = the ifIndex in snmprec_for
    indexes = {oid.rsplit(".", 1)[1] for oid in asked if oid != SYS_UPTIME}
    assert indexes == {"2", "3"}                                         # the tenant rows, nothing else
    # 12 counters + the name per interface + sysUpTime; a 32-bit agent: its 4 ifTable octet/packet columns after
    assert len(asked) == 1 + 13 * 2 + (4 * 2 if bits == 32 else 0)



@pytest.mark.live
def test_a_sample_is_stamped_when_its_counters_were_read_not_while_the_map_was_learned(agents, monkeypatch):
    """The first poll walks the naming columns before its GET: the sample's moment is the GET's, so the first
    interval of a run is as long as the agent counted it (a stamp mid-walk made the first rates too low)."""
    job = WalkJob("dev", "127.0.0.1", agents["wide"], SnmpAuth(community=COMMUNITY), 30)
    times: dict[str, float] = {}
    real_walk, real_get = snmp_poll.snmp_walk, snmp_poll.snmp_get

    async def slow_walk(*args, **kwargs):
        walk = await real_walk(*args, **kwargs)
        await asyncio.sleep(0.5)              # a slow agent's walk
        times["walked"] = time.time()
        return walk

    async def timed_get(*args, **kwargs):
        times.setdefault("get", time.time())
        got = await real_get(*args, **kwargs)
        times["got"] = time.time()
        return got

    monkeypatch.setattr(snmp_poll, "snmp_walk", slow_walk)
    monkeypatch.setattr(snmp_poll, "snmp_get", timed_get)
    walked = asyncio.run(snmp_poll.poll_fleet([job], {"dev": ["GigabitEthernet0/0/1.100"]}))["dev"]
    assert walked.error is None
    assert walked.started < times["walked"] <= times["get"] <= walked.read_at <= times["got"]

def test_the_ifindex_map_is_learned_once_and_again_when_it_changes(monkeypatch):
    agent = {"names": {"1": "Gi0/0/1.100", "2": "Gi0/0/1.200"}}
    walks: list[int] = []

    def value(index: str) -> tuple[str, str]:   # each interface's counter tells which one it is
        return ("70", str({"Gi0/0/1.100": 100, "Gi0/0/1.200": 200}[agent["names"][index]]))

    async def walk(host, port, auth, oids, *args, **kwargs):
        walks.append(1)
        return {f"1.3.6.1.2.1.31.1.1.1.1.{i}": ("4", name) for i, name in agent["names"].items()}

    async def get(host, port, auth, oids, *args, **kwargs):
        out = {}
        for oid in oids:
            column, index = oid.rsplit(".", 1)
            if oid == SYS_UPTIME:
                out[oid] = ("67", "5")
            elif index in agent["names"]:
                out[oid] = ("4", agent["names"][index]) if column == "1.3.6.1.2.1.31.1.1.1.1" else value(index)
        return out

    monkeypatch.setattr(snmp_poll, "snmp_walk", walk)
    monkeypatch.setattr(snmp_poll, "snmp_get", get)
    job = WalkJob("dev", "127.0.0.1", 161, SnmpAuth(community="c"), 30)
    wanted = ["GigabitEthernet0/0/1.100", "GigabitEthernet0/0/1.200"]

    def poll() -> dict[str, int]:
        result = asyncio.run(snmp_poll.poll_fleet([job], {"dev": wanted}))["dev"]
        assert result.error is None
        return {name: c.in_octets for name, c in read_counters(result.walk, wanted)[0].items()}

    assert poll() == {wanted[0]: 100, wanted[1]: 200} and len(walks) == 1
    assert poll() == {wanted[0]: 100, wanted[1]: 200} and len(walks) == 1     # the map is kept
    agent["names"] = {"7": "Gi0/0/1.200", "9": "Gi0/0/1.100"}                   # the agent renumbered
    assert poll() == {wanted[0]: 100, wanted[1]: 200} and len(walks) == 2     # noticed, learned again
    assert poll() == {wanted[0]: 100, wanted[1]: 200} and len(walks) == 2


class _Agent:
    """A UDP agent on 127.0.0.1 that answers every GET with `reply(request_id, request) -> packets`."""

    def __init__(self, reply):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.reply, self.stop = reply, threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self.stop.is_set():
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                continue
            request_id = int.from_bytes(data[data.index(b"\xa0") + 4:data.index(b"\xa0") + 4 + data[data.index(b"\xa0") + 3]],
                                        "big")
            for packet in self.reply(request_id, data):
                self.sock.sendto(packet, addr)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def _response(request_id: int, varbinds: list[tuple[str, bytes]], status: int = 0, index: int = 0) -> bytes:
    body = b"".join(_tlv(0x30, _tlv(0x06, encode_oid(oid)) + value) for oid, value in varbinds)
    pdu = _tlv(0xA2, _integer(request_id) + _integer(status) + _integer(index) + _tlv(0x30, body))
    return _tlv(0x30, b"\x02\x01\x01" + _tlv(0x04, b"c") + pdu)


OID = "1.3.6.1.2.1.31.1.1.1.6.5"
COUNTER64 = _tlv(0x46, (2**64 - 1).to_bytes(9, "big"))


@pytest.mark.parametrize("reply, outcome", [
    (lambda rid, _: [_response(rid + 1, [(OID, COUNTER64)]), _response(rid, [(OID, COUNTER64)])],
     {OID: ("70", str(2**64 - 1))}),                                              # a stale answer is ignored
    (lambda rid, _: [b"\x30\x05garbage", _response(rid, [(OID, b"\x81\x00")])], {}),   # not SNMP; noSuchInstance
    (lambda rid, _: [_response(rid, [(OID, b"\x04\x03abc")])], {OID: ("4", "abc")}),
    (lambda rid, _: [_response(rid, [(OID, b"\x05\x00")], status=2, index=1)], f"agent answered noSuchName for {OID}"),
    (lambda rid, _: [_response(rid, [("1.3.6.1.2.1.31.1.1.1.6.6", COUNTER64)])], "another OID than"),
    (lambda rid, _: [_response(rid, [(OID, COUNTER64)])[:-3]], "no response from"),   # cut short: nobody's answer
    (lambda rid, _: [_response(rid, [(OID, b"\x46\x09\x01")])], "malformed response"),   # a value longer than its varbind
    (lambda rid, _: [_response(rid, [(OID, COUNTER64), (OID, COUNTER64)])], "more varbinds than asked for"),
    (lambda rid, _: [], "no response from"),
])
def test_the_v2c_codec_takes_only_a_whole_matching_answer(reply, outcome):
    with _Agent(reply) as agent:
        run = snmp_get("127.0.0.1", agent.port, SnmpAuth(community="c"), [OID], 0.5, 0)
        if isinstance(outcome, dict):
            assert asyncio.run(run) == outcome
        else:
            with pytest.raises(SnmpError, match=outcome):
                asyncio.run(run)
