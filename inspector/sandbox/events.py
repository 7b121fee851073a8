"""Turns the raw run records into report rows: network records (one per host, ip, port, protocol,
phase, with counts), downloaded payloads, and the connects only the process trace can see.

Inputs are untrusted JSON lines written by the recorder and the sniffer (the recorder parses
what the program sent) and strace output written inside the sandbox. Nothing here follows a
name from them to a path: artifact names are checked against the recorder's own pattern.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector.model.report import NetworkDecision, NetworkRecord, PhaseName
from inspector.model.stages import PayloadRecord
from inspector.sandbox.trace import ConnectRecord

ARTIFACT_NAME = re.compile(r"^[0-9]{5}-(request|response|tcp)\.bin$")
_ENGINE_SOCKETS = re.compile(r"(docker|containerd|podman|crio|runsc)[^/]*\.sock$")


def read_json_lines(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                yield value


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _phase(value: object, default: PhaseName) -> PhaseName:
    try:
        return PhaseName(value)
    except ValueError:
        return default


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text(value: object, limit: int = 300) -> str:
    return str(value)[:limit] if value is not None else ""


@dataclass
class _Row:
    first_seen: float
    decision: NetworkDecision
    detail: str
    count: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


@dataclass
class NetworkLog:
    """Accumulates events into rows keyed by (host, ip, port, protocol, phase)."""

    default_phase: PhaseName
    rows: dict[tuple[str | None, str | None, int | None, str, PhaseName], _Row] = field(default_factory=dict)

    def add(
        self,
        *,
        host: str | None,
        ip: str | None,
        port: int | None,
        protocol: str,
        phase: object,
        time: float,
        allowed: bool,
        detail: str,
        sent: int = 0,
        received: int = 0,
    ) -> None:
        key = (host, ip, port, protocol, _phase(phase, self.default_phase))
        decision = NetworkDecision.ALLOWED if allowed else NetworkDecision.BLOCKED
        row = self.rows.setdefault(key, _Row(first_seen=time, decision=decision, detail=detail))
        row.count += 1
        row.bytes_sent += sent
        row.bytes_received += received
        if time < row.first_seen:
            row.first_seen = time
        if allowed:
            row.decision = NetworkDecision.ALLOWED

    def records(self) -> tuple[NetworkRecord, ...]:
        ordered = sorted(self.rows.items(), key=lambda item: item[1].first_seen)
        return tuple(
            NetworkRecord(
                host=host,
                ip=ip,
                port=port,
                protocol=protocol,
                phase=phase,
                count=row.count,
                first_seen=_iso(row.first_seen),
                decision=row.decision,
                detail=row.detail,
                bytes_sent=row.bytes_sent,
                bytes_received=row.bytes_received,
            )
            for (host, ip, port, protocol, phase), row in ordered
        )


def _http_detail(event: dict[str, Any]) -> str:
    status = event.get("status")
    outcome = f"{status}" if status is not None else f"error: {_text(event.get('error'), 120)}"
    if event.get("fake"):
        outcome += " (fake)"
    return f"{_text(event.get('method'), 16)} {_text(event.get('path'), 200)} -> {outcome}"


def add_recorder_events(log: NetworkLog, events: Iterable[dict[str, Any]]) -> None:
    events = list(events)
    # One DNS row per name and phase, whatever the query types: keyed by the name's synthetic address.
    answers = {
        _text(e.get("name"), 255): _text(e.get("answer")) for e in events if e.get("event") == "dns" and e.get("answer")
    }
    dns_types: dict[str, list[str]] = {}
    for event in events:
        if event.get("event") == "dns":
            types = dns_types.setdefault(_text(event.get("name"), 255), [])
            qtype = _text(event.get("type"), 10)
            if qtype not in types:
                types.append(qtype)
    for event in events:
        kind = event.get("event")
        time = float(event.get("time", 0.0))
        phase = event.get("phase")
        if kind == "dns":
            name = _text(event.get("name"), 255)
            answer = answers.get(name) or None
            log.add(
                host=name or None,
                ip=answer,
                port=53,
                protocol="dns",
                allowed=bool(event.get("allowed")),
                detail=f"DNS {'/'.join(dns_types[name])} -> {answer or 'empty answer'}",
                phase=phase,
                time=time,
            )
        elif kind == "http":
            log.add(
                host=_text(event.get("host"), 255) or None,
                ip=_text(event.get("ip")) or None,
                port=event.get("port") if isinstance(event.get("port"), int) else None,
                protocol="https" if event.get("scheme") == "https" else "http",
                allowed=bool(event.get("allowed")),
                detail=_http_detail(event),
                sent=_int(event.get("sent")),
                received=_int(event.get("received")),
                phase=phase,
                time=time,
            )
        elif kind in ("tcp", "tls-failed", "refused"):
            first = event.get("first_bytes")
            if kind == "tcp":
                detail = f"first bytes: {_text(first, 120)!r}" if first else _text(event.get("detail")) or "raw TCP"
            elif kind == "tls-failed":
                detail = f"TLS failed (SNI {_text(event.get('sni'), 255) or 'none'}): {_text(event.get('detail'), 160)}"
            else:
                detail = _text(event.get("detail"))
            log.add(
                host=_text(event.get("host"), 255) or None,
                ip=_text(event.get("ip")) or None,
                port=event.get("port") if isinstance(event.get("port"), int) else None,
                protocol="tls" if kind == "tls-failed" else "tcp",
                allowed=bool(event.get("allowed")),
                detail=detail,
                sent=_int(event.get("sent")),
                received=_int(event.get("received")),
                phase=phase,
                time=time,
            )


def add_sniffer_events(log: NetworkLog, events: Iterable[dict[str, Any]]) -> None:
    """Dropped traffic the recorder never sees: UDP (not DNS), ICMP, IPv6, other IP protocols."""
    for event in events:
        protocol = event.get("protocol")
        if protocol == "tcp-syn" or not isinstance(protocol, str):
            continue  # TCP is steered to the recorder, which records it with names
        log.add(
            host=None,
            ip=_text(event.get("ip")) or None,
            port=event.get("port") if isinstance(event.get("port"), int) else None,
            protocol=protocol,
            phase=event.get("phase"),
            time=float(event.get("time", 0.0)),
            allowed=False,
            detail=f"dropped at the bridge: {_text(event.get('detail'), 120)}",
        )


def add_trace_connects(log: NetworkLog, connects: Iterable[ConnectRecord], time: float) -> None:
    """Connects that never reach the wire: the container engine's socket, IPv6 (disabled)."""
    for connect in connects:
        if connect.family == "AF_UNIX" and connect.address and _ENGINE_SOCKETS.search(connect.address):
            log.add(
                host=connect.address,
                ip=None,
                port=None,
                protocol="unix",
                phase=connect.phase.value,
                time=time,
                allowed=False,
                detail=f"container engine socket: {connect.result}",
            )
        elif connect.family == "AF_INET6" and connect.address and not connect.address.startswith("::ffff:"):
            # (an IPv4 address in IPv6 clothing goes the IPv4 way, through the recorder)
            log.add(
                host=None,
                ip=connect.address,
                port=connect.port,
                protocol="ipv6",
                phase=connect.phase.value,
                time=time,
                allowed=False,
                detail=f"IPv6 connect: {connect.result}",
            )


def payloads(events: Iterable[dict[str, Any]], artifacts_relative: str) -> tuple[PayloadRecord, ...]:
    """Bodies the program received from allowed hosts: what the pipeline rescans."""
    found: list[PayloadRecord] = []
    for event in events:
        body = event.get("response_body")
        if event.get("event") != "http" or not isinstance(body, dict) or event.get("fake"):
            continue
        name = body.get("artifact")
        if not isinstance(name, str) or not ARTIFACT_NAME.match(name):
            continue
        host = _text(event.get("host"), 255) or _text(event.get("ip"))
        port = event.get("port")
        scheme = "https" if event.get("scheme") == "https" else "http"
        url = f"{scheme}://{host}:{port}{_text(event.get('path'), 2048)}"
        found.append(
            PayloadRecord(
                url=url,
                host=host,
                artifact=f"{artifacts_relative}/{name}",
                sha256=_text(body.get("sha256"), 64),
                size=_int(body.get("size")),
            )
        )
    return tuple(found)


def outbound_messages(events: Iterable[dict[str, Any]], artifacts: Path) -> Iterator[tuple[dict[str, Any], bytes]]:
    """(event, request body bytes) for every recorded outbound message, for the exfiltration check."""
    for event in events:
        body = event.get("request_body")
        data = b""
        if isinstance(body, dict) and isinstance(body.get("artifact"), str) and ARTIFACT_NAME.match(body["artifact"]):
            data = (artifacts / body["artifact"]).read_bytes()
        if event.get("event") in ("http", "tcp", "dns"):
            yield event, data
