"""SNMP GET of exactly the OIDs a telemetry poll needs (the counters of the tenant interfaces and sysUpTime),
in batches of MAX_VARBINDS_PER_REQUEST; the answer in the .snmprec shape `{oid: (tag, value)}` of a walk,
so the decoder reads it as it reads a walk. An OID the agent does not have (noSuchObject/noSuchInstance)
is simply absent.

SNMPv2c goes through the small BER codec below: a GET request and its response are a fixed shape (one
message, one PDU, a list of OID/value pairs), and pysnmp's general machinery costs ~350 us of CPU per
varbind where this costs a few (bench/RESULTS.md, "Poll CPU"). The request of each batch is encoded once
and the answered OIDs are matched byte for byte against it. SNMPv3 goes through pysnmp (keys, engine
discovery). Every malformed, foreign or mismatched packet is an SnmpError or ignored, never a crash.
"""

from __future__ import annotations

import asyncio
import itertools
import random

from ecpartner.collect.snmp import MAX_VARBINDS_PER_REQUEST, SnmpAuth, SnmpError, _indication_message, to_snmprec

_ERROR_STATUS = {1: "tooBig", 2: "noSuchName", 3: "badValue", 4: "readOnly", 5: "genErr"}
_MISSING = {0x80, 0x81, 0x82}   # noSuchObject, noSuchInstance, endOfMibView: the OID is not there


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes((tag,)) + _length(len(body)) + body


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True))


def encode_oid(oid: str) -> bytes:
    """Dotted OID -> the BER body of an OBJECT IDENTIFIER (without tag and length)."""
    arcs = [int(a) for a in oid.split(".")]
    out = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


class _Malformed(Exception):
    pass


def _read(buf: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, body start, body end) of the TLV at pos; _Malformed when it does not fit inside end."""
    if pos + 2 > end:
        raise _Malformed("truncated")
    tag, first = buf[pos], buf[pos + 1]
    pos += 2
    if first & 0x80:
        size = first & 0x7F
        if not 0 < size <= 4 or pos + size > end:
            raise _Malformed("bad length")
        length = int.from_bytes(buf[pos:pos + size], "big")
        pos += size
    else:
        length = first
    if pos + length > end:
        raise _Malformed("truncated")
    return tag, pos, pos + length


def _value(tag: int, body: bytes) -> tuple[str, str]:
    """A BER value as an snmprec (tag, text), as collect.snmp.to_snmprec gives pysnmp's."""
    if tag == 0x04:
        try:
            text = body.decode("ascii")
        except UnicodeDecodeError:
            return "4x", body.hex()
        return ("4", text) if text.isprintable() else ("4x", body.hex())
    if tag == 0x05:
        return "5", ""
    if tag == 0x02:
        return "2", str(int.from_bytes(body, "big", signed=True))
    if tag in (0x41, 0x42, 0x43, 0x46):   # Counter32, Gauge32, TimeTicks, Counter64: unsigned
        return str(64 + (tag & 0x1F)), str(int.from_bytes(body, "big"))
    if tag == 0x40 and len(body) == 4:
        return "64", ".".join(map(str, body))
    return str((tag & 0xC0) + (tag & 0x1F)), body.hex()   # anything else: not a number the decoder reads


class _Batch:
    """One GET request, encoded once: its OIDs and their BER bodies (to match the answer against)."""

    def __init__(self, oids: list[str]):
        self.oids = oids
        self.encoded = [encode_oid(o) for o in oids]
        self.varbinds = _tlv(0x30, b"".join(_tlv(0x30, _tlv(0x06, e) + b"\x05\x00") for e in self.encoded))

    def request(self, community: bytes, request_id: int) -> bytes:
        pdu = _tlv(0xA0, _integer(request_id) + b"\x02\x01\x00\x02\x01\x00" + self.varbinds)
        return _tlv(0x30, b"\x02\x01\x01" + _tlv(0x04, community) + pdu)

    def answer(self, packet: bytes, request_id: int, where: str) -> dict[str, tuple[str, str]] | None:
        """The values of a response to request_id; None for a packet that is not one (a late or foreign one).
        SnmpError for an agent's error status or an answer to it that does not match the request; a packet
        that breaks before its request-id is nobody's answer (dropped)."""
        ours = False
        try:
            tag, pos, end = _read(packet, 0, len(packet))
            if tag != 0x30:
                return None
            tag, a, b = _read(packet, pos, end)                  # version
            if tag != 0x02 or packet[a:b] != b"\x01":
                return None
            tag, _, pos = _read(packet, b, end)                  # community
            tag, pos, end = _read(packet, pos, end)              # the PDU
            if tag != 0xA2:
                return None
            fields = []
            for _ in range(3):                                   # request-id, error-status, error-index
                tag, a, pos = _read(packet, pos, end)
                if tag != 0x02:
                    raise _Malformed("PDU header")
                fields.append(int.from_bytes(packet[a:pos], "big", signed=True))
                if len(fields) == 1 and fields[0] != request_id:
                    return None
                ours = True
            if fields[1]:
                at = self.oids[fields[2] - 1] if 0 < fields[2] <= len(self.oids) else "?"
                raise SnmpError(f"snmp {where}: agent answered {_ERROR_STATUS.get(fields[1], fields[1])} for {at}")
            tag, pos, end = _read(packet, pos, end)              # the varbind list
            out = {}
            for oid, expected in zip(self.oids, self.encoded):
                tag, pos, next_pos = _read(packet, pos, end)
                tag, a, b = _read(packet, pos, next_pos)         # the OID: the one asked for, in order
                if tag != 0x06 or packet[a:b] != expected:
                    raise SnmpError(f"snmp {where}: agent answered another OID than {oid} (a broken agent)")
                tag, a, b = _read(packet, b, next_pos)
                if tag not in _MISSING:
                    out[oid] = _value(tag, packet[a:b])
                pos = next_pos
            if pos != end:
                raise _Malformed("more varbinds than asked for")
            return out
        except _Malformed as e:
            if not ours:
                return None
            raise SnmpError(f"snmp {where}: malformed response ({e})") from None


class _Client(asyncio.DatagramProtocol):
    """Every packet the agent sends, queued (one that is not the awaited answer is dropped by the reader)."""

    def __init__(self):
        self.packets: asyncio.Queue = asyncio.Queue()

    def datagram_received(self, data, addr):
        self.packets.put_nowait(data)

    def error_received(self, exc):   # e.g. ICMP port unreachable
        self.packets.put_nowait(exc)


_request_ids = itertools.count(random.randrange(1, 2**30))


async def _get_v2c(host: str, port: int, auth: SnmpAuth, batches: list[_Batch], timeout: float, retries: int,
                   out: dict) -> None:
    where = f"{host}:{port}"
    loop = asyncio.get_running_loop()
    try:
        transport, client = await loop.create_datagram_endpoint(_Client, remote_addr=(host, port))
    except OSError as e:
        raise SnmpError(f"snmp {where}: cannot resolve or reach host: {e}") from None
    community = (auth.community or "").encode()
    try:
        for batch in batches:
            request_id = next(_request_ids) % 2**31
            packet = batch.request(community, request_id)
            for attempt in range(retries + 1):
                transport.sendto(packet)
                deadline = loop.time() + timeout
                values = None
                while values is None and loop.time() < deadline:
                    try:
                        data = await asyncio.wait_for(client.packets.get(), deadline - loop.time())
                    except asyncio.TimeoutError:
                        break
                    if isinstance(data, OSError):
                        continue   # an ICMP error: the agent may still answer a retry; else it times out
                    values = batch.answer(data, request_id, where)
                if values is not None:
                    out.update(values)
                    break
            else:
                raise SnmpError(_indication_message("timeout", where, auth, timeout, retries))
    finally:
        transport.close()


async def _get_v3(host: str, port: int, auth: SnmpAuth, batches: list[_Batch], timeout: float, retries: int,
                  engine, out: dict) -> None:
    from pysnmp.hlapi.v3arch import asyncio as hl

    where = f"{host}:{port}"
    try:
        target = await hl.UdpTransportTarget.create((host, port), timeout=timeout, retries=retries)
    except Exception as e:  # pysnmp resolves the name here
        raise SnmpError(f"snmp {where}: cannot resolve or reach host: {e}") from None
    for batch in batches:
        error, status, index, varbinds = await hl.get_cmd(
            engine, auth.pysnmp_data(), target, hl.ContextData(contextName=auth.context),
            *[hl.ObjectType(hl.ObjectIdentity(o)) for o in batch.oids], lookupMib=False)
        if error:
            raise SnmpError(_indication_message(str(error), where, auth, timeout, retries))
        if status:
            at = batch.oids[int(index) - 1] if index and int(index) <= len(batch.oids) else "?"
            raise SnmpError(f"snmp {where}: agent answered {status.prettyPrint()} for {at}")
        for oid, (_, value) in zip(batch.oids, varbinds):
            if value.tagSet[0].tagClass != 128:   # noSuch*: not there
                out[oid] = to_snmprec(value)


async def snmp_get(host: str, port: int, auth: SnmpAuth, oids: list[str], timeout: float = 2.0, retries: int = 1,
                   engine=None, budget: float | None = None) -> dict[str, tuple[str, str]]:
    """GET `oids` on one agent; {oid: (tag, value)} of those it has. Raises SnmpError. `engine`: a shared
    pysnmp SnmpEngine for v3 (created here when None); `budget` bounds the whole exchange (seconds)."""
    batches = [_Batch(oids[i:i + MAX_VARBINDS_PER_REQUEST]) for i in range(0, len(oids), MAX_VARBINDS_PER_REQUEST)]
    out: dict[str, tuple[str, str]] = {}
    own_engine = None
    try:
        if auth.version == "3":
            if engine is None:
                from pysnmp.hlapi.v3arch.asyncio import SnmpEngine
                engine = own_engine = SnmpEngine()
            work = _get_v3(host, port, auth, batches, timeout, retries, engine, out)
        else:
            work = _get_v2c(host, port, auth, batches, timeout, retries, out)
        await asyncio.wait_for(work, budget)
    except asyncio.TimeoutError:
        raise SnmpError(f"snmp {host}:{port}: GET not finished within its {budget:g}s budget "
                        f"({len(out)} of {len(oids)} values read)") from None
    finally:
        if own_engine is not None:
            own_engine.close_dispatcher()
    return out
