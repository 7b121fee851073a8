"""report.sarif: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

GitHub rejects a whole upload when one result lacks a physical location
(``locationFromSarifResult: expected at least one location``). Findings with a path get that
path; a run-level finding is anchored where the code is involved (its first trace step, the
code that names its host, the file of the auto-run entry that reaches it) and, when there is
no such place (a host contacted at runtime that the code never names), it is left out of
``results`` and listed as a tool notification instead, so the upload is still accepted and the
finding is still in the file. The other formats show every finding.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from inspector.model import Category, Finding, Report, Severity, TraceStep
from inspector.report.interface import Renderer
from inspector.textsafe import terminal_safe

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub buckets security-severity: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, < 4 low.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
_CATEGORY_HELP = {
    Category.REMOTE_CODE_EXECUTION: "Code downloaded from the network is executed.",
    Category.DOWNLOAD_EXECUTE: "A file is downloaded and then run.",
    Category.CODE_EXECUTION: "Data is executed as code (eval, new Function, exec, child processes).",
    Category.ENDPOINT: "A network endpoint the code contacts, possibly hidden.",
    Category.HIDDEN_CODE: "Code hidden from a reader (off-screen, invisible characters, minified blobs).",
    Category.AUTO_RUN: "Something runs without the user asking (install scripts, editor tasks).",
    Category.OBFUSCATION: "Encoded or obfuscated code or data.",
    Category.EXFILTRATION: "Secrets or files are sent off the machine.",
    Category.HONEYTOKEN: "A planted decoy secret was read or sent during the sandboxed run.",
    Category.PAYLOAD: "A payload the program downloaded during the run.",
    Category.UNDECLARED_ENDPOINT: "A host contacted at runtime that the code never names.",
    Category.NEW_DOMAIN: "A domain registered recently: a common trait of attack infrastructure.",
    Category.REPOSITORY: "Something about the repository itself (links, submodules, history).",
    Category.SANDBOX: "Behaviour the sandbox observed during the run.",
    Category.ANALYSIS: "Part of the target could not be analysed completely.",
}


def _artifact_location(path: str) -> dict[str, Any]:
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def _physical(path: str, line: int | None, column: int | None) -> dict[str, Any]:
    # GitHub requires a region with a start line on every location; line 1 stands for "the file".
    region: dict[str, Any] = {"startLine": max(line or 1, 1)}
    if column is not None and column >= 1:
        region["startColumn"] = column
    return {"physicalLocation": {"artifactLocation": _artifact_location(path), "region": region}}


def _anchor(finding: Finding, report: Report) -> tuple[str, int | None, int | None] | None:
    """Where a finding lives in the code: its own location, or the nearest code it involves."""
    if finding.path is not None:
        return finding.path, finding.line, finding.column
    if finding.trace:
        step = finding.trace[0]
        return step.path, step.line, step.column
    for host in report.hosts:
        if host.host in finding.hosts and host.static_sources:
            source = host.static_sources[0]
            return source.path, source.line, None
    for entry in finding.reachable_from:
        path = entry.split("#", 1)[0]
        if path:
            return path, None, None
    return None


def _thread_step(step: TraceStep) -> dict[str, Any]:
    location = _physical(step.path, step.line, step.column)
    location["message"] = {"text": terminal_safe(step.note, limit=500)}
    return {"location": location}


class SarifRenderer(Renderer):
    def render(self, report: Report) -> str:
        rule_ids = list(dict.fromkeys(finding.rule for finding in report.findings))
        rules = [self._rule(rule, report) for rule in rule_ids]
        results: list[dict[str, Any]] = []
        notifications: list[dict[str, Any]] = []
        for finding in report.findings:
            anchor = _anchor(finding, report)
            if anchor is None:
                notifications.append(
                    {
                        "level": _LEVEL[finding.severity],
                        "message": {
                            "text": f"[{finding.rule}] {terminal_safe(finding.message, limit=1000)} "
                            "(run-level finding with no place in the code; see report.html)"
                        },
                        "descriptor": {"id": finding.rule},
                    }
                )
                continue
            results.append(self._result(finding, anchor, rule_ids.index(finding.rule)))
        log = {
            "$schema": SARIF_SCHEMA_URI,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": report.tool.name,
                            "version": report.tool.version,
                            "rules": rules,
                        }
                    },
                    "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                    "results": results,
                    "properties": {
                        "verdict": report.verdict.value,
                        "verdictReasons": [terminal_safe(r, limit=500) for r in report.verdict_reasons],
                        "commit": report.target.commit,
                    },
                }
            ],
        }
        return json.dumps(log, indent=2, ensure_ascii=True) + "\n"

    def _rule(self, rule: str, report: Report) -> dict[str, Any]:
        findings = [finding for finding in report.findings if finding.rule == rule]
        worst = max(findings, key=lambda finding: finding.severity.rank)
        category = worst.category
        description = _CATEGORY_HELP[category]
        return {
            "id": rule,
            "name": "".join(part.capitalize() for part in rule.replace("/", "-").replace(".", "-").split("-")),
            "shortDescription": {"text": f"{category.value}: {rule}"},
            "fullDescription": {"text": description},
            "help": {
                "text": f"{description} Open report.html for the evidence, the trace and the run.",
                "markdown": f"**{category.value}**: {description}\n\n"
                "Open `report.html` for the evidence, the trace and the run.",
            },
            "defaultConfiguration": {"level": _LEVEL[worst.severity]},
            "properties": {
                "tags": ["security", "malicious-code", category.value],
                "security-severity": _SECURITY_SEVERITY[worst.severity],
                "precision": "high" if worst.severity.rank >= Severity.HIGH.rank else "medium",
            },
        }

    def _result(self, finding: Finding, anchor: tuple[str, int | None, int | None], rule_index: int) -> dict[str, Any]:
        path, line, column = anchor
        message = terminal_safe(finding.message, limit=1000)
        if finding.path is None:
            message += " (seen in the run; shown at the code involved)"
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": rule_index,
            "level": _LEVEL[finding.severity],
            "message": {"text": message},
            "locations": [_physical(path, line, column)],
            "partialFingerprints": {"inspectorFindingId/v1": finding.id},
            "properties": {
                "severity": finding.severity.value,
                "category": finding.category.value,
                "engines": [engine.value for engine in finding.engines],
                "evidence": terminal_safe(finding.evidence, limit=1000),
                "hosts": [terminal_safe(host, limit=300) for host in finding.hosts],
            },
        }
        if finding.trace:
            result["codeFlows"] = [{"threadFlows": [{"locations": [_thread_step(s) for s in finding.trace]}]}]
        return result
