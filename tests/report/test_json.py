from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from inspector.model import SCHEMA_ID
from inspector.report import ReportFormat, render

REPORT_SCHEMA = Path(__file__).parents[2] / "inspector" / "model" / "report.schema.json"


def test_schema_key_first_and_indented(malicious_report):
    text = render(malicious_report, ReportFormat.JSON)
    data = json.loads(text)
    assert next(iter(data)) == "schema"
    assert data["schema"] == SCHEMA_ID
    assert text.startswith('{\n  "schema": ')


def test_output_is_ascii_so_a_terminal_gets_no_raw_escape(hostile_report):
    text = render(hostile_report, ReportFormat.JSON)
    assert text.isascii()
    assert "\x1b" not in text
    assert "\\u001b" in text and "\\u202e" in text


def test_validates_against_the_report_schema(malicious_report, hostile_report, clean_report):
    schema = json.loads(REPORT_SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    for report in (malicious_report, hostile_report, clean_report):
        validator.validate(json.loads(render(report, ReportFormat.JSON)))
