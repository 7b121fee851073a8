"""The verdict: malicious, suspicious or clean, with the reasons a reviewer can check.

The scoring is documented in docs/verdict.md; keep the two in step. In short:

* **malicious** needs one piece of strong evidence - remote data reaching code execution, a
  CRITICAL finding (download-and-execute or hidden/disguised/obfuscated code run by an auto-run
  surface, a disguised file other code loads), Trojan Source controls in code, exfiltration or a
  honeytoken sent out at runtime, a downloaded payload that is itself malicious - or one of the
  documented combinations of weaker signals;
* **suspicious** needs a HIGH finding, a MEDIUM finding of a loader-shaped category, a runtime
  observation (honeytoken read, undeclared endpoint, new domain), or two different weak signals;
* **clean** otherwise. INFO and ANALYSIS findings never change the verdict.
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


def _strong(finding: Finding) -> str | None:
    """A sentence when this finding alone makes the repository malicious."""
    category = finding.category
    if category == Category.EXFILTRATION:
        return f"data was sent out at runtime ({where(finding)}): {finding.message}"
    if category == Category.REMOTE_CODE_EXECUTION and _at_least(finding, Severity.HIGH):
        return f"remote data reaches code execution at {where(finding)}"
    if category == Category.HONEYTOKEN and finding.hosts:
        return f"a planted secret left the sandbox towards {', '.join(finding.hosts)} ({where(finding)})"
    if category == Category.PAYLOAD and _at_least(finding, Severity.HIGH):
        return f"a downloaded payload is itself malicious ({where(finding)}): {finding.message}"
    if category == Category.HIDDEN_CODE and finding.rule in _TROJAN_SOURCE_RULES and _at_least(finding, Severity.HIGH):
        return f"Trojan Source bidi controls in code at {where(finding)}"
    if category in _STRONG_WHEN_CRITICAL and finding.severity == Severity.CRITICAL:
        return f"{finding.message} ({where(finding)})"
    return None


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
            f"hidden endpoint ({where(hidden_endpoint)}), dynamic code execution ({where(dynamic)}) "
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
            reasons.append(f"{finding.category.value} and dynamic code execution in the same file ({where(finding)})")
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
            reasons.append(f"{finding.message} ({where(finding)})")
    weak = {f.category: f for f in findings if f.category in _WEAK and _at_least(f, Severity.MEDIUM)}
    if len(weak) >= 2:
        reasons.append("weak signals together: " + "; ".join(f"{c.value} at {where(f)}" for c, f in weak.items()))
    return reasons


def compute_verdict(findings: Sequence[Finding]) -> tuple[Verdict, tuple[str, ...]]:
    """The verdict for a set of findings and the short sentences that justify it."""
    ordered = sorted(findings, key=lambda f: -f.severity.rank)
    strong = [reason for f in ordered if (reason := _strong(f)) is not None]
    strong.extend(_combinations(ordered))
    if strong:
        return Verdict.MALICIOUS, tuple(dict.fromkeys(strong))[:MAX_REASONS]
    suspicious = _suspicious(ordered)
    if suspicious:
        return Verdict.SUSPICIOUS, tuple(dict.fromkeys(suspicious))[:MAX_REASONS]
    return Verdict.CLEAN, ()


__all__ = ["compute_verdict"]
