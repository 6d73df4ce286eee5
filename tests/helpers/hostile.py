"""Misbehaving peers on 127.0.0.1 for the deadline tests: what a broken or malicious device does.

- `HostileSnmpAgent(mode)`: an SNMPv2c agent (plain UDP socket, pysnmp's message codec) that answers
  every GETBULK inside the requested subtree: `endless` with ever-increasing OIDs (a table that never
  ends), `repeat` with the very OID it was asked for, `backwards` with a smaller one.
- `StuckShellServer`: an SSH server (paramiko) that accepts any login, opens a shell and then never
  prints a prompt.
"""

from __future__ import annotations

import socket
import threading

from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api

_V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]


class HostileSnmpAgent:
    def __init__(self, mode: str = "endless"):
        self.mode = mode
        self.requests = 0
        self.roots: list[tuple[int, ...]] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> HostileSnmpAgent:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()

    def _next(self, oid: tuple[int, ...], root: tuple[int, ...]) -> tuple[int, ...]:
        row = oid[len(root)] if len(oid) > len(root) else 0
        if self.mode == "repeat" and row:
            return oid
        if self.mode == "backwards" and row:
            return root + (max(1, row - 1),) if row > 1 else root + (1, 0) if len(oid) == len(root) + 1 else root + (1,)
        return root + (row + 1,)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except (socket.timeout, OSError):
                continue
            try:
                message, _ = decoder.decode(data, asn1Spec=_V2C.Message())
            except Exception:
                continue
            self.requests += 1
            request = _V2C.apiMessage.get_pdu(message)
            response = _V2C.apiBulkPDU.get_response(request)
            reps = max(1, int(_V2C.apiBulkPDU.get_max_repetitions(request)))
            asked = [tuple(oid) for oid, _ in _V2C.apiBulkPDU.get_varbinds(request)]
            if not self.roots:   # a walk starts at its subtrees' roots
                self.roots = asked
            roots = [max((r for r in self.roots if oid[:len(r)] == r), key=len, default=oid) for oid in asked]
            varbinds, current = [], list(asked)
            for _ in range(reps):
                for i, oid in enumerate(current):
                    current[i] = self._next(oid, roots[i])
                    varbinds.append((current[i], _V2C.Counter64(12345)))
            _V2C.apiBulkPDU.set_varbinds(response, varbinds)
            _V2C.apiMessage.set_pdu(message, response)
            try:
                self.sock.sendto(encoder.encode(message), peer)
            except OSError:
                pass


class StuckShellServer:
    """SSH on 127.0.0.1 that lets anyone in, opens the shell, and never prints a prompt."""

    def __init__(self):
        import paramiko

        self._paramiko = paramiko
        self._key = paramiko.RSAKey.generate(2048)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._transports: list = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> StuckShellServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        for transport in self._transports:
            transport.close()
        self.sock.close()

    def _serve(self) -> None:
        paramiko = self._paramiko

        class LetAnyoneIn(paramiko.ServerInterface):
            def check_auth_password(self, username, password):
                return paramiko.AUTH_SUCCESSFUL

            def get_allowed_auths(self, username):
                return "password"

            def check_channel_request(self, kind, chanid):
                return paramiko.OPEN_SUCCEEDED

            def check_channel_shell_request(self, channel):
                return True

            def check_channel_pty_request(self, *args):
                return True

        while not self._stop.is_set():
            try:
                client, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            transport = paramiko.Transport(client)
            transport.add_server_key(self._key)
            self._transports.append(transport)
            try:
                transport.start_server(server=LetAnyoneIn())
            except Exception:
                continue
