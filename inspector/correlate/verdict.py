"""The verdict: malicious, suspicious or clean, with the reasons a reviewer can check.

The scoring is documented in docs/verdict.md; keep the two in step. In short:

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

from inspector.model import Category, Finding, Severity, Verdict

_STRONG_WHEN_CRITICAL = frozenset(
    {
        Category.REMOTE_CODE_EXECUTION,
        Category.DOWNLOAD_EXECUTE,
        Category.AUTO_RUN,
        Category.HIDDEN_CODE,
        Category.OBFUSCATION,
        Category.CODE_EXECUTION,
        Category.HONEYTOKEN,
        Category.PAYLOAD,
    }
)
_LOADER_SHAPED = frozenset(
    {Category.REMOTE_CODE_EXECUTION, Category.DOWNLOAD_EXECUTE, Category.HIDDEN_CODE, Category.OBFUSCATION}
)
# Weak on their own (ordinary repositories have them); they count in combination.
_WEAK = (Category.ENDPOINT, Category.CODE_EXECUTION, Category.AUTO_RUN)
_RUNTIME_SUSPICIOUS = frozenset({Category.HONEYTOKEN, Category.UNDECLARED_ENDPOINT, Category.NEW_DOMAIN})
_TROJAN_SOURCE_RULES = frozenset({"hidden-code.bidi"})
MAX_REASONS = 8


def where(finding: Finding) -> str:
    if finding.path is None:
        return "run"
    return f"{finding.path}:{finding.line}" if finding.line else finding.path


def _at_least(finding: Finding, severity: Severity) -> bool:
    return finding.severity.rank >= severity.rank


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


def _note(finding: Finding, prefix: str) -> tuple[str, int] | None:
    step = next((s for s in finding.trace if s.note.startswith(prefix)), None)
    return (step.note[len(prefix) :].strip(), step.line) if step else None


def _remote_execution(finding: Finding) -> str:
    """ "where: data from <hosts> (<source>, line n) reaches <sink>; runs automatically via <surface>"."""
    origin = ", ".join(finding.hosts[:3]) if finding.hosts else "the network"
    source = _note(finding, "source:")
    sink = _note(finding, "sink:")
    text = f"{where(finding)}: data from {origin}"
    if source:
        text += f" ({source[0]}, line {source[1]})"
    text += f" reaches {sink[0] if sink else 'code execution'}"
    if finding.reachable_from:
        text += f"; runs automatically via {', '.join(finding.reachable_from[:2])}"
    return text


def _strong(finding: Finding) -> str | None:
    """A sentence when this finding alone makes the repository malicious."""
    category = finding.category
    if category == Category.EXFILTRATION:
        return f"{where(finding)}: data was sent out at runtime: {finding.message}"
    if category == Category.REMOTE_CODE_EXECUTION and _at_least(finding, Severity.HIGH):
        return _remote_execution(finding)
    if category == Category.HONEYTOKEN and finding.hosts:
        return f"{where(finding)}: a planted secret left the sandbox towards {', '.join(finding.hosts)}"
    if category == Category.PAYLOAD and _at_least(finding, Severity.HIGH):
        return f"{where(finding)}: a downloaded payload is itself malicious: {finding.message}"
    if category == Category.HIDDEN_CODE and finding.rule in _TROJAN_SOURCE_RULES and _at_least(finding, Severity.HIGH):
        return f"{where(finding)}: Trojan Source bidi controls in code make it run differently than it reads"
    if category in _STRONG_WHEN_CRITICAL and finding.severity == Severity.CRITICAL:
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

    hidden_endpoint = first(Category.ENDPOINT, Severity.MEDIUM)
    dynamic = first(Category.CODE_EXECUTION, Severity.MEDIUM)
    trigger = first(Category.AUTO_RUN, Severity.MEDIUM)
    if hidden_endpoint and dynamic and trigger:
        reasons.append(
            f"a hidden endpoint ({where(hidden_endpoint)}), dynamic code execution ({where(dynamic)}) "
            f"and an auto-run trigger ({where(trigger)}) together"
        )
    executing_files = {
        f.path
        for f in findings
        if f.category in (Category.CODE_EXECUTION, Category.REMOTE_CODE_EXECUTION) and _at_least(f, Severity.LOW)
    }
    for finding in findings:
        concealing = (finding.category == Category.HIDDEN_CODE and _at_least(finding, Severity.HIGH)) or (
            finding.category == Category.OBFUSCATION and _at_least(finding, Severity.HIGH)
        )
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
            _at_least(finding, Severity.HIGH)
            or (finding.category in _LOADER_SHAPED and _at_least(finding, Severity.MEDIUM))
            or finding.category in _RUNTIME_SUSPICIOUS
            or (finding.category == Category.PAYLOAD and _at_least(finding, Severity.MEDIUM))
        ):
            reasons.append(f"{where(finding)}: {finding.message}")
    weak = {f.category: f for f in findings if f.category in _WEAK and _at_least(f, Severity.MEDIUM)}
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
