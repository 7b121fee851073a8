"""The scoring policy: every severity rule and verdict threshold, in one place (pure, no I/O).

docs/verdict.md holds the same table in prose; keep the two in step. Detectors choose a severity
from ``DEFAULT_SEVERITY`` (through :func:`inspector.model.findings.new_finding`) unless they have
a documented reason to choose another; the static stage then applies ``vendored`` (library code
that ordinarily runs dynamic code or is minified) and ``reachable`` (code an auto-run surface
reaches); the verdict (inspector/correlate/verdict.py) reads the thresholds below.
"""

from __future__ import annotations

from inspector.model.report import Category, Severity

# -- detector defaults: the severity of a finding of this category when its detector has no reason
# to choose another (a reason is documented at the detector, and in docs/verdict.md).
DEFAULT_SEVERITY: dict[Category, Severity] = {
    Category.REMOTE_CODE_EXECUTION: Severity.CRITICAL,
    Category.DOWNLOAD_EXECUTE: Severity.HIGH,
    Category.CODE_EXECUTION: Severity.LOW,
    Category.ENDPOINT: Severity.MEDIUM,
    Category.HIDDEN_CODE: Severity.HIGH,
    Category.AUTO_RUN: Severity.LOW,
    Category.OBFUSCATION: Severity.MEDIUM,
    Category.EXFILTRATION: Severity.CRITICAL,
    Category.HONEYTOKEN: Severity.HIGH,
    Category.PAYLOAD: Severity.MEDIUM,
    Category.UNDECLARED_ENDPOINT: Severity.HIGH,
    Category.NEW_DOMAIN: Severity.MEDIUM,
    Category.REPOSITORY: Severity.LOW,
    Category.SANDBOX: Severity.INFO,
    Category.ANALYSIS: Severity.INFO,
}

# -- Semgrep rule levels: a rule's ERROR/WARNING/INFO level read as a severity (the rule pack's
# categories choose the CRITICAL ones: an ERROR-level loader is as strong as the flow engine's).
SEMGREP_CRITICAL = frozenset({Category.REMOTE_CODE_EXECUTION, Category.DOWNLOAD_EXECUTE})


def semgrep_severity(level: str, category: Category) -> Severity:
    """The severity of a Semgrep result of this rule level and category."""
    if level == "ERROR":
        return Severity.CRITICAL if category in SEMGREP_CRITICAL else Severity.HIGH
    if level == "WARNING":
        return Severity.MEDIUM
    return Severity.LOW


# -- vendored downgrade: in vendored paths these categories are capped at LOW (LOW becomes INFO).
VENDOR_DOWNGRADED = frozenset({Category.CODE_EXECUTION, Category.OBFUSCATION})


def vendored(severity: Severity) -> Severity:
    """The severity of a vendored finding of a VENDOR_DOWNGRADED category (INFO stays INFO)."""
    return Severity.INFO if severity.rank <= Severity.LOW.rank else Severity.LOW


# -- reachability escalation: a finding an auto-run surface reaches is raised one step from MEDIUM
# (a loader, a disguised file other code loads, or hidden code run automatically becomes CRITICAL;
# inspector/static/autorun/escalate.py decides which findings those are).
_REACHED = {
    Severity.INFO: Severity.INFO,
    Severity.LOW: Severity.LOW,
    Severity.MEDIUM: Severity.HIGH,
    Severity.HIGH: Severity.HIGH,
    Severity.CRITICAL: Severity.CRITICAL,
}
RUN_AUTOMATICALLY = Severity.CRITICAL  # a loader (or hidden code) that an auto-run surface runs


def reachable(severity: Severity) -> Severity:
    """The severity of a finding reached from an auto-run surface (not itself a loader)."""
    return _REACHED[severity]


# -- verdict thresholds (inspector/correlate/verdict.py).
# CRITICAL findings of these categories are malicious on their own.
STRONG_WHEN_CRITICAL = frozenset(
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
# At or above these severities, these are malicious on their own (exfiltration always is; a
# honeytoken is when it names the hosts it went to; Trojan Source by its technique, in code).
STRONG_AT = {
    Category.REMOTE_CODE_EXECUTION: Severity.HIGH,
    Category.PAYLOAD: Severity.HIGH,
}
TROJAN_SOURCE_AT = Severity.HIGH
# A MEDIUM finding of a loader-shaped category is suspicious on its own.
LOADER_SHAPED = frozenset(
    {Category.REMOTE_CODE_EXECUTION, Category.DOWNLOAD_EXECUTE, Category.HIDDEN_CODE, Category.OBFUSCATION}
)
SUSPICIOUS_AT = Severity.HIGH  # any category but ANALYSIS
LOADER_SUSPICIOUS_AT = Severity.MEDIUM  # LOADER_SHAPED and PAYLOAD
# Weak on their own (ordinary repositories have them); at MEDIUM, two different ones are
# suspicious, and all three of ENDPOINT + CODE_EXECUTION + AUTO_RUN are malicious together.
WEAK = (Category.ENDPOINT, Category.CODE_EXECUTION, Category.AUTO_RUN)
WEAK_AT = Severity.MEDIUM
# Hidden code or obfuscation at HIGH in a file that also executes code (at LOW or above) is malicious.
CONCEALING = frozenset({Category.HIDDEN_CODE, Category.OBFUSCATION})
CONCEALING_AT = Severity.HIGH
EXECUTING = frozenset({Category.CODE_EXECUTION, Category.REMOTE_CODE_EXECUTION})
EXECUTING_AT = Severity.LOW
# Runtime observations that are suspicious whatever their severity.
RUNTIME_SUSPICIOUS = frozenset({Category.HONEYTOKEN, Category.UNDECLARED_ENDPOINT, Category.NEW_DOMAIN})


def at_least(severity: Severity, threshold: Severity) -> bool:
    return severity.rank >= threshold.rank


__all__ = [
    "CONCEALING",
    "CONCEALING_AT",
    "DEFAULT_SEVERITY",
    "EXECUTING",
    "EXECUTING_AT",
    "LOADER_SHAPED",
    "LOADER_SUSPICIOUS_AT",
    "RUNTIME_SUSPICIOUS",
    "RUN_AUTOMATICALLY",
    "SEMGREP_CRITICAL",
    "STRONG_AT",
    "STRONG_WHEN_CRITICAL",
    "SUSPICIOUS_AT",
    "TROJAN_SOURCE_AT",
    "VENDOR_DOWNGRADED",
    "WEAK",
    "WEAK_AT",
    "at_least",
    "reachable",
    "semgrep_severity",
    "vendored",
]
