"""A local RDAP stub on 127.0.0.1: the IANA-style bootstrap and per-domain answers.

Tests never reach the internet: the bootstrap maps ``io``, ``com`` and ``net`` to this server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class RdapStub:
    base: str
    domains: dict[str, tuple[int, object]]  # domain -> (HTTP status, JSON body)
    requests: list[str] = field(default_factory=list)
    bootstrap_status: int = 200
    net_server: str | None = None  # where the bootstrap sends .net; default: this stub

    @property
    def bootstrap_url(self) -> str:
        return f"{self.base}/dns.json"


def registration(date: str) -> dict[str, object]:
    return {
        "objectClassName": "domain",
        "events": [
            {"eventAction": "last changed", "eventDate": "2026-11-01T00:00:00Z"},
            {"eventAction": "registration", "eventDate": date},
        ],
    }


@pytest.fixture
def rdap_stub() -> Iterator[RdapStub]:
    stub = RdapStub(base="", domains={})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            stub.requests.append(self.path)
            if self.path == "/dns.json":
                status = stub.bootstrap_status
                body: object = {
                    "version": "1.0",
                    "services": [
                        [["io", "com"], [f"{stub.base}/rdap/"]],
                        [["net"], [stub.net_server or f"{stub.base}/rdap-net/"]],
                    ],
                }
            elif self.path.startswith(("/rdap/domain/", "/rdap-net/domain/")):
                domain = self.path.rsplit("/", 1)[1]
                status, body = stub.domains.get(domain, (404, {"errorCode": 404}))
            else:
                status, body = 404, {}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/rdap+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
