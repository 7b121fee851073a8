"""Domain registration dates through RDAP: the IANA bootstrap, then the registry's own server.

A domain registered weeks before a "job interview" is the advisories' first check. Answers are
cached on disk (the bootstrap for a week, each domain for a week: an expired domain can be
re-registered, which is exactly what attackers do). Every failure is a ``Skipped`` value.
Hosts are reduced to their registrable domain offline (tldextract's bundled suffix list, no
fetch), and only well-formed names are looked up or used as cache file names.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector.model import DomainAge, Skipped

IANA_DNS_BOOTSTRAP = "https://data.iana.org/rdap/dns.json"
CACHE_SECONDS = 7 * 24 * 3600
REQUEST_TIMEOUT_S = 8.0
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
FIX = "check the network or retry later; --offline skips domain-age lookups"

# Special-use names (RFC 2606, 6761, 6762, 8375): never registered, never looked up.
_SPECIAL_SUFFIXES = (".test", ".invalid", ".example", ".localhost", ".local", ".internal", ".arpa", ".onion")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


@dataclass(frozen=True)
class Lookup:
    """The registrable domain of a host and what RDAP said about it."""

    domain: str
    age: DomainAge | None
    skipped: Skipped | None = None


class RdapClient:
    def __init__(
        self,
        cache_dir: Path,
        bootstrap_url: str = IANA_DNS_BOOTSTRAP,
        now: datetime | None = None,
        timeout_s: float = REQUEST_TIMEOUT_S,
    ) -> None:
        self.cache_dir = cache_dir
        self.bootstrap_url = bootstrap_url
        self.now = now or datetime.now(UTC)
        self.timeout_s = timeout_s
        import tldextract  # here, not at start-up: it brings requests (--offline never builds a client)

        self._extract = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())
        self._services: dict[str, list[str]] | None = None
        # Failures are remembered for the rest of the run: one unreachable server must not
        # cost a timeout per domain.
        self._bootstrap_failure: str | None = None
        self._failed_servers: dict[str, str] = {}

    def registrable_domain(self, host: str) -> str | None:
        """``api.npoint.io`` -> ``npoint.io``; None for IPs, special-use and malformed names."""
        name = host.strip().rstrip(".").lower()
        if name == "localhost" or name.endswith(_SPECIAL_SUFFIXES) or f".{name}".endswith(_SPECIAL_SUFFIXES):
            return None
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return None
        if not _DOMAIN.match(name):
            return None
        domain = self._extract(name).top_domain_under_public_suffix
        return domain or None

    def lookup(self, domain: str) -> Lookup:
        cached = self._read_cache(domain)
        if cached is not None:
            return Lookup(domain, self._age(cached["registered_at"], f"cache:{cached['server']}"))
        try:
            servers = self._servers_for(domain)
        except _RdapFailure as failure:
            return Lookup(domain, None, Skipped("rdap", f"IANA RDAP bootstrap: {failure}", FIX))
        if not servers:
            return Lookup(domain, DomainAge(None, None, "unavailable: no RDAP server for this TLD"))
        base = servers[0]
        server = urllib.parse.urlsplit(base).netloc
        if server in self._failed_servers:
            reason = f"{domain} at {server}: not tried, {self._failed_servers[server]} earlier"
            return Lookup(domain, None, Skipped("rdap", reason, FIX))
        try:
            answer = self._get_json(f"{base.rstrip('/')}/domain/{domain}")
        except _NotFound:
            return Lookup(domain, DomainAge(None, None, f"rdap:{server} has no record"))
        except _Unreachable as failure:
            self._failed_servers[server] = str(failure)
            return Lookup(domain, None, Skipped("rdap", f"{domain} at {server}: {failure}", FIX))
        except _RdapFailure as failure:
            return Lookup(domain, None, Skipped("rdap", f"{domain} at {server}: {failure}", FIX))
        registered = _registration(answer)
        self._write_cache(domain, {"registered_at": registered, "server": server})
        return Lookup(domain, self._age(registered, f"rdap:{server}"))

    def _age(self, registered_at: str | None, source: str) -> DomainAge:
        if registered_at is None:
            return DomainAge(None, None, source)
        registered = _parse_time(registered_at)
        return DomainAge(registered.isoformat().replace("+00:00", "Z"), (self.now - registered).days, source)

    def _servers_for(self, domain: str) -> list[str]:
        if self._bootstrap_failure is not None:
            raise _RdapFailure(f"{self._bootstrap_failure} (earlier in this run)")
        if self._services is None:
            try:
                self._services = _parse_bootstrap(self._bootstrap())
            except _RdapFailure as failure:
                self._bootstrap_failure = str(failure)
                raise
        labels = domain.split(".")
        # The longest registered suffix wins (entries may hold more than one label).
        for start in range(1, len(labels)):
            servers = self._services.get(".".join(labels[start:]))
            if servers:
                return sorted(servers, key=lambda url: not url.startswith("https:"))
        return []

    def _bootstrap(self) -> Any:
        path = self.cache_dir / "dns.json"
        if path.is_file() and time.time() - path.stat().st_mtime < CACHE_SECONDS:
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                path.unlink(missing_ok=True)  # a corrupt cache is refetched, not trusted
        data = self._get_json(self.bootstrap_url)
        self._write_file(path, data)
        return data

    def _get_json(self, url: str) -> Any:
        request = urllib.request.Request(
            url, headers={"Accept": "application/rdap+json, application/json", "User-Agent": "inspector"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                body = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise _NotFound() from None
            raise _RdapFailure(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _Unreachable(f"unreachable ({reason})") from None
        if len(body) > MAX_RESPONSE_BYTES:
            raise _RdapFailure("answer too large")
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _RdapFailure("answer is not JSON") from None

    def _cache_path(self, domain: str) -> Path:
        return self.cache_dir / "domains" / f"{domain}.json"

    def _read_cache(self, domain: str) -> dict[str, Any] | None:
        path = self._cache_path(domain)
        try:
            if time.time() - path.stat().st_mtime >= CACHE_SECONDS:
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            path.unlink(missing_ok=True)
            return None
        valid = isinstance(data, dict) and isinstance(data.get("server"), str)
        return data if valid and (data.get("registered_at") is None or _is_time(data["registered_at"])) else None

    def _write_cache(self, domain: str, data: dict[str, Any]) -> None:
        self._write_file(self._cache_path(domain), data)

    def _write_file(self, path: Path, data: Any) -> None:
        # A cache that cannot be written only costs a lookup next time.
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(data), encoding="utf-8")
            temporary.replace(path)
        except OSError:
            return


class _RdapFailure(Exception):
    pass


class _Unreachable(_RdapFailure):
    pass


class _NotFound(Exception):
    pass


def _parse_bootstrap(data: Any) -> dict[str, list[str]]:
    services: dict[str, list[str]] = {}
    entries = data.get("services") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise _RdapFailure("bootstrap file has no services list")
    for entry in entries:
        if not (isinstance(entry, list) and len(entry) >= 2):
            continue
        suffixes, urls = entry[0], entry[1]
        if not (isinstance(suffixes, list) and isinstance(urls, list)):
            continue
        good = [u for u in urls if isinstance(u, str) and u.startswith(("https://", "http://"))]
        for suffix in suffixes:
            if isinstance(suffix, str) and good:
                services[suffix.lower()] = good
    return services


def _registration(answer: Any) -> str | None:
    events = answer.get("events") if isinstance(answer, dict) else None
    for event in events if isinstance(events, list) else []:
        if isinstance(event, dict) and event.get("eventAction") == "registration":
            date = event.get("eventDate")
            if isinstance(date, str) and _is_time(date):
                return date
    return None


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _is_time(value: Any) -> bool:
    try:
        _parse_time(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True
