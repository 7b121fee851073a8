"""Fixtures: the malicious report of report_fixtures.py, its hostile variant, a clean one."""

from __future__ import annotations

import dataclasses

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
