"""The verdict: malicious, suspicious or clean, with the reasons a reviewer can check.

The thresholds live in inspector/model/scoring.py and are documented in docs/verdict.md; keep the
two in step. The verdict reads typed fields only (category, severity, ``flow``, ``techniques``),
never rule ids or trace notes. In short:

* **malicious** needs one piece of strong evidence - remote data reaching code execution, a
  CRITICAL finding (download-and-execute or hidden/disguised/obfuscated code run by an auto-run
  surface, a disguised file other code loads), Trojan Source controls in code, exfiltration or a
  honeytoken sent out at runtime, a downloaded payload that is itself malicious - or one of the
  documented combinations of weaker signals (given as the reason only when nothing strong was found);
* **suspicious** needs a HIGH finding, a MEDIUM finding of a loader-shaped category, a runtime
  observation (honeytoken read, undeclared endpoint, new domain), or two different weak signals;
* **clean** otherwise. INFO and ANALYSIS findings never change the verdict.

Each reason starts with ``file:line``; a trigger that only repeats a loader already named is folded
into that loader's reason ("... runs automatically via package.json#scripts.start").
"""

from __future__ import annotations

from collections.abc import Sequence

from inspector.model import Category, Finding, Severity, Technique, Verdict, scoring

MAX_REASONS = 8


def where(finding: Finding) -> str:
    if finding.path is None:
        return "run"
    return f"{finding.path}:{finding.line}" if finding.line else finding.path


def _at_least(finding: Finding, severity: Severity) -> bool:
    return scoring.at_least(finding.severity, severity)


# Which strong finding explains a location best, when several point at the same code.
_PRIORITY = {
    Category.EXFILTRATION: 0,
    Category.HONEYTOKEN: 1,
    Category.REMOTE_CODE_EXECUTION: 2,
    Category.DOWNLOAD_EXECUTE: 3,
    Category.PAYLOAD: 4,
    Category.HIDDEN_CODE: 5,
    Category.OBFUSCATION: 6,
    Category.CODE_EXECUTION: 7,
    Category.AUTO_RUN: 8,
}


def _remote_execution(finding: Finding) -> str:
    """ "where: data from <hosts> (<source>, line n) reaches <sink>; runs automatically via <surface>"."""
    origin = ", ".join(finding.hosts[:3]) if finding.hosts else "the network"
    text = f"{where(finding)}: data from {origin}"
    if finding.flow is not None:
        text += f" ({finding.flow.source}, line {finding.flow.source_line})"
    text += f" reaches {finding.flow.sink if finding.flow is not None else 'code execution'}"
    if finding.reachable_from:
        text += f"; runs automatically via {', '.join(finding.reachable_from[:2])}"
    return text


def _strong(finding: Finding) -> str | None:
    """A sentence when this finding alone makes the repository malicious."""
    category = finding.category
    if category == Category.EXFILTRATION:
        return f"{where(finding)}: data was sent out at runtime: {finding.message}"
    if category == Category.REMOTE_CODE_EXECUTION and _at_least(finding, scoring.STRONG_AT[category]):
        return _remote_execution(finding)
    if category == Category.HONEYTOKEN and finding.hosts:
        return f"{where(finding)}: a planted secret left the sandbox towards {', '.join(finding.hosts)}"
    if category == Category.PAYLOAD and _at_least(finding, scoring.STRONG_AT[category]):
        return f"{where(finding)}: a downloaded payload is itself malicious: {finding.message}"
    if Technique.TROJAN_SOURCE in finding.techniques and _at_least(finding, scoring.TROJAN_SOURCE_AT):
        return f"{where(finding)}: Trojan Source bidi controls in code make it run differently than it reads"
    if category in scoring.STRONG_WHEN_CRITICAL and finding.severity == Severity.CRITICAL:
        return f"{where(finding)}: {finding.message}"
    return None


def _target(finding: Finding) -> tuple[str | None, int | None]:
    """The code a finding is about: an auto-run surface is about the code it reaches."""
    if finding.category == Category.AUTO_RUN and finding.trace:
        return finding.trace[-1].path, finding.trace[-1].line
    return finding.path, finding.line


def _strong_reasons(findings: Sequence[Finding]) -> list[str]:
    """One reason per piece of strong evidence; a trigger that runs code already named is folded in."""
    ranked = sorted(findings, key=lambda f: (_PRIORITY.get(f.category, 9), -f.severity.rank, f.path or "", f.line or 0))
    reasons: list[str] = []
    explained: set[tuple[str | None, int | None]] = set()
    said: set[tuple[tuple[str | None, int | None], Category]] = set()
    for finding in ranked:
        reason = _strong(finding)
        if reason is None:
            continue
        target = _target(finding)
        if (finding.category == Category.AUTO_RUN and target in explained) or (target, finding.category) in said:
            continue
        said.add((target, finding.category))
        explained.add(target)
        reasons.append(reason)
    return reasons


def _combinations(findings: Sequence[Finding]) -> list[str]:
    """The documented combinations of weaker evidence that are malicious together."""
    reasons: list[str] = []

    def first(category: Category, severity: Severity) -> Finding | None:
        return next((f for f in findings if f.category == category and _at_least(f, severity)), None)

    hidden_endpoint = first(Category.ENDPOINT, scoring.WEAK_AT)
    dynamic = first(Category.CODE_EXECUTION, scoring.WEAK_AT)
    trigger = first(Category.AUTO_RUN, scoring.WEAK_AT)
    if hidden_endpoint and dynamic and trigger:
        reasons.append(
            f"a hidden endpoint ({where(hidden_endpoint)}), dynamic code execution ({where(dynamic)}) "
            f"and an auto-run trigger ({where(trigger)}) together"
        )
    executing_files = {
        f.path for f in findings if f.category in scoring.EXECUTING and _at_least(f, scoring.EXECUTING_AT)
    }
    for finding in findings:
        concealing = finding.category in scoring.CONCEALING and _at_least(finding, scoring.CONCEALING_AT)
        if concealing and finding.path in executing_files:
            reasons.append(f"{where(finding)}: {finding.category.value} in a file that also executes code")
            break
    return reasons


def _suspicious(findings: Sequence[Finding]) -> list[str]:
    reasons: list[str] = []
    for finding in findings:
        if finding.category == Category.ANALYSIS:
            continue
        if (
            _at_least(finding, scoring.SUSPICIOUS_AT)
            or (finding.category in scoring.LOADER_SHAPED and _at_least(finding, scoring.LOADER_SUSPICIOUS_AT))
            or finding.category in scoring.RUNTIME_SUSPICIOUS
            or (finding.category == Category.PAYLOAD and _at_least(finding, scoring.LOADER_SUSPICIOUS_AT))
        ):
            reasons.append(f"{where(finding)}: {finding.message}")
    weak = {f.category: f for f in findings if f.category in scoring.WEAK and _at_least(f, scoring.WEAK_AT)}
    if len(weak) >= 2:
        reasons.append("weak signals together: " + "; ".join(f"{c.value} at {where(f)}" for c, f in weak.items()))
    return reasons


def compute_verdict(findings: Sequence[Finding]) -> tuple[Verdict, tuple[str, ...]]:
    """The verdict for a set of findings and the short sentences that justify it."""
    ordered = sorted(findings, key=lambda f: -f.severity.rank)
    strong = _strong_reasons(ordered)
    if not strong:
        strong = _combinations(ordered)  # weaker evidence only counts when nothing strong was found
    if strong:
        return Verdict.MALICIOUS, tuple(dict.fromkeys(strong))[:MAX_REASONS]
    suspicious = _suspicious(ordered)
    if suspicious:
        return Verdict.SUSPICIOUS, tuple(dict.fromkeys(suspicious))[:MAX_REASONS]
    return Verdict.CLEAN, ()


__all__ = ["compute_verdict"]
