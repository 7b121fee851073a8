"""Decoy values in outbound traffic: proof that the program sent planted secrets away.

Public interface (pure: values in, findings out)::

    OutboundMessage(host: str, port: int | None, protocol: str, method: str, path: str,
                    headers: tuple[tuple[str, str], ...], body: bytes, phase: PhaseName | None,
                    time: str)
    OutboundMessage.from_recorder_event(event: Mapping[str, Any], body: bytes = b"") -> OutboundMessage
    find_exfiltration(decoys: DecoySet, messages: Iterable[OutboundMessage]) -> tuple[Finding, ...]

Every text secret and binary fingerprint of the :class:`DecoySet` is searched in the host name
(DNS tunnelling), the request path, the headers and the body of each message, as it is and in the
encodings stealers use: hex, base64 (standard and URL-safe, at each of the three byte alignments,
so the secret is found inside the base64 of a larger file), URL encoding, JSON string escaping.
Bodies are also unpacked (bounded in depth, count and size): gzip, zlib/deflate, brotli and
zstd streams, ``multipart/form-data`` parts, zip and tar archives, JSON strings, form fields and
long base64 or hex runs (a zip, base64-encoded, inside a JSON field is found).

A hit is an ``exfiltration`` finding (critical) naming the decoy, host, port and the chain of
encodings, once per (decoy, host, port). A credential sent in a header to its own service
(:attr:`DecoyFile.service_hosts`, e.g. an AWS SDK signing a request to ``*.amazonaws.com``) is
use rather than theft and is reported at medium.

Bodies are attacker-controlled: nothing is executed, archive member names are labels only, and
every decoder stops at :data:`MAX_DECODED_BYTES` (decompression bombs) and :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus, unquote_to_bytes

import brotli
import zstandard

from inspector.model.findings import new_finding
from inspector.model.report import Category, Engine, Finding, PhaseName, Severity
from inspector.sandbox.honeytokens import DecoySet
from inspector.textsafe import terminal_safe

MAX_DEPTH = 4
MAX_DECODED_BYTES = 16 * 1024 * 1024  # per message, across every unpacked view
MAX_VIEWS = 2000  # per message
MAX_ARCHIVE_MEMBERS = 500
MAX_BLOBS_PER_VIEW = 64
MIN_SECRET_LENGTH = 12

_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/_-]{40,}={0,2}")
_HEX_RUN = re.compile(rb"(?:[0-9a-fA-F]{2}){32,}")
# Shortest encoded needles (a 12-byte secret); a view without such a run cannot hold one.
_SOME_BASE64 = re.compile(rb"[A-Za-z0-9+/_-]{14}")
_SOME_HEX = re.compile(rb"[0-9a-fA-F]{24}")
_URLSAFE_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_DISPOSITION_NAME = re.compile(rb'\bname="([^"]*)"', re.IGNORECASE)
_DISPOSITION_FILENAME = re.compile(rb'\bfilename="([^"]*)"', re.IGNORECASE)


@dataclass(frozen=True)
class OutboundMessage:
    """One thing the program sent out: an HTTP request, raw TCP bytes or a DNS question."""

    host: str  # DNS name, SNI or Host header; the IP literal when nothing named it
    port: int | None
    protocol: str  # "http", "https", "tcp", "dns", ...
    method: str  # HTTP method; "" for other protocols
    path: str  # HTTP path with query; ""
    headers: tuple[tuple[str, str], ...]
    body: bytes
    phase: PhaseName | None
    time: str  # ISO 8601

    @classmethod
    def from_recorder_event(cls, event: Mapping[str, Any], body: bytes = b"") -> OutboundMessage:
        """Build from one recorder JSON line (``inspector/sandbox/recorder/addon.py``).

        ``body`` is the saved request-body artifact the caller read; for raw TCP without one,
        the event's ``first_bytes`` are used. Missing or mistyped keys become empty values.
        """
        host = _text(event.get("host")) or _text(event.get("sni")) or _text(event.get("name"))
        host = host or _text(event.get("ip"))
        port = event.get("port")
        protocol = _text(event.get("scheme")) or _text(event.get("event")) or _text(event.get("protocol"))
        headers: list[tuple[str, str]] = []
        raw_headers = event.get("headers")
        if isinstance(raw_headers, Mapping):
            headers = [(_text(k), _text(v)) for k, v in raw_headers.items()]
        elif isinstance(raw_headers, list):
            headers = [
                (_text(pair[0]), _text(pair[1]))
                for pair in raw_headers
                if isinstance(pair, (list, tuple)) and len(pair) == 2
            ]
        if not body and isinstance(event.get("first_bytes"), str):
            body = event["first_bytes"].encode("latin-1", errors="replace")
        phase_value = event.get("phase")
        phase = next((p for p in PhaseName if p.value == phase_value), None)
        return cls(
            host=host,
            port=port if isinstance(port, int) and not isinstance(port, bool) else None,
            protocol=protocol,
            method=_text(event.get("method")),
            path=_text(event.get("path")),
            headers=tuple(headers),
            body=body,
            phase=phase,
            time=_iso_time(event.get("time")),
        )


def find_exfiltration(decoys: DecoySet, messages: Iterable[OutboundMessage]) -> tuple[Finding, ...]:
    needles = _build_needles(decoys)
    findings: dict[tuple[str, str, str, int | None], Finding] = {}
    for message in messages:
        for needle, location, encoding in _hits(message, needles):
            finding = _finding(message, needle, location, encoding)
            findings.setdefault((finding.rule, needle.decoy_path, message.host, message.port), finding)
    return tuple(findings.values())


# ---------------------------------------------------------------------------------------
# needles


@dataclass(frozen=True)
class _Needle:
    decoy_path: str
    kind: str
    label: str
    encoding: str  # "raw", "hex", "base64", "json-escaped", "url-encoded"
    pattern: bytes
    service_hosts: tuple[str, ...]


def _build_needles(decoys: DecoySet) -> tuple[_Needle, ...]:
    needles: dict[bytes, _Needle] = {}
    sources: list[tuple[str, str, str, bytes, bool, tuple[str, ...]]] = []
    for decoy in decoys.files:
        sources += [(decoy.path, decoy.kind, decoy.label, s.encode(), True, decoy.service_hosts) for s in decoy.secrets]
        sources += [
            (decoy.path, decoy.kind, decoy.label, bytes.fromhex(h), False, decoy.service_hosts)
            for h in decoy.fingerprints
        ]
    for variable in decoys.environment:
        sources.append(
            (
                f"env:{variable.name}",
                variable.kind,
                f"environment variable {variable.name}",
                variable.value.encode(),
                True,
                variable.service_hosts,
            )
        )
    for path, kind, label, raw, is_text, service_hosts in sources:
        if len(raw) < MIN_SECRET_LENGTH:
            continue
        for encoding, pattern in _encodings(raw, is_text):
            if pattern not in needles:
                needles[pattern] = _Needle(path, kind, label, encoding, pattern, service_hosts)
    return tuple(needles.values())


def _encodings(raw: bytes, is_text: bool) -> Iterator[tuple[str, bytes]]:
    yield "raw", raw
    yield "hex", raw.hex().encode()  # searched in the lower-cased view
    for offset in range(3):
        inner = _base64_inner(raw, offset)
        if len(inner) >= 8:
            yield "base64", inner  # searched with the URL-safe alphabet mapped to the standard one
    if is_text:
        text = raw.decode()
        escaped = json.dumps(text)[1:-1].encode()
        if escaped != raw:
            yield "json-escaped", escaped
        if b"/" in escaped:
            yield "json-escaped", escaped.replace(b"/", b"\\/")
        for quoted in (quote(text, safe=""), quote_plus(text, safe="")):
            if quoted.encode() != raw:
                yield "url-encoded", quoted.encode()


def _base64_inner(raw: bytes, offset: int) -> bytes:
    """The base64 characters that depend only on ``raw`` when it starts ``offset`` bytes into a stream."""
    encoded = base64.b64encode(b"\0" * offset + raw).rstrip(b"=")
    first = -(-8 * offset // 6)
    last = (8 * (offset + len(raw))) // 6
    return encoded[first:last]


# ---------------------------------------------------------------------------------------
# views of a message


@dataclass
class _Budget:
    bytes_left: int = MAX_DECODED_BYTES
    views_left: int = MAX_VIEWS

    def take(self, size: int) -> bool:
        if self.views_left <= 0 or size > self.bytes_left:
            return False
        self.views_left -= 1
        self.bytes_left -= size
        return True


def _hits(message: OutboundMessage, needles: tuple[_Needle, ...]) -> Iterator[tuple[_Needle, str, str]]:
    budget = _Budget()
    for location, view in _views(message, budget):
        # Each needle costs one pass over the view: skip the encoded families the view cannot hold.
        lowered = view.lower() if _SOME_HEX.search(view) else None
        standard = view.translate(_URLSAFE_TO_STANDARD) if _SOME_BASE64.search(view) else None
        for needle in needles:
            if needle.encoding == "hex":
                if lowered is not None and needle.pattern in lowered:
                    yield needle, location, "hex"
            elif needle.encoding == "base64":
                if standard is not None and needle.pattern in standard:
                    yield needle, location, "base64" if needle.pattern in view else "base64url"
            elif needle.pattern in view:
                yield needle, location, needle.encoding


def _views(message: OutboundMessage, budget: _Budget) -> Iterator[tuple[str, bytes]]:
    host = message.host.encode("utf-8", errors="replace")
    yield "host name", host
    if message.protocol == "dns" or host.count(b".") > 2:
        yield "host name labels", host.replace(b".", b"")
    if message.path:
        path = message.path.encode("utf-8", errors="replace")
        yield "url", path
        yield from _nested("url", unquote_plus(message.path).encode("utf-8", errors="replace"), budget, 1)
    content_type = content_encoding = ""
    for name, value in message.headers:
        if name.lower() == "content-type":
            content_type = value
        elif name.lower() == "content-encoding":
            content_encoding = value.lower()
        header = value.encode("utf-8", errors="replace")
        yield f"header {name}", header
        if len(header) >= 40:
            yield from _nested(f"header {name}", header, budget, 1)
    if message.body:
        yield "body", message.body
        if "br" in content_encoding:
            # Brotli has no magic number; the recorder usually hands over decoded bodies already.
            inflated = _brotli(message.body, budget.bytes_left)
            if inflated and budget.take(len(inflated)):
                yield "body > brotli", inflated
                yield from _nested("body > brotli", inflated, budget, 2, content_type)
        yield from _nested("body", message.body, budget, 1, content_type)


def _nested(
    location: str, data: bytes, budget: _Budget, depth: int, content_type: str = ""
) -> Iterator[tuple[str, bytes]]:
    """Views found by unpacking ``data``; ``data`` itself has already been yielded."""
    if depth > MAX_DEPTH or not data:
        return
    for label, inner, inner_type in _unpack(data, content_type, budget):
        where = f"{location} > {label}"
        yield where, inner
        yield from _nested(where, inner, budget, depth + 1, inner_type)


def _unpack(data: bytes, content_type: str, budget: _Budget) -> Iterator[tuple[str, bytes, str]]:
    decompressed = _decompress(data, budget)
    if decompressed is not None:
        yield decompressed[0], decompressed[1], ""
        return
    if data.startswith(b"PK\x03\x04"):
        yield from _zip_members(data, budget)
        return
    if len(data) > 512 and data[257:262] == b"ustar":
        yield from _tar_members(data, budget)
        return
    boundary = _multipart_boundary(data, content_type)
    if boundary is not None:
        yield from _multipart_parts(data, boundary, budget)
        return
    stripped = data.lstrip()
    if stripped[:1] in (b"{", b"[", b'"'):
        strings = _json_strings(data)
        if strings is not None and budget.take(len(strings)):
            yield "json", strings, ""
    if (b"%" in data or (b"+" in data and b"=" in data)) and _is_textual(data):
        form = unquote_to_bytes(data.replace(b"+", b" "))
        if form != data and budget.take(len(form)):
            yield "url-decoded", form, ""
    for count, match in enumerate(_BASE64_RUN.finditer(data)):
        if count >= MAX_BLOBS_PER_VIEW:
            break
        decoded = _b64decode(match.group(0))
        if decoded is not None and len(decoded) >= 24 and budget.take(len(decoded)):
            yield "base64-decoded", decoded, ""
    for count, match in enumerate(_HEX_RUN.finditer(data)):
        if count >= MAX_BLOBS_PER_VIEW:
            break
        decoded = bytes.fromhex(match.group(0).decode())
        if budget.take(len(decoded)):
            yield "hex-decoded", decoded, ""


def _decompress(data: bytes, budget: _Budget) -> tuple[str, bytes] | None:
    limit = min(budget.bytes_left, MAX_DECODED_BYTES)
    try:
        if data.startswith(b"\x1f\x8b"):
            label, out = "gzip", zlib.decompressobj(wbits=31).decompress(data, limit + 1)
        elif data[:1] == b"\x78" and len(data) > 2 and (data[0] << 8 | data[1]) % 31 == 0:
            label, out = "deflate", zlib.decompressobj(wbits=15).decompress(data, limit + 1)
        elif data.startswith(b"\x28\xb5\x2f\xfd"):
            reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data))
            label, out = "zstd", reader.read(limit + 1)
        else:
            return None
    except (zlib.error, zstandard.ZstdError, EOFError):
        return None
    if not out or not budget.take(len(out[:limit])):
        return None
    return label, out[:limit]


def _brotli(data: bytes, limit: int) -> bytes | None:
    """Brotli, fed in small steps so a bomb stops just past ``limit``."""
    if len(data) < 8:
        return None
    decompressor = brotli.Decompressor()
    out = bytearray()
    try:
        for start in range(0, len(data), 16):
            out += decompressor.process(data[start : start + 16])
            if len(out) > limit:
                break
    except brotli.error:
        return None
    if not decompressor.is_finished() and len(out) <= limit:
        return None
    return bytes(out[:limit])


def _zip_members(data: bytes, budget: _Budget) -> Iterator[tuple[str, bytes, str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()[:MAX_ARCHIVE_MEMBERS]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    for info in members:
        if info.is_dir():
            continue
        try:
            with archive.open(info) as handle:
                content = handle.read(min(budget.bytes_left, MAX_DECODED_BYTES) + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, ValueError, EOFError, zlib.error):
            # Encrypted or unsupported members cannot be searched.
            continue
        if budget.take(len(content)):
            yield f"zip member {info.filename!r}", content, ""


def _tar_members(data: bytes, budget: _Budget) -> Iterator[tuple[str, bytes, str]]:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            contents = []
            for member in archive.getmembers()[:MAX_ARCHIVE_MEMBERS]:
                handle = archive.extractfile(member) if member.isfile() else None
                if handle is not None:
                    contents.append((member.name, handle.read(min(budget.bytes_left, MAX_DECODED_BYTES) + 1)))
    except (tarfile.TarError, OSError, ValueError, EOFError):
        return
    for name, content in contents:
        if budget.take(len(content)):
            yield f"tar member {name!r}", content, ""


def _multipart_boundary(data: bytes, content_type: str) -> bytes | None:
    match = _BOUNDARY.search(content_type) if "multipart" in content_type.lower() else None
    if match is not None:
        return match.group(1).encode("latin-1", errors="replace")
    if data.startswith(b"--"):
        first_line = data.split(b"\r\n", 1)[0].split(b"\n", 1)[0]
        if 4 < len(first_line) <= 200 and b" " not in first_line:
            return first_line[2:]
    return None


def _multipart_parts(data: bytes, boundary: bytes, budget: _Budget) -> Iterator[tuple[str, bytes, str]]:
    for index, part in enumerate(data.split(b"--" + boundary)[1 : MAX_ARCHIVE_MEMBERS + 1]):
        head, separator, content = part.partition(b"\r\n\r\n")
        if not separator:
            head, separator, content = part.partition(b"\n\n")
        if not separator:
            continue
        content = content.removesuffix(b"\r\n").removesuffix(b"\n")
        name = _DISPOSITION_NAME.search(head)
        filename = _DISPOSITION_FILENAME.search(head)
        label = f"multipart field {name.group(1).decode('latin-1') if name else index!r}"
        if filename is not None:
            label += f" file {filename.group(1).decode('latin-1')!r}"
        part_type = ""
        for line in head.split(b"\n"):
            if line.lower().startswith(b"content-type:"):
                part_type = line.split(b":", 1)[1].strip().decode("latin-1")
        if budget.take(0):
            yield label, content, part_type


def _is_textual(data: bytes) -> bool:
    """Mostly printable ASCII at the start: worth URL-decoding (binary is not)."""
    sample = data[:65536]
    printable = sum(1 for byte in sample if 32 <= byte < 127 or byte in (9, 10, 13))
    return printable >= 0.95 * len(sample)


def _json_strings(data: bytes) -> bytes | None:
    """Every string (and key) in a JSON document, newline-joined; None when it is not JSON."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return None
    out: list[str] = []
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            out.extend(str(k) for k in item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return "\n".join(out).encode("utf-8", errors="backslashreplace")


def _b64decode(run: bytes) -> bytes | None:
    body = run.rstrip(b"=")
    padded = body + b"=" * (-len(body) % 4)
    alphabet = b"-_" if (b"-" in body or b"_" in body) else b"+/"
    try:
        return base64.b64decode(padded, altchars=alphabet, validate=True)
    except (binascii.Error, ValueError):
        return None


# ---------------------------------------------------------------------------------------
# findings


def _finding(message: OutboundMessage, needle: _Needle, location: str, encoding: str) -> Finding:
    host = message.host
    presented = location.startswith("header ") and any(
        host == h or host.endswith("." + h) for h in needle.service_hosts
    )
    where = f"{host}:{message.port}" if message.port is not None else host
    request = " ".join(part for part in (message.protocol, message.method, message.path[:200]) if part)
    phase = f" during {message.phase.value}" if message.phase else ""
    if presented:
        # MEDIUM, below the exfiltration default: the credential went to its own service.
        rule, severity = "decoy-credential-presented", Severity.MEDIUM
        message_text = (
            f"decoy {needle.kind} ({needle.label}) was presented to its own service {terminal_safe(where)}"
            f"{phase} in {location}: the program used the credential"
        )
    else:
        rule, severity = "honeytoken-exfiltration", None
        message_text = (
            f"decoy {needle.kind} ({needle.label}) was sent to {terminal_safe(where)}{phase} "
            f"in {terminal_safe(location, limit=200)} as {encoding}"
        )
    return new_finding(
        rule,
        Category.EXFILTRATION,
        Engine.SANDBOX,
        message_text,
        severity=severity,
        evidence=f"{request} -> {where}\nfound in {location} as {encoding}\ndecoy: ~/{needle.decoy_path}"
        if not needle.decoy_path.startswith("env:")
        else f"{request} -> {where}\nfound in {location} as {encoding}\ndecoy: {needle.decoy_path}",
        hosts=(host,) if host else (),
        id_key=(rule, needle.decoy_path, host, message.port),
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _iso_time(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return ""
    return value if isinstance(value, str) else ""
