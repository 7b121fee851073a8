"""Classify a host name or IP literal for the endpoint inventory.

The classes are data (``data/hosts.toml``); this module only decides matching order. A class
ranks an endpoint for the reviewer: a host alone never makes a verdict.
"""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tldextract

RAW_IP = "raw-ip"
LOCAL = "local"
UNUSUAL_PORT = "unusual-port"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class HostClasses:
    before_ports: tuple[str, ...]
    after_ports: tuple[str, ...]
    suffixes: dict[str, frozenset[str]]
    local_names: frozenset[str]
    local_suffixes: tuple[str, ...]
    unusual_ports: frozenset[int]


@cache
def host_classes() -> HostClasses:
    text = resources.files("inspector.static").joinpath("data/hosts.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return HostClasses(
        before_ports=tuple(data["order_before_ports"]),
        after_ports=tuple(data["order_after_ports"]),
        suffixes={name: frozenset(entry["suffixes"]) for name, entry in data["classes"].items()},
        local_names=frozenset(data["local"]["names"]),
        local_suffixes=tuple(data["local"]["suffixes"]),
        unusual_ports=frozenset(data["ports"]["unusual"]),
    )


@cache
def _extractor() -> tldextract.TLDExtract:
    # The bundled public-suffix snapshot only: a scan never fetches anything. Imported here: it
    # brings requests and idna (a tenth of a second of start-up a scan without hosts never needs).
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def normalize_host(host: str) -> str:
    """Lower-case, without brackets, trailing dot or credentials."""
    host = host.strip().lower().rsplit("@", 1)[-1]
    if host.startswith("[") and "]" in host:
        host = host[1 : host.index("]")]
    return host.rstrip(".")


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(normalize_host(host))
    except ValueError:
        return None


def registrable_domain(host: str) -> str:
    """``a.b.vercel.app`` -> ``vercel.app``; an IP or a bare name is returned as it is."""
    host = normalize_host(host)
    if ip_literal(host) is not None:
        return host
    parts = _extractor()(host)
    if not parts.suffix:
        return host
    return f"{parts.domain}.{parts.suffix}" if parts.domain else host


def is_public_suffix_host(host: str) -> bool:
    """True when the name ends in a real public suffix (``a.vercel.app``, not ``index.js``)."""
    return bool(_extractor()(normalize_host(host)).suffix)


def _matches(host: str, suffixes: frozenset[str]) -> bool:
    if host in suffixes:
        return True
    labels = host.split(".")
    return any(".".join(labels[i:]) in suffixes for i in range(1, len(labels)))


# Networks a developer's own machines live on. Not `ipaddress.is_private`: that also covers the
# documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), which nothing legitimate
# connects to, so an address there is a raw IP like any other.
_LOCAL_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)


def classify(host: str, ports: tuple[int, ...] = ()) -> str:
    """The class of ``host`` (see data/hosts.toml), e.g. "json-hosting", "raw-ip", "unknown"."""
    classes = host_classes()
    name = normalize_host(host)
    address = ip_literal(name)
    if address is not None:
        if (
            address.is_loopback
            or address.is_link_local
            or address.is_unspecified
            or any(address in network for network in _LOCAL_NETWORKS if network.version == address.version)
        ):
            return LOCAL
        return RAW_IP
    if name in classes.local_names or any(
        name == suffix or name.endswith("." + suffix) for suffix in classes.local_suffixes
    ):
        return LOCAL
    for class_name in classes.before_ports:
        if _matches(name, classes.suffixes[class_name]):
            return class_name
    if any(port in classes.unusual_ports for port in ports):
        return UNUSUAL_PORT
    for class_name in classes.after_ports:
        if _matches(name, classes.suffixes[class_name]):
            return class_name
    return UNKNOWN


__all__ = ["classify", "host_classes", "ip_literal", "is_public_suffix_host", "normalize_host", "registrable_domain"]
