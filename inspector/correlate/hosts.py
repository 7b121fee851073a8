"""What the code says against what the run did, one row per host."""

from __future__ import annotations

from collections.abc import Iterable

from inspector.model import (
    Category,
    Endpoint,
    EndpointSource,
    Engine,
    Finding,
    HostView,
    NetworkRecord,
    RunInfo,
    new_finding,
)
from inspector.textsafe import terminal_safe


def _key(host: str) -> str:
    return host.strip().rstrip(".").lower()


def _record_key(record: NetworkRecord) -> str | None:
    name = record.host or record.ip
    return _key(name) if name else None


def build_host_views(endpoints: Iterable[Endpoint], network: Iterable[NetworkRecord]) -> tuple[HostView, ...]:
    """Declared hosts (from the code) joined with contacted ones (from the run), by host name.

    Order: hosts both named and contacted, then contacted but never named, then named and never
    reached (still worth reading: the run may simply not have reached that code path).
    """
    sources: dict[str, list[EndpointSource]] = {}
    classification: dict[str, str] = {}
    for endpoint in endpoints:
        key = _key(endpoint.host)
        sources.setdefault(key, []).extend(endpoint.sources)
        classification.setdefault(key, endpoint.classification)
    records: dict[str, list[NetworkRecord]] = {}
    for record in network:
        record_key = _record_key(record)
        if record_key is not None:
            records.setdefault(record_key, []).append(record)
    views = [
        HostView(
            host=host,
            declared=host in sources,
            contacted=host in records,
            classification=classification.get(host, "unknown"),
            static_sources=tuple(dict.fromkeys(sources.get(host, ()))),
            network=tuple(records.get(host, ())),
        )
        for host in dict.fromkeys([*sources, *records])
    ]
    order = {(True, True): 0, (False, True): 1, (True, False): 2}
    return tuple(sorted(views, key=lambda view: order[(view.declared, view.contacted)]))


def _allowed(host: str, run: RunInfo | None) -> bool:
    """Hosts the sandbox policy allowed on purpose (package registries during install)."""
    if run is None:
        return False
    for entry in run.allowed_hosts:
        allowed = _key(entry)
        if allowed.startswith("*."):
            if host.endswith(allowed[1:]):
                return True
        elif host == allowed:
            return True
    return False


def undeclared_findings(hosts: Iterable[HostView], run: RunInfo | None) -> tuple[Finding, ...]:
    findings = []
    for view in hosts:
        if view.declared or not view.contacted or _allowed(view.host, run):
            continue
        phases = ", ".join(dict.fromkeys(record.phase.value for record in view.network))
        decisions = ", ".join(dict.fromkeys(record.decision.value for record in view.network))
        attempts = sum(record.count for record in view.network)
        details = "; ".join(dict.fromkeys(record.detail for record in view.network if record.detail))
        findings.append(
            new_finding(
                "undeclared-endpoint",
                Category.UNDECLARED_ENDPOINT,
                Engine.CORRELATE,
                (
                    f"{terminal_safe(view.host, limit=200)} was contacted at runtime ({phases}; "
                    f"{attempts} attempt{'s' if attempts != 1 else ''}, {decisions}) "
                    "but the code never names it: it was built or fetched at runtime"
                ),
                evidence=details,
                hosts=(view.host,),
                id_key=("undeclared-endpoint", view.host),
            )
        )
    return tuple(findings)
