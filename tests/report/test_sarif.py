from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema

from inspector.report import ReportFormat, render

SARIF_SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "sarif-schema-2.1.0.json").read_text())


def _sarif(report) -> dict:
    log = json.loads(render(report, ReportFormat.SARIF))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    return log


def test_valid_against_the_official_schema(malicious_report, hostile_report, clean_report):
    for report in (malicious_report, hostile_report, clean_report):
        _sarif(report)


def test_the_schema_check_can_fail(malicious_report):
    log = json.loads(render(malicious_report, ReportFormat.SARIF))
    log["runs"][0]["results"][0]["level"] = "fatal"
    errors = list(jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(log))
    assert errors


def test_github_code_scanning_rules(hostile_report):
    run = _sarif(hostile_report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "inspector"
    for result in run["results"]:
        # locationFromSarifResult: every result needs a physical location with a uri and a start line
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        assert not physical["artifactLocation"]["uri"].startswith("/")
        assert physical["region"]["startLine"] >= 1
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["partialFingerprints"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
        assert 0 < float(rule["properties"]["security-severity"]) <= 10
        assert "security" in rule["properties"]["tags"]


def test_locations_and_run_level_findings(malicious_report):
    run = _sarif(malicious_report)["runs"][0]
    by_rule = {result["ruleId"]: result for result in run["results"]}
    rce = by_rule["js.remote-code-execution.new-function-from-http"]
    region = rce["locations"][0]["physicalLocation"]["region"]
    assert rce["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ("server/middleware/errorHandler.js")
    assert (region["startLine"], region["startColumn"]) == (14, 5)
    assert rce["level"] == "error"
    assert len(rce["codeFlows"][0]["threadFlows"][0]["locations"]) == 3
    assert by_rule["autorun.npm-lifecycle.prepare"]["level"] == "warning"
    # run-level with a trace: anchored at the code involved
    honeytoken = by_rule["honeytoken.read"]
    assert honeytoken["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("errorHandler.js")
    # run-level with no place in the code: a notification, not a location-less result
    assert "undeclared-endpoint" not in by_rule
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "undeclared-endpoint"
    assert "c2.exfil.invalid" in note["message"]["text"]


def test_paths_are_percent_encoded(malicious_report):
    finding = dataclasses.replace(malicious_report.findings[0], path="src/my file#1.js")
    report = dataclasses.replace(malicious_report, findings=(finding,))
    uri = _sarif(report)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "src/my%20file%231.js"


def test_no_raw_control_characters(hostile_report):
    text = render(hostile_report, ReportFormat.SARIF)
    assert text.isascii() and "\\u001b" not in text and "\\u202e" not in text
