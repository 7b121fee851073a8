"""Read-only views over a report shared by the renderers: ordering, counts, labels.

Nothing here escapes text; each renderer escapes for its own format.
"""

from __future__ import annotations

import re
from collections import Counter

from inspector.model import Finding, HostView, NetworkRecord, Report, RunInfo, Severity

TOP_FINDINGS = 8
# Runs shorter than this are ordinary indentation; longer ones are how code gets hidden.
BLANK_RUN = re.compile(r"[ \t]{12,}")


def blank_marker(run: str) -> str:
    """``⟨380 spaces⟩``: what a run of blanks that pushes code off-screen is shown as."""
    spaces, tabs = run.count(" "), run.count("\t")
    if tabs and spaces:
        return f"⟨{len(run)} blanks⟩"
    return f"⟨{tabs} tabs⟩" if tabs else f"⟨{spaces} spaces⟩"


def collapse_blanks(text: str) -> str:
    return BLANK_RUN.sub(lambda match: blank_marker(match.group()), text)


def findings_by_severity(report: Report) -> list[Finding]:
    """Worst first; ties keep the order the stages produced them in."""
    return sorted(report.findings, key=lambda f: -f.severity.rank)


def top_findings(report: Report, limit: int = TOP_FINDINGS) -> list[Finding]:
    return findings_by_severity(report)[:limit]


def severity_counts(report: Report) -> dict[Severity, int]:
    counts = Counter(f.severity for f in report.findings)
    return {severity: counts.get(severity, 0) for severity in Severity}


def location(finding: Finding) -> str:
    """``path:line:column`` as far as known; ``(run)`` for findings about the run as a whole."""
    if finding.path is None:
        return "(run)"
    parts = [finding.path]
    if finding.line is not None:
        parts.append(str(finding.line))
        if finding.column is not None:
            parts.append(str(finding.column))
    return ":".join(parts)


def engines(finding: Finding) -> str:
    return "+".join(engine.value for engine in finding.engines)


_PLAIN_HOW = ("literal", "value of", "comment", "docstring")


def how_hidden(host: HostView, most: int = 2) -> str:
    """How the code names the host, e.g. ``base64 in .env AUTH_API``; empty when it never does.

    Hidden forms come first (a host that is also written plainly somewhere is still worth
    seeing decoded); at most ``most`` are listed, then how many more there are.
    """
    hows = list(dict.fromkeys(source.how for source in host.static_sources))
    hows.sort(key=lambda how: how.startswith(_PLAIN_HOW))
    shown = ", ".join(hows[:most])
    return shown + (f" (+{len(hows) - most} more)" if len(hows) > most else "")


def host_phases(host: HostView) -> str:
    return ", ".join(dict.fromkeys(record.phase.value for record in host.network))


def host_decisions(host: HostView) -> str:
    return ", ".join(dict.fromkeys(record.decision.value for record in host.network))


def host_bytes(host: HostView) -> tuple[int, int]:
    """(sent, received) over every runtime record of the host."""
    return (
        sum(record.bytes_sent for record in host.network),
        sum(record.bytes_received for record in host.network),
    )


def host_attempts(host: HostView) -> int:
    return sum(record.count for record in host.network)


def dns_answers(host: HostView) -> str:
    return ", ".join(dict.fromkeys(record.ip for record in host.network if record.ip))


def connections(host: HostView) -> list[NetworkRecord]:
    """Records other than DNS lookups: the attempts to talk to the host."""
    return [record for record in host.network if record.protocol != "dns"]


def domain_age(host: HostView) -> str:
    age = host.domain_age
    if age is None:
        return ""
    if age.age_days is None:
        return f"unknown ({age.source})"
    registered = (age.registered_at or "")[:10]
    return f"{age.age_days} days (registered {registered})"


def target_label(report: Report) -> str:
    target = report.target
    commit = f" @ {target.commit[:12]}" if target.commit else ""
    return f"{target.source}{commit}"


_TRACE_ORIGIN = {
    "gvisor-sentry": "written by gVisor's sentry on the host: the target cannot alter or hide from it",
    "strace-in-container": "strace inside the container: a target that detects it can empty or avoid it",
}


def run_notes(run: RunInfo) -> list[str]:
    """What a reader must know to trust the run: where the trace came from, the hard limits the
    program ran into, and what the engine did to a phase that ended in ``error``."""
    origin = _TRACE_ORIGIN.get(run.trace_origin, run.trace_origin)
    notes = [f"runtime {run.runtime}; trace {run.trace_origin} ({origin})"]
    notes.extend(f"limit reached: {limit}" for limit in run.limits_hit)
    notes.extend(f"{phase.name.value} phase error: {phase.error}" for phase in run.phases if phase.error)
    return notes

