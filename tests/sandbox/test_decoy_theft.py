"""Planted decoys: reading them is a finding, sending them out is exfiltration."""

from __future__ import annotations

import pytest

from inspector.model.report import Category, Severity
from inspector.sandbox import SandboxOptions

from .conftest import both_runtimes

pytestmark = pytest.mark.sandbox


@both_runtimes
def test_reading_and_posting_decoys_gives_read_and_exfiltration_findings(run_sample, runtime):
    run = run_sample(("steal_and_post.py",), ("python3 steal_and_post.py",), SandboxOptions(timeout_s=60, linger_s=1))
    findings = run.result.findings

    reads = [f for f in findings if f.category is Category.HONEYTOKEN and f.severity is Severity.HIGH]
    assert any("ssh-private-key" in f.message for f in reads), findings
    assert any("wallet" in f.message.lower() or "extension" in f.message.lower() for f in reads), findings
    exfiltration = [f for f in findings if f.category is Category.EXFILTRATION]
    assert exfiltration and all(f.severity is Severity.CRITICAL for f in exfiltration)
    assert any("collector.test" in f.hosts for f in exfiltration), exfiltration
    assert "ssh-private-key" in run.result.run.honeytokens
    uploads = [e for e in run.events("http") if e["host"] == "collector.test"]
    assert uploads and not uploads[0]["allowed"] and uploads[0]["request_body"]["size"] > 0
