"""The verdict: strong evidence, documented combinations, weak signals, runtime categories."""

from __future__ import annotations

from dataclasses import replace

import pytest

from inspector.correlate.verdict import compute_verdict
from inspector.model import Category, Engine, Finding, FlowEnds, Severity, Technique, TraceStep, Verdict


def f(
    category: Category,
    severity: Severity,
    *,
    rule: str = "r",
    path: str | None = "a.js",
    line: int = 3,
    hosts: tuple[str, ...] = (),
    techniques: tuple[Technique, ...] = (),
) -> Finding:
    return Finding(
        id=f"{rule}{path}{line}",
        rule=rule,
        severity=severity,
        category=category,
        path=path,
        line=line,
        column=1,
        message=f"{category.value} here",
        evidence="",
        engines=(Engine.TEXT,),
        hosts=hosts,
        techniques=techniques,
    )


@pytest.mark.parametrize(
    "finding",
    [
        f(Category.REMOTE_CODE_EXECUTION, Severity.CRITICAL),
        f(Category.REMOTE_CODE_EXECUTION, Severity.HIGH),
        f(Category.DOWNLOAD_EXECUTE, Severity.CRITICAL),
        f(Category.AUTO_RUN, Severity.CRITICAL),
        f(Category.HIDDEN_CODE, Severity.HIGH, rule="hidden-code.bidi", techniques=(Technique.TROJAN_SOURCE,)),
        f(Category.EXFILTRATION, Severity.LOW, path=None),
        f(Category.HONEYTOKEN, Severity.HIGH, path=None, hosts=("c2.test",)),
        f(Category.PAYLOAD, Severity.HIGH, path="payload:stage2"),
    ],
    ids=lambda x: f"{x.category.value}-{x.severity.value}",
)
def test_strong_evidence_alone_is_malicious(finding: Finding) -> None:
    verdict, reasons = compute_verdict([finding])
    assert verdict == Verdict.MALICIOUS
    assert reasons and len(reasons[0]) < 300


def test_reasons_name_file_and_line() -> None:
    _, reasons = compute_verdict([f(Category.REMOTE_CODE_EXECUTION, Severity.CRITICAL, path="src/x.js", line=12)])
    assert "src/x.js:12" in reasons[0]


def test_hidden_endpoint_dynamic_execution_and_auto_run_together_are_malicious() -> None:
    weak = [
        f(Category.ENDPOINT, Severity.MEDIUM, path=".env"),
        f(Category.CODE_EXECUTION, Severity.MEDIUM),
        f(Category.AUTO_RUN, Severity.MEDIUM, path="package.json"),
    ]
    assert compute_verdict(weak)[0] == Verdict.MALICIOUS
    assert compute_verdict(weak[:2])[0] == Verdict.SUSPICIOUS
    assert compute_verdict(weak[:1])[0] == Verdict.CLEAN


def test_concealment_in_a_file_that_executes_code_is_malicious() -> None:
    hidden = f(Category.HIDDEN_CODE, Severity.HIGH, path="lib/x.js")
    assert compute_verdict([hidden, f(Category.CODE_EXECUTION, Severity.LOW, path="lib/x.js")])[0] == Verdict.MALICIOUS
    assert compute_verdict([hidden, f(Category.CODE_EXECUTION, Severity.LOW, path="other.js")])[0] == Verdict.SUSPICIOUS


@pytest.mark.parametrize(
    "finding",
    [
        f(Category.HONEYTOKEN, Severity.MEDIUM, path=None),
        f(Category.UNDECLARED_ENDPOINT, Severity.LOW, path=None),
        f(Category.NEW_DOMAIN, Severity.LOW, path=None),
        f(Category.HIDDEN_CODE, Severity.MEDIUM),
        f(Category.DOWNLOAD_EXECUTE, Severity.MEDIUM, path="README.md"),
        f(Category.OBFUSCATION, Severity.HIGH),
        f(Category.PAYLOAD, Severity.MEDIUM, path="payload:x"),
    ],
    ids=lambda x: f"{x.category.value}-{x.severity.value}",
)
def test_weaker_signals_are_suspicious(finding: Finding) -> None:
    verdict, reasons = compute_verdict([finding])
    assert verdict == Verdict.SUSPICIOUS and reasons


def test_ordinary_findings_are_clean() -> None:
    ordinary = [
        f(Category.AUTO_RUN, Severity.MEDIUM, path="package.json"),
        f(Category.OBFUSCATION, Severity.INFO),
        f(Category.OBFUSCATION, Severity.LOW, path="node_modules/x.js"),
        f(Category.DOWNLOAD_EXECUTE, Severity.LOW, path="Dockerfile"),
        f(Category.ANALYSIS, Severity.INFO),
        f(Category.ENDPOINT, Severity.LOW),
    ]
    assert compute_verdict(ordinary) == (Verdict.CLEAN, ())
    assert compute_verdict([]) == (Verdict.CLEAN, ())


def test_a_loader_reason_names_the_host_the_sink_and_what_starts_it() -> None:
    loader = Finding(
        id="rce",
        rule="flow.js.remote-code-execution",
        severity=Severity.CRITICAL,
        category=Category.REMOTE_CODE_EXECUTION,
        path="server/controllers/user.js",
        line=12,
        column=5,
        message="Data from the network reaches eval",
        evidence="",
        engines=(Engine.TREE_SITTER,),
        trace=(
            TraceStep("server/controllers/user.js", 11, 3, "source: axios.get(...) response"),
            TraceStep("server/controllers/user.js", 12, 5, "sink: eval"),
        ),
        hosts=("api.npoint.io",),
        reachable_from=("package.json#scripts.start",),
        flow=FlowEnds("axios.get(...) response", "server/controllers/user.js", 11, "eval"),
    )
    trigger = Finding(
        id="surface",
        rule="auto-run.npm-script",
        severity=Severity.CRITICAL,
        category=Category.AUTO_RUN,
        path="package.json",
        line=6,
        column=1,
        message="npm run start runs a remote-code loader at server/controllers/user.js:12",
        evidence="",
        engines=(Engine.TEXT,),
        trace=(
            TraceStep("package.json", 6, 1, "auto-run: npm-script (npm run start)"),
            TraceStep("server/controllers/user.js", 12, 5, "a remote-code loader: flow.js.remote-code-execution"),
        ),
    )
    verdict, reasons = compute_verdict([trigger, loader])
    assert verdict == Verdict.MALICIOUS
    # One reason: the trigger only repeats the loader it runs.
    assert reasons == (
        "server/controllers/user.js:12: data from api.npoint.io (axios.get(...) response, line 11) reaches eval; "
        "runs automatically via package.json#scripts.start",
    )


def test_a_trigger_of_code_not_otherwise_named_keeps_its_own_reason() -> None:
    hidden = f(Category.HIDDEN_CODE, Severity.CRITICAL, path="lib/a.js", line=4)
    trigger = replace(
        f(Category.AUTO_RUN, Severity.CRITICAL, path="package.json", line=6),
        trace=(TraceStep("package.json", 6, 1, "auto-run"), TraceStep("lib/other.js", 9, 1, "hidden")),
    )
    _, reasons = compute_verdict([hidden, trigger])
    assert reasons == ("lib/a.js:4: hidden-code here", "package.json:6: auto-run here")
