"""Find URLs, host names and IP literals in a folded string and normalise them."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass

from inspector.static.hosts import is_public_suffix_host

from .values import UNKNOWN


@dataclass(frozen=True)
class Hit:
    host: str  # lower-case, IDNA (punycode) for non-ASCII names, IPv6 without brackets
    url: str | None  # scheme://host[:port]/path[?query]; None for a bare host
    port: int | None


_URL = re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{1,20})://([^\s\"'`<>\\^{}|\x00]+)")
_TRAILING = ".,;:!?)]}'\"*"
# Schemes that never leave the machine or are not network locations at all.
_LOCAL_SCHEMES = frozenset(
    {"file", "data", "blob", "about", "javascript", "chrome", "chrome-extension", "moz-extension", "vscode", "resource"}
)
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"(?:{_LABEL}\.)+[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])?|localhost")
_BARE = re.compile(rf"((?:{_LABEL}\.)+[a-z][a-z0-9-]{{0,62}}|\d{{1,3}}(?:\.\d{{1,3}}){{3}})(?::(\d{{1,5}}))?")
# RFC 2606 / 6761 names: not in the public-suffix list, but real hosts as far as code goes.
_RESERVED_TLDS = frozenset({"test", "invalid", "example", "localhost"})
# Public suffixes that are also file extensions or common property names: a bare "setup.py",
# "user.name" or "item.id" is not a host unless the code uses it as one.
_AMBIGUOUS_TLDS = frozenset(
    {
        "ac",
        "ai",
        "am",
        "app",
        "as",
        "at",
        "be",
        "by",
        "cc",
        "click",
        "cs",
        "date",
        "design",
        "do",
        "email",
        "events",
        "exchange",
        "global",
        "go",
        "id",
        "in",
        "info",
        "is",
        "it",
        "link",
        "list",
        "live",
        "me",
        "mk",
        "mov",
        "md",
        "name",
        "new",
        "no",
        "now",
        "page",
        "pl",
        "ps",
        "py",
        "rs",
        "run",
        "sh",
        "so",
        "style",
        "to",
        "tools",
        "top",
        "tv",
        "type",
        "us",
        "zip",
    }
)


def url_hits(text: str) -> list[Hit]:
    hits: list[Hit] = []
    for match in _URL.finditer(text):
        scheme = match.group(1).lower()
        if scheme in _LOCAL_SCHEMES:
            continue
        hit = _from_url(scheme, match.group(2).rstrip(_TRAILING))
        if hit is not None:
            hits.append(hit)
    return hits


def bare_hit(text: str, *, host_context: bool) -> Hit | None:
    """A whole string that is a host name, ``host:port`` or an IPv4 literal (``203.0.113.1:1244``)."""
    candidate = text.strip()
    match = _BARE.fullmatch(candidate)
    if match is None:
        return None
    host, port_text = match.group(1), match.group(2)
    port = _port(port_text)
    if port_text is not None and port is None:
        return None
    if _ipv4(host) is not None:
        return Hit(host, None, port)
    if any(ch.isdigit() for ch in host.rsplit(".", 1)[-1]):
        return None
    tld = host.rsplit(".", 1)[-1]
    if tld in _RESERVED_TLDS:
        return Hit(host, None, port)
    if not is_public_suffix_host(host):
        return None
    if tld in _AMBIGUOUS_TLDS and not host_context:
        return None
    return Hit(host, None, port)


def hits_in(text: str, *, allow_bare: bool, host_context: bool = False) -> list[Hit]:
    hits = url_hits(text)
    if not hits and allow_bare and UNKNOWN not in text and len(text) <= 300:
        bare = bare_hit(text, host_context=host_context)
        if bare is not None:
            hits.append(bare)
    return hits


def _from_url(scheme: str, rest: str) -> Hit | None:
    try:
        parts = urllib.parse.urlsplit(f"{scheme}://{rest}")
        raw_host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if not raw_host:
        return None
    host = normalise_host(raw_host)
    if host is None:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    url = urllib.parse.urlunsplit((scheme, netloc, parts.path, parts.query, ""))
    return Hit(host, url, port)


def normalise_host(raw: str) -> str | None:
    host = raw.strip().rstrip(".").lower()
    if not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if _HOSTNAME.fullmatch(host) is None:
        return None
    if host.rsplit(".", 1)[-1].isdigit():
        return None
    return host


def _ipv4(host: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(host)
    except ValueError:
        return None


def _port(text: str | None) -> int | None:
    if text is None:
        return None
    value = int(text)
    return value if 0 < value < 65536 else None
