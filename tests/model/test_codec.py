from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from inspector.model import (
    Category,
    Decision,
    Endpoint,
    EndpointSource,
    Engine,
    Finding,
    HistorySummary,
    HumanDecision,
    NetworkDecision,
    NetworkRecord,
    PhaseName,
    PhaseResult,
    PhaseStatus,
    Report,
    ReportFormatError,
    RunInfo,
    Severity,
    Target,
    ToolInfo,
    TraceStep,
    Verdict,
    from_dict,
    to_dict,
)
from inspector.model.jsonschema import report_schema

SCHEMA_FILE = Path(__file__).parents[2] / "inspector" / "model" / "report.schema.json"


def sample_report() -> Report:
    target = Target(
        source="https://example.test/o/lure.git", kind="git", path="/q/repo", commit="a" * 40, branch="main",
        remote_url="https://example.test/o/lure.git", fetched_at="2026-11-21T22:00:00+00:00",
        history=HistorySummary(3, "2026-11-20T10:00:00+00:00", "2026-11-21T10:00:00+00:00", ("dev",), False),
    )
    finding = Finding(
        id="f1", rule="flow.js.remote-code-execution", severity=Severity.CRITICAL,
        category=Category.REMOTE_CODE_EXECUTION, path="src/auth.js", line=12, column=5,
        message="response data reaches new Function", evidence="new Function('require', r.data)(require)",
        engines=(Engine.TREE_SITTER, Engine.SEMGREP),
        trace=(TraceStep("src/auth.js", 10, 3, "source: axios.get"), TraceStep("src/auth.js", 12, 5, "sink")),
        hosts=("c2.lure.test",),
    )
    return Report(
        tool=ToolInfo("inspector", "0.1.0"),
        target=target,
        verdict=Verdict.MALICIOUS,
        findings=(finding,),
        endpoints=(Endpoint("c2.lure.test", ("https://c2.lure.test/api",),
                            (EndpointSource(".env", 3, "base64 in .env AUTH_API"),), "unknown", (443,), True),),
        network=(NetworkRecord("c2.lure.test", "198.18.0.7", 443, "https", PhaseName.START, 2,
                               "2026-11-21T22:01:00+00:00", NetworkDecision.BLOCKED, "GET /api -> 200 (fake)"),),
        run=RunInfo("inspector/sandbox-node", "runc",
                    (PhaseResult(PhaseName.START, ("npm start",), PhaseStatus.TIMEOUT, None, 120.0),),
                    "2026-11-21T22:00:30+00:00", "2026-11-21T22:02:30+00:00", "artifacts"),
        decision=Decision(HumanDecision.REJECT, "rev", "loader", "2026-11-21T22:05:00+00:00", "a" * 40,
                          "b" * 64, "c" * 64),
        verdict_reasons=("remote data reaches new Function at src/auth.js:12",),
    )


def test_round_trip_is_lossless():
    report = sample_report()
    data = json.loads(json.dumps(to_dict(report)))
    assert from_dict(Report, data) == report


def test_json_has_contract_keys():
    data = to_dict(sample_report())
    assert next(iter(data)) == "schema" and data["schema"] == "inspector.report/1"
    assert data["findings"][0]["engine"] == "tree-sitter+semgrep"
    assert data["tool"] == {"name": "inspector", "version": "0.1.0"}
    for key in ("target", "verdict", "findings", "endpoints", "network", "run", "decision"):
        assert key in data


def test_output_validates_against_published_schema():
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(to_dict(sample_report()), schema)
    jsonschema.validate(to_dict(Report(ToolInfo("inspector", "0"), sample_report().target, Verdict.CLEAN)), schema)


def test_schema_rejects_a_wrong_verdict():
    data = to_dict(sample_report())
    data["verdict"] = "fine"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text()))


def test_published_schema_matches_the_model():
    assert json.loads(SCHEMA_FILE.read_text()) == report_schema(), (
        "inspector/model/report.schema.json is stale: regenerate with "
        "python -c 'import json; from inspector.model.jsonschema import report_schema; "
        "print(json.dumps(report_schema(), indent=2))' > inspector/model/report.schema.json"
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(extra=1), "unknown keys"),
        (lambda d: d.pop("verdict"), "missing key"),
        (lambda d: d["findings"][0].update(severity="dire"), "not a Severity"),
        (lambda d: d["findings"][0].update(line="12"), "expected int"),
    ],
)
def test_reading_back_a_bad_report_fails_loudly(mutate, message):
    data = to_dict(sample_report())
    mutate(data)
    with pytest.raises(ReportFormatError, match=message):
        from_dict(Report, data)
