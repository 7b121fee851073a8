"""Fixtures: the malicious report of report_fixtures.py, its hostile variant, a clean one; Chromium."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from inspector.model import Report, Verdict
from tests.report.report_fixtures import build_report


@pytest.fixture
def malicious_report() -> Report:
    return build_report()


@pytest.fixture
def hostile_report() -> Report:
    return build_report(hostile=True)


@pytest.fixture
def clean_report() -> Report:
    report = build_report()
    return dataclasses.replace(
        report,
        verdict=Verdict.CLEAN,
        findings=(),
        endpoints=(),
        network=(),
        run=None,
        hosts=(),
        decision=None,
        skipped=(),
        verdict_reasons=(),
    )


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's headless Chromium, or a loud skip."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.skip("SKIPPED LOUDLY: Debian's chromium is not installed (apt-get install -y chromium)")
    return binary

