"""Correlate: join the static scan and the sandboxed run into the report.

Per host, what the code says (where, how hidden) meets what the run did (DNS, connections,
bytes, phase, the policy's decision). Hosts the run contacted that the code never names are
``undeclared-endpoint`` findings; recently registered domains are ``new-domain`` findings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import inspector
from inspector.correlate.hosts import build_host_views, undeclared_findings
from inspector.correlate.rdap import IANA_DNS_BOOTSTRAP, RdapClient
from inspector.correlate.repository import repository_findings
from inspector.correlate.verdict import compute_verdict
from inspector.model import (
    Category,
    Endpoint,
    Engine,
    Finding,
    HostView,
    Report,
    SandboxResult,
    Severity,
    Skipped,
    StaticResult,
    Target,
    ToolInfo,
    new_finding,
)
from inspector.textsafe import terminal_safe

# Enough for any real lure (a handful of hosts); a flood of names is not worth a flood of lookups.
MAX_RDAP_DOMAINS = 40
VERY_NEW_DAYS = 30


@dataclass(frozen=True)
class CorrelateOptions:
    offline: bool
    rdap_cache_dir: Path
    rdap_bootstrap_url: str = IANA_DNS_BOOTSTRAP
    now: datetime | None = None
    new_domain_days: int = 90


def correlate(target: Target, static: StaticResult, sandbox: SandboxResult | None, options: CorrelateOptions) -> Report:
    run = sandbox.run if sandbox else None
    network = sandbox.network if sandbox else ()
    hosts = build_host_views(static.endpoints, network)
    skipped = [*static.skipped, *(sandbox.skipped if sandbox else ())]
    if options.offline:
        skipped.append(Skipped("rdap", "domain ages not looked up (--offline)", "run without --offline"))
    elif hosts:
        hosts, rdap_skipped = _with_domain_ages(hosts, options)
        skipped.extend(rdap_skipped)
    findings = _unique(
        [
            *static.findings,
            *(sandbox.findings if sandbox else ()),
            *repository_findings(target),
            *undeclared_findings(hosts, run),
            *_new_domain_findings(hosts, static.endpoints, options.new_domain_days),
        ]
    )
    verdict, reasons = compute_verdict(findings)
    return Report(
        tool=ToolInfo("inspector", inspector.__version__),
        target=target,
        verdict=verdict,
        findings=findings,
        endpoints=static.endpoints,
        network=network,
        run=run,
        hosts=hosts,
        skipped=tuple(skipped),
        verdict_reasons=reasons,
        engine_files=static.engine_files,
    )


def _unique(findings: list[Finding]) -> tuple[Finding, ...]:
    """The first finding of each id, in order (a payload rescan may repeat a static finding)."""
    first: dict[str, Finding] = {}
    for finding in findings:
        first.setdefault(finding.id, finding)
    return tuple(first.values())


def _with_domain_ages(
    hosts: tuple[HostView, ...], options: CorrelateOptions
) -> tuple[tuple[HostView, ...], list[Skipped]]:
    client = RdapClient(options.rdap_cache_dir, options.rdap_bootstrap_url, options.now)
    domains = {view.host: client.registrable_domain(view.host) for view in hosts}
    wanted = list(dict.fromkeys(domain for domain in domains.values() if domain))
    skipped: list[Skipped] = []
    if len(wanted) > MAX_RDAP_DOMAINS:
        skipped.append(
            Skipped(
                "rdap",
                f"{len(wanted)} domains; only the first {MAX_RDAP_DOMAINS} were looked up",
                "look the rest up by hand if they matter",
            )
        )
        wanted = wanted[:MAX_RDAP_DOMAINS]
    ages = {}
    for domain in wanted:
        lookup = client.lookup(domain)
        ages[domain] = lookup.age
        if lookup.skipped is not None:
            skipped.append(lookup.skipped)
    with_ages = tuple(dataclasses.replace(view, domain_age=ages.get(domains[view.host] or "")) for view in hosts)
    return with_ages, skipped


def _new_domain_findings(
    hosts: tuple[HostView, ...], endpoints: tuple[Endpoint, ...], new_domain_days: int
) -> list[Finding]:
    executes = {endpoint.host.lower() for endpoint in endpoints if endpoint.reaches_execution}
    findings = []
    for view in hosts:
        age = view.domain_age
        if age is None or age.age_days is None or age.age_days >= new_domain_days:
            continue
        # A very young domain, or one the program runs code from or actually reached, is high.
        high = age.age_days < VERY_NEW_DAYS or view.host in executes or view.contacted
        source = view.static_sources[0] if view.static_sources else None
        where = "named in the code" if view.declared else ""
        if view.contacted:
            where = f"{where} and contacted at runtime" if where else "contacted at runtime"
        host = terminal_safe(view.host, limit=200)
        findings.append(
            new_finding(
                "new-domain",
                Category.NEW_DOMAIN,
                Engine.CORRELATE,
                f"{host} is on a domain registered {age.age_days} days ago ({(age.registered_at or '')[:10]}), {where}",
                severity=Severity.HIGH if high else None,
                path=source.path if source else None,
                line=source.line if source else None,
                evidence=f"RDAP registration date {age.registered_at} ({age.source})",
                hosts=(view.host,),
                id_key=("new-domain", view.host),
            )
        )
    return findings


__all__ = ["IANA_DNS_BOOTSTRAP", "CorrelateOptions", "correlate"]
