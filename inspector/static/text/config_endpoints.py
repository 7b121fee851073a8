"""Endpoints named in configuration and scripts (JSON, YAML, TOML, INI, Dockerfiles, CI files,
Makefiles, shell scripts), including values hidden as base64 or hex.

Code files and ``.env*`` belong to the code-endpoints engine; Markdown is documentation and is
not an endpoint source. In lock files only hosts that are not package registries are kept (a
``resolved`` URL on a stranger's server is worth seeing; ten thousand npmjs URLs are not).

Test fixtures hold recorded traffic: an ``x-client-ip`` header of a saved Wikipedia response is
the address of whoever recorded it, not a host the code contacts. In data files under a fixture
folder, a host that is the value of an HTTP header or appears only inside a recorded response
(``response``/``body``/``headers`` in nock, Polly and VCR recordings) stays in the inventory,
marked as recorded data, and gets no finding. A host under any other key of the same file (a
``"api": "http://1.2.3.4:1224"``) still counts.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from inspector.model import Category, Endpoint, EndpointSource, Finding, Severity
from inspector.static.hosts import classify, ip_literal, is_public_suffix_host, normalize_host
from inspector.static.text.common import (
    Deadline,
    is_config_file,
    is_doc_file,
    is_lockfile,
    is_script_file,
    line_starts,
    make_finding,
    name_of,
)
from inspector.textsafe import terminal_safe

_URL = re.compile(r"\b(?:https?|wss?|ftp)://[^\s\"'<>`\\)\]},;|^]{1,2048}", re.I)
_BARE_IP = re.compile(r"(?<![\w.])((?:\d{1,3}\.){3}\d{1,3})(?::(\d{2,5}))?(?![\w.])")
# The key word first (no leading [\w.-]* to backtrack through every number of a data file).
_HOST_KEY = re.compile(
    r"(?i)(?:host|domain|server|endpoint|api|url|uri|origin|address|addr|remote|callback|webhook|c2|gateway"
    r"|base)[\w.-]{0,40}[\"']?\s{0,8}[:=]\s{0,8}[\"']?([a-z0-9][a-z0-9.-]{0,250}\.[a-z]{2,63})(?::(\d{2,5}))?\b"
)
_HOSTISH_KEY = re.compile(
    r"(?i)host|domain|server|endpoint|api|url|uri|origin|addr|remote|callback|webhook|c2|gateway|ip|proxy|dns|peer"
)
# Unbounded but linear: the look-behind stops a match from starting inside a run, the greedy
# run is consumed once. Tokens longer than MAX_TOKEN_CHARS are skipped after matching.
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/_-])([A-Za-z0-9+/_-]{16,}={0,2})(?![A-Za-z0-9+/=_-])")
_HEX = re.compile(r"(?<![0-9A-Za-z])((?:[0-9a-fA-F]{2}){12,})(?![0-9A-Za-z])")
_INTEGRITY_PREFIXES = ("sha512-", "sha256-", "sha1-", "sha384-")
MAX_TOKEN_CHARS = 8192
_KEY_BEFORE = re.compile(r"[\"']?([\w.-]{1,80})[\"']?\s*[:=]\s*[\"']?$")
_SUSPICIOUS_CLASSES = frozenset({"json-hosting", "tunnel", "free-app-hosting", "raw-ip", "unusual-port"})
_CI_DIRS = (".github/workflows/", ".gitlab/", ".circleci/", ".buildkite/")
MAX_DECODE_TOKENS = 5000


def is_endpoint_config(path: str) -> bool:
    name = name_of(path)
    return (
        is_config_file(path)
        or is_script_file(path)
        or any(d in f"/{path}" for d in _CI_DIRS)
        or name in ("jenkinsfile", ".gitmodules", "procfile", "vagrantfile")
    )


@dataclass(frozen=True)
class _Hit:
    host: str
    url: str | None
    port: int | None
    line: int
    how: str
    key: str = ""  # the config key the value is assigned to, when the line shows one


def _url_hit(url: str, line: int, how: str, key: str = "") -> _Hit | None:
    url = url.rstrip(".,:")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if not host or "$" in host or "{" in url[: url.find(host) + len(host)]:
        return None
    host = normalize_host(host)
    if ip_literal(host) is None and ("." not in host and host != "localhost"):
        return None
    if ip_literal(host) is None and not re.fullmatch(r"[a-z0-9.-]+", host):
        return None
    return _Hit(host, url, port, line, how, key)


def _decoded_text(token: str, kind: str) -> str | None:
    try:
        if kind == "hex":
            raw = binascii.unhexlify(token)
        else:
            padded = token + "=" * (-len(token) % 4)
            raw = base64.urlsafe_b64decode(padded) if ("-" in token or "_" in token) else base64.b64decode(padded)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(ch.isprintable() for ch in text)
    return text if text and printable >= len(text) * 0.9 else None


def _key_for(preceding: str) -> str:
    """The key a value is assigned to, from the text just before it on its line."""
    match = _KEY_BEFORE.search(preceding)
    return match.group(1) if match else "value"


_HOST_KEY_WORDS = (
    "host",
    "domain",
    "server",
    "endpoint",
    "api",
    "url",
    "uri",
    "origin",
    "addr",
    "remote",
    "callback",
    "webhook",
    "c2",
    "gateway",
    "base",
)


def _host_key_matches(text: str) -> list[re.Match[str]]:
    """_HOST_KEY anchored at each key word found with str.find (a scan for an alternation is slow)."""
    lowered = text.lower()
    matches: dict[int, re.Match[str]] = {}
    for word in _HOST_KEY_WORDS:
        position = lowered.find(word)
        while position != -1:
            match = _HOST_KEY.match(text, position)
            if match:
                matches.setdefault(match.start(1), match)
            position = lowered.find(word, position + len(word))
    return [matches[k] for k in sorted(matches)]


def extract_hits(path: str, text: str, deadline: Deadline, *, encoded_only: bool = False) -> list[_Hit]:
    """Every endpoint named in ``text``. Whole-text passes with bounded, linear patterns."""
    starts = line_starts(text)

    def line_at(offset: int) -> int:
        return bisect_right(starts, offset)

    def before(offset: int) -> str:
        return text[max(starts[line_at(offset) - 1], offset - 120) : offset]

    hits: list[_Hit] = []
    if not encoded_only and "://" in text:
        for index, match in enumerate(_URL.finditer(text)):
            if index % 1024 == 1023 and deadline.expired():
                return hits
            hit = _url_hit(match.group(), line_at(match.start()), "literal", _key_for(before(match.start())))
            if hit:
                hits.append(hit)
    if not encoded_only:
        for match in _BARE_IP.finditer(text):
            if "://" in before(match.start())[-12:] or ip_literal(match.group(1)) is None:
                continue
            port = int(match.group(2)) if match.group(2) else None
            key = _key_for(before(match.start()))
            if port is None and not _HOSTISH_KEY.search(key):
                continue  # four dotted numbers without a port or a host key: a version, not an address
            hits.append(_Hit(match.group(1), None, port, line_at(match.start()), "IP literal", key))
        for match in _host_key_matches(text):
            host = match.group(1).lower()
            if "://" in text[max(0, match.start(1) - 3) : match.start(1)] or not is_public_suffix_host(host):
                continue
            port = int(match.group(2)) if match.group(2) else None
            hits.append(
                _Hit(host, None, port, line_at(match.start(1)), "host name in config", _key_for(before(match.start(1))))
            )
    where = "literal" if encoded_only else "config value"
    tried = 0
    for kind, pattern in (("base64", _BASE64), ("hex", _HEX)):
        for match in pattern.finditer(text):
            token = match.group(1)
            if len(token) > MAX_TOKEN_CHARS or before(match.start()).endswith(_INTEGRITY_PREFIXES):
                continue
            tried += 1
            if tried > MAX_DECODE_TOKENS or (tried % 256 == 0 and deadline.expired()):
                return hits
            decoded = _decoded_text(token, kind)
            if decoded is None or "://" not in decoded:
                continue
            key = _key_for(before(match.start()))
            for url in _URL.findall(decoded):
                hit = _url_hit(url, line_at(match.start()), f"{kind} in {where} {key}")
                if hit:
                    hits.append(hit)
    return hits


FIXTURE_DIRS = frozenset(
    {
        "fixtures",
        "fixture",
        "__fixtures__",
        "testdata",
        "test-data",
        "test_data",
        "recordings",
        "__recordings__",
        "cassettes",
        "__snapshots__",
        "snapshots",
        "__mocks__",
    }
)
# Keys under which recordings keep what a server sent back (nock, Polly.js, VCR.py, HAR).
_RECORDED_KEYS = frozenset(
    {
        "response",
        "responses",
        "body",
        "responsebody",
        "response_body",
        "headers",
        "rawheaders",
        "responseheaders",
        "response_headers",
    }
)
_HEADER_KEY = re.compile(r"(?i)^(?:x|cf|fastly|true|client|remote)[-_][\w-]+$|^forwarded$|^via$")
MAX_FIXTURE_JSON_BYTES = 4 * 1024 * 1024
RECORDED_HOW = "recorded data in a test fixture"


def is_fixture_data(path: str) -> bool:
    """A data file (JSON, YAML, text) inside a test-fixture folder."""
    parts = path.lower().split("/")
    return any(part in FIXTURE_DIRS for part in parts[:-1]) and (is_config_file(path) or is_doc_file(path))


def _strings(value: object) -> list[str]:
    """Every key and string value in a JSON value."""
    found: list[str] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            found.extend(str(k) for k in node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _recorded_and_other_text(text: str) -> tuple[str, str] | None:
    """Strings inside recorded responses, and all the other strings, of a JSON fixture."""
    if len(text) > MAX_FIXTURE_JSON_BYTES:
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    recorded: list[str] = []
    other: list[str] = []
    stack: list[object] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if str(key).lower() in _RECORDED_KEYS:
                    recorded.extend(_strings(value))
                else:
                    other.append(str(key))
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            other.append(node)
    return "\n".join(recorded), "\n".join(other)


def _recorded(path: str, text: str, hits: list[_Hit]) -> set[int]:
    """Indexes of hits that are recorded traffic in a fixture rather than endpoints."""
    if not is_fixture_data(path):
        return set()
    found = {index for index, hit in enumerate(hits) if _HEADER_KEY.match(hit.key)}
    if "{" in text[:4096] or "[" in text[:4096]:
        parts = _recorded_and_other_text(text)
        if parts is not None:
            recorded, other = parts
            found |= {i for i, hit in enumerate(hits) if hit.host in recorded and hit.host not in other}
    return found


# Prefixes of "http"/"ws" in base64 and hex: code files are only decoded when one is present.
ENCODED_URL_MARKERS = ("aHR0c", "d3M6Ly", "d3NzOi", "68747470", "77733a2f")


def check_config_endpoints(
    path: str, text: str, deadline: Deadline, *, encoded_only: bool = False
) -> tuple[list[Endpoint], list[Finding]]:
    """Endpoints named in one config/script file, and findings for hidden or risky ones.

    ``encoded_only`` (for code files, whose literals the code-endpoints engine folds) keeps just
    URLs hidden in base64/hex tokens.
    """
    lockfile = is_lockfile(path)
    found = extract_hits(path, text, deadline, encoded_only=encoded_only)
    recorded = _recorded(path, text, found)
    by_host: dict[str, list[_Hit]] = {}
    for index, hit in enumerate(found):
        if index in recorded:
            hit = replace(hit, how=f"{hit.how}, {RECORDED_HOW}")
        by_host.setdefault(hit.host, []).append(hit)
    endpoints: list[Endpoint] = []
    findings: list[Finding] = []
    for host, all_hits in by_host.items():
        ports = tuple(sorted({h.port for h in all_hits if h.port is not None}))
        classification = classify(host, ports)
        if lockfile and classification in ("package-registry", "local", "documentation"):
            continue
        urls = tuple(dict.fromkeys(h.url for h in all_hits if h.url))[:20]
        sources = tuple(dict.fromkeys(EndpointSource(path, h.line, h.how) for h in all_hits))[:20]
        endpoints.append(Endpoint(host, urls, sources, classification, ports))
        # Recorded traffic stays in the inventory (above) but is no evidence of anything.
        hits = [h for h in all_hits if not h.how.endswith(RECORDED_HOW)]
        if not hits:
            continue
        encoded = next((h for h in hits if h.how.startswith(("base64", "hex"))), None)
        if encoded_only and encoded is None:
            continue
        if encoded is not None:
            findings.append(
                replace(
                    make_finding(
                        "endpoint.encoded-in-config" if not encoded_only else "endpoint.encoded-literal",
                        Severity.MEDIUM,
                        Category.ENDPOINT,
                        path,
                        encoded.line,
                        None,
                        f"{encoded.how} decodes to a URL on {host} ({classification})",
                        terminal_safe(encoded.url or host),
                    ),
                    hosts=(host,),
                )
            )
        elif classification in _SUSPICIOUS_CLASSES:
            first = hits[0]
            findings.append(
                replace(
                    make_finding(
                        "endpoint.risky-host-in-config",
                        Severity.LOW,  # below the endpoint default: named in plain sight, not hidden
                        Category.ENDPOINT,
                        path,
                        first.line,
                        None,
                        f"config names {host} ({classification})",
                        terminal_safe(first.url or host),
                    ),
                    hosts=(host,),
                )
            )
    return endpoints, findings


__all__ = [
    "FIXTURE_DIRS",
    "RECORDED_HOW",
    "check_config_endpoints",
    "extract_hits",
    "is_endpoint_config",
    "is_fixture_data",
]
