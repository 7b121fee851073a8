"""Merge what the engines found into one inventory.

* Endpoints: one per host across all engines (urls, sources and ports unioned; the class is
  recomputed from the union of ports). ``reaches_execution`` is set when a remote-code-execution
  or download-and-execute finding names the host, or its trace passes a line that names it.
* Findings: a Semgrep finding and a tree-sitter finding about the same thing (same path, line
  within one, compatible category) become one finding whose ``engines`` lists both; the one with
  the richer trace keeps its message, the severity is the higher one.
* ``Finding.hosts`` is filled from the endpoints whose sources lie on the finding's trace.
* Vendored code (``vendor/``, ``third_party/``, ``public/lib/``, ``*.min.js``, ``dist/``...): dynamic
  code execution and obfuscation found there by any engine are capped at LOW (LOW becomes INFO).
  A bundled template compiler or a packed jQuery plugin is what libraries look like. Remote code
  execution, download-and-execute, hidden code and auto-run are never downgraded by path: a
  loader dropped into ``vendor/`` is still a loader.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from inspector.model import Category, Endpoint, Finding, Severity, scoring
from inspector.static.hosts import classify
from inspector.static.text.common import vendor_marker

MAX_URLS = 50
MAX_SOURCES = 50
_EXECUTION = frozenset({Category.REMOTE_CODE_EXECUTION, Category.DOWNLOAD_EXECUTE})
_COMPATIBLE = (
    frozenset({Category.REMOTE_CODE_EXECUTION, Category.CODE_EXECUTION}),
    frozenset({Category.HIDDEN_CODE, Category.OBFUSCATION}),
)


def merge_endpoints(endpoints: Iterable[Endpoint]) -> list[Endpoint]:
    by_host: dict[str, list[Endpoint]] = {}
    for endpoint in endpoints:
        by_host.setdefault(endpoint.host.lower(), []).append(endpoint)
    merged: list[Endpoint] = []
    for host, group in sorted(by_host.items()):
        urls = tuple(dict.fromkeys(u for e in group for u in e.urls))[:MAX_URLS]
        sources = tuple(dict.fromkeys(s for e in group for s in e.sources))[:MAX_SOURCES]
        ports = tuple(sorted({p for e in group for p in e.ports}))
        merged.append(
            Endpoint(
                host=host,
                urls=urls,
                sources=sources,
                classification=classify(host, ports),
                ports=ports,
                reaches_execution=any(e.reaches_execution for e in group),
            )
        )
    return merged


def _compatible(a: Category, b: Category) -> bool:
    return a == b or any(a in group and b in group for group in _COMPATIBLE)


def _richness(finding: Finding) -> tuple[int, int, int]:
    return (len(finding.trace), finding.severity.rank, len(finding.message))


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Collapse cross-engine duplicates; findings of one engine are never merged with each other."""
    kept: list[Finding] = []
    index: dict[str, list[int]] = {}
    for finding in findings:
        if finding.path is None or finding.line is None:
            kept.append(finding)
            continue
        match = None
        for position in index.get(finding.path, []):
            other = kept[position]
            if (
                other.line is not None
                and abs(other.line - finding.line) <= 1
                and _compatible(other.category, finding.category)
                and not set(other.engines) & set(finding.engines)
            ):
                match = position
                break
        if match is None:
            index.setdefault(finding.path, []).append(len(kept))
            kept.append(finding)
            continue
        other = kept[match]
        rich, poor = (finding, other) if _richness(finding) > _richness(other) else (other, finding)
        severity = max(finding.severity, other.severity, key=lambda s: s.rank)
        kept[match] = replace(
            rich,
            severity=severity,
            engines=tuple(dict.fromkeys((*rich.engines, *poor.engines))),
            hosts=tuple(dict.fromkeys((*rich.hosts, *poor.hosts))),
            reachable_from=tuple(dict.fromkeys((*rich.reachable_from, *poor.reachable_from))),
        )
    return kept


def downgrade_vendored(findings: Iterable[Finding]) -> list[Finding]:
    """Cap dynamic-code-execution and obfuscation findings in vendored paths (LOW; LOW becomes INFO)."""
    out: list[Finding] = []
    for finding in findings:
        marker = vendor_marker(finding.path) if finding.path and finding.category in scoring.VENDOR_DOWNGRADED else None
        if marker is None or finding.severity == Severity.INFO:
            out.append(finding)
            continue
        severity = scoring.vendored(finding.severity)
        out.append(
            replace(
                finding,
                severity=severity,
                message=f"{finding.message} (vendored code under {marker}, so lowered to {severity.value})",
            )
        )
    return out


def _places(finding: Finding) -> set[tuple[str, int]]:
    places = {(step.path, step.line) for step in finding.trace}
    if finding.path is not None and finding.line is not None:
        places.add((finding.path, finding.line))
    return places


def link_hosts(findings: list[Finding], endpoints: list[Endpoint]) -> tuple[list[Finding], list[Endpoint]]:
    """Fill finding.hosts from endpoints on the trace; mark endpoints that reach execution."""
    by_place: dict[tuple[str, int], set[str]] = {}
    for endpoint in endpoints:
        for source in endpoint.sources:
            by_place.setdefault((source.path, source.line), set()).add(endpoint.host)
    known = {e.host for e in endpoints}
    linked: list[Finding] = []
    executing: set[str] = set()
    for finding in findings:
        hosts = list(finding.hosts)
        if finding.category in _EXECUTION or finding.trace:
            for place in _places(finding):
                hosts.extend(sorted(by_place.get(place, ())))
        hosts = list(dict.fromkeys(h.lower() for h in hosts))
        if finding.category in _EXECUTION:
            executing.update(h for h in hosts if h in known)
        linked.append(replace(finding, hosts=tuple(hosts)) if tuple(hosts) != finding.hosts else finding)
    updated = [
        replace(e, reaches_execution=True) if e.host in executing and not e.reaches_execution else e for e in endpoints
    ]
    return linked, updated


__all__ = ["downgrade_vendored", "link_hosts", "merge_endpoints", "merge_findings"]
