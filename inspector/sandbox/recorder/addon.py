"""The sandbox recorder: a mitmproxy addon loaded with ``mitmdump -s`` on the host.

It runs inside mitmdump, not inside inspector, so it imports only the standard library and
mitmproxy. Everything the sandbox sends arrives here (all TCP through the transparent listener,
UDP 53 through the addon's own DNS listener). The addon:

* answers every DNS name with a stable synthetic address from 198.18.0.0/15, so the program
  proceeds and reveals its next move, and remembers which name each address stands for;
* decides per connection: blocked (the default) or forwarded (``allow``, ``allow_all``, package
  registries during ``install``); blocked HTTP(S) gets a harmless fake answer, blocked raw TCP is
  connected to a local sink that reads the first bytes and closes;
* never forwards to the recorder itself, the host, private, loopback, link-local or reserved
  addresses, except an address the reviewer named with ``--resolve``;
* writes one JSON line per event, and saves request bodies and allowed response bodies as
  size-capped artifacts under names it chooses itself.

If the event file cannot be written, the addon shuts mitmdump down: the controller sees the
recorder die and aborts the run (fail closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import json
import logging
import socket
import struct
import threading
import time
from pathlib import Path
from typing import Any

from mitmproxy import connection, ctx, dns, http, tcp, tls
from mitmproxy.addonmanager import Loader
from mitmproxy.net.dns import response_codes
from mitmproxy.proxy import server_hooks

SYNTHETIC_NETWORK = ipaddress.ip_network("198.18.0.0/15")
FIRST_BYTES = 256
FAKE_JSON = b"{}"
FAKE_TEXT = b"OK"
DNS_TYPE_NAMES = {1: "A", 2: "NS", 5: "CNAME", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 65: "HTTPS"}

logger = logging.getLogger(__name__)


def _is_forbidden_destination(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not ip.is_global or ip in SYNTHETIC_NETWORK


class Recorder:
    def __init__(self) -> None:
        self.config: dict[str, Any] = {}
        self.events_file: Any = None
        self.lock = threading.Lock()
        self.name_by_ip: dict[str, str] = {}
        self.ip_by_name: dict[str, str] = {}
        self.next_synthetic = int(SYNTHETIC_NETWORK.network_address) + 10
        self.sink_address: tuple[str, int] | None = None
        self.sink_server: asyncio.base_events.Server | None = None
        self.artifact_count = 0
        self.phase_cache: tuple[float, str] = (0.0, "")
        self.recorded_clients: set[str] = set()

    # ------------------------------------------------------------------ lifecycle

    def load(self, loader: Loader) -> None:
        loader.add_option("inspector_config", str, "", "Path of the recorder's JSON configuration.")

    def configure(self, updated: set[str]) -> None:
        if "inspector_config" not in updated or not ctx.options.inspector_config:
            return
        self.config = json.loads(Path(ctx.options.inspector_config).read_text())
        Path(self.config["artifacts"]).mkdir(parents=True, exist_ok=True)
        self.events_file = Path(self.config["events"]).open("a", encoding="utf-8")  # noqa: SIM115
        self.config["resolve_ips"] = list(self.config.get("resolve", {}).values())

    async def running(self) -> None:
        # DNS is answered here rather than by mitmproxy's dns mode, which dropped about 3 % of
        # datagrams under load here (each loss is a 5 s stall in the program's resolver).
        host, port = self.config["dns_listen"]
        await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: _DnsServer(self), local_addr=(host, int(port))
        )
        self.sink_server = await asyncio.start_server(self._sink, "127.0.0.1", 0)
        self.sink_address = self.sink_server.sockets[0].getsockname()[:2]
        self._emit({"event": "recorder-ready"})

    def done(self) -> None:
        if self.sink_server is not None:
            self.sink_server.close()
        if self.events_file is not None:
            self.events_file.close()

    async def _sink(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Blocked raw TCP ends here: read what the program sends first, then hang up.
        with contextlib.suppress(TimeoutError, ConnectionError):
            await asyncio.wait_for(reader.read(FIRST_BYTES * 16), timeout=5)
        writer.close()

    # ------------------------------------------------------------------ helpers

    def _phase(self) -> str:
        path = Path(self.config["phase_file"])
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            return "unknown"
        if mtime != self.phase_cache[0]:
            self.phase_cache = (mtime, path.read_text().strip())
        return self.phase_cache[1]

    def _emit(self, record: dict[str, Any]) -> None:
        record = {"time": time.time(), "phase": self._phase(), **record}
        line = json.dumps(record, ensure_ascii=True) + "\n"
        try:
            with self.lock:
                self.events_file.write(line)
                self.events_file.flush()
        except (OSError, ValueError, AttributeError) as err:
            # Fail closed: a recorder that cannot record must not keep proxying.
            logger.error("inspector recorder cannot write its event file: %s; shutting down", err)
            ctx.master.shutdown()  # type: ignore[no-untyped-call]
            raise

    def _save_artifact(self, kind: str, data: bytes) -> dict[str, Any]:
        cap = int(self.config.get("body_cap", 1 << 20))
        with self.lock:
            self.artifact_count += 1
            name = f"{self.artifact_count:05d}-{kind}.bin"
        (Path(self.config["artifacts"]) / name).write_bytes(data[:cap])
        return {
            "artifact": name,
            "sha256": hashlib.sha256(data[:cap]).hexdigest(),
            "size": len(data),
            "truncated": len(data) > cap,
        }

    def _synthetic_for(self, name: str) -> str:
        with self.lock:
            if name not in self.ip_by_name:
                ip = str(ipaddress.IPv4Address(self.next_synthetic))
                self.next_synthetic += 1
                self.ip_by_name[name] = ip
                self.name_by_ip[ip] = name
            return self.ip_by_name[name]

    def _host_for(self, address: tuple[str, int] | None, named: str | None = None) -> str | None:
        if named:
            return named.lower().rstrip(".")
        if address is None:
            return None
        return self.name_by_ip.get(address[0])

    def _is_recorder(self, ip: str) -> bool:
        return ip in self.config.get("recorder_ips", [])

    def _allowed(self, host: str | None, ip: str | None) -> bool:
        if self.config.get("allow_all"):
            return True
        allowed = set(self.config.get("allow", []))
        if host is not None and host in allowed:
            return True
        if ip is not None and ip in allowed:
            return True
        registries = set(self.config.get("registries", []))
        return host in registries and self._phase() in self.config.get("registry_phases", [])

    def _upstream(self, host: str | None, ip: str, port: int) -> tuple[str, int] | None:
        """The real address to forward to, or None when the destination may not be reached."""
        resolve = self.config.get("resolve", {})
        if host is not None and host in resolve:
            return resolve[host], port
        if ip in self.config.get("resolve_ips", []):
            return ip, port
        if host is not None:
            try:
                infos = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)
            except OSError:
                return None
            candidates = [info[4][0] for info in infos]
        else:
            candidates = [ip]
        for candidate in candidates:
            if not _is_forbidden_destination(ipaddress.ip_address(candidate)):
                return str(candidate), port
        return None

    def _fake_response(self, flow: http.HTTPFlow) -> http.Response:
        accept = flow.request.headers.get("accept", "")
        if "json" in accept or flow.request.path.startswith("/api"):
            return http.Response.make(200, FAKE_JSON, {"content-type": "application/json"})
        return http.Response.make(200, FAKE_TEXT, {"content-type": "text/plain"})

    # ------------------------------------------------------------------ DNS

    def answer_dns(self, data: bytes, client: str) -> bytes | None:
        """The reply to one DNS datagram from the sandbox (None for one that does not parse)."""
        try:
            request = dns.Message.unpack(data)
        except (struct.error, ValueError, IndexError, UnicodeDecodeError) as err:
            self._emit({"event": "dns-malformed", "client": client, "size": len(data), "detail": str(err)[:200]})
            return None
        question = request.question
        if question is None:
            return request.fail(response_codes.FORMERR).packed
        name = question.name.lower().rstrip(".")
        answer = ""
        if question.type == 1:
            answer = self._synthetic_for(name)
            reply = request.succeed([dns.ResourceRecord.A(question.name, ipaddress.IPv4Address(answer))])
        else:
            # AAAA, TXT and the rest: an empty answer; IPv4 is the only way on, and TXT
            # payloads (DNS tunnelling) are recorded but never delivered.
            reply = request.succeed([])
        self._emit(
            {
                "event": "dns",
                "client": client,
                "name": name,
                "type": DNS_TYPE_NAMES.get(question.type, str(question.type)),
                "answer": answer,
                "allowed": self._allowed(name, None),
            }
        )
        return reply.packed

    # ------------------------------------------------------------------ connections

    def client_connected(self, client: connection.Client) -> None:
        destination = client.sockname
        if client.transport_protocol != "tcp" or destination is None:
            return
        if self._is_recorder(destination[0]):
            client.error = "destination is the recorder itself"
            self._emit(
                {
                    "event": "refused",
                    "client": client.peername[0],
                    "ip": destination[0],
                    "port": destination[1],
                    "detail": "connection to the recorder itself refused",
                }
            )

    def client_disconnected(self, client: connection.Client) -> None:
        if client.transport_protocol != "tcp" or client.error == "destination is the recorder itself":
            return
        if client.id in self.recorded_clients:
            self.recorded_clients.discard(client.id)
            return
        destination = client.sockname
        if destination is None or self._is_recorder(destination[0]):
            return
        self._emit(
            {
                "event": "tcp",
                "client": client.peername[0],
                "host": self._host_for(destination),
                "ip": destination[0],
                "port": destination[1],
                "sent": 0,
                "received": 0,
                "allowed": False,
                "detail": "connected, sent nothing",
            }
        )

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        """The one place a connection to anywhere is opened: enforce the policy here."""
        original = data.server.address
        if original is None:
            data.server.error = "no destination"
            return
        host = self._host_for(original, data.server.sni)
        ip, port = original[0], original[1]
        upstream = self._upstream(host, ip, port) if self._allowed(host, ip) else None
        if upstream is None or self._is_recorder(upstream[0]):
            if self.sink_address is None:
                data.server.error = "recorder not ready"
                return
            upstream = self.sink_address
        # Every connection the recorder opens is recorded: the proof of what left the machine.
        self._emit(
            {
                "event": "upstream",
                "host": host,
                "ip": ip,
                "port": port,
                "address": list(upstream),
                "sink": upstream == self.sink_address,
            }
        )
        data.server.address = upstream

    # ------------------------------------------------------------------ HTTP

    def request(self, flow: http.HTTPFlow) -> None:
        self.recorded_clients.add(flow.client_conn.id)
        original = flow.client_conn.sockname
        host = self._host_for(original, flow.request.pretty_host if flow.request.host_header else None)
        ip, port = original[0], original[1]
        allowed = self._allowed(host, ip) and self._upstream(host, ip, port) is not None
        flow.metadata["inspector_allowed"] = allowed
        body = flow.request.get_content(strict=False) or b""
        headers = [[k, v[:4096]] for k, v in flow.request.headers.items(multi=True)]  # type: ignore[no-untyped-call]
        record: dict[str, Any] = {
            "event": "http",
            "client": flow.client_conn.peername[0],
            "host": host,
            "ip": ip,
            "port": port,
            "scheme": "https" if flow.client_conn.tls else "http",
            "method": flow.request.method,
            "path": flow.request.path[:2048],
            "sent": len(flow.request.raw_content or b""),
            "headers": headers,
            "allowed": allowed,
        }
        if body:
            record["request_body"] = self._save_artifact("request", body)
        if not allowed:
            flow.response = self._fake_response(flow)
            flow.metadata["inspector_fake"] = True
        flow.metadata["inspector_record"] = record

    def response(self, flow: http.HTTPFlow) -> None:
        record = flow.metadata.get("inspector_record")
        if record is None or flow.response is None:
            return
        body = flow.response.get_content(strict=False) or b""
        record["status"] = flow.response.status_code
        record["received"] = len(flow.response.raw_content or b"")
        record["fake"] = bool(flow.metadata.get("inspector_fake"))
        if record["allowed"] and body:
            record["response_body"] = self._save_artifact("response", body)
        self._emit(record)

    def error(self, flow: http.HTTPFlow) -> None:
        record = flow.metadata.get("inspector_record")
        if record is None:
            return
        record["error"] = str(flow.error)[:512] if flow.error else "error"
        self._emit(record)

    # ------------------------------------------------------------------ TLS and raw TCP

    def tls_failed_client(self, data: tls.TlsData) -> None:
        self.recorded_clients.add(data.context.client.id)
        original = data.context.client.sockname
        sni = data.context.client.sni
        self._emit(
            {
                "event": "tls-failed",
                "client": data.context.client.peername[0],
                "host": self._host_for(original, sni),
                "sni": sni,
                "ip": original[0],
                "port": original[1],
                "allowed": False,
                "detail": (str(data.conn.error) if data.conn.error else "TLS handshake failed")[:512],
            }
        )

    def tcp_start(self, flow: tcp.TCPFlow) -> None:
        self.recorded_clients.add(flow.client_conn.id)
        original = flow.client_conn.sockname
        host = self._host_for(original, flow.client_conn.sni)
        flow.metadata["inspector_record"] = {
            "event": "tcp",
            "client": flow.client_conn.peername[0],
            "host": host,
            "sni": flow.client_conn.sni,
            "ip": original[0],
            "port": original[1],
            "allowed": self._allowed(host, original[0]),
            "sent": 0,
            "received": 0,
        }

    def tcp_message(self, flow: tcp.TCPFlow) -> None:
        record = flow.metadata.get("inspector_record")
        if record is None:
            return
        message = flow.messages[-1]
        if message.from_client:
            record["sent"] += len(message.content)
            if "first_bytes" not in record:
                record["first_bytes"] = message.content[:FIRST_BYTES].decode("latin-1")
                record["request_body"] = self._save_artifact("tcp", message.content)
        else:
            record["received"] += len(message.content)
        if not record["allowed"]:
            # Recorded what the program said first; a blocked destination gets nothing back.
            flow.kill()  # type: ignore[no-untyped-call]

    def tcp_end(self, flow: tcp.TCPFlow) -> None:
        record = flow.metadata.pop("inspector_record", None)
        if record is not None:
            self._emit(record)

    def tcp_error(self, flow: tcp.TCPFlow) -> None:
        record = flow.metadata.pop("inspector_record", None)
        if record is not None:
            record["error"] = str(flow.error)[:512] if flow.error else "error"
            self._emit(record)


class _DnsServer(asyncio.DatagramProtocol):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        reply = self.recorder.answer_dns(data, str(addr[0]))
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


addons = [Recorder()]
