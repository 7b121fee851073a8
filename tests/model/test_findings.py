"""The Finding factory: ids keep the recipe the decision ledger was written with; severities default by category."""

from __future__ import annotations

import hashlib

from inspector.model import Category, Engine, Severity, finding_id, new_finding, scoring


def _sha16(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_default_id_is_rule_path_line_column() -> None:
    finding = new_finding("flow.js.remote-code-execution", Category.REMOTE_CODE_EXECUTION, Engine.TREE_SITTER,
                          "m", path="src/a.js", line=4, column=19)
    assert finding.id == _sha16("flow.js.remote-code-execution:src/a.js:4:19")


def test_a_file_level_finding_hashes_none_for_line_and_column() -> None:
    finding = new_finding("hidden-code.disguised-file", Category.HIDDEN_CODE, Engine.TEXT, "m", path="f.woff2")
    assert finding.id == _sha16("hidden-code.disguised-file:f.woff2:None:None")


def test_an_explicit_key_replaces_the_default_one() -> None:
    finding = new_finding("endpoint.hidden-hex", Category.ENDPOINT, Engine.TREE_SITTER, "m",
                          path="a.js", line=1, column=2, id_key=("endpoint.hidden-hex", "a.js", 1, 2, "c2.test"))
    assert finding.id == _sha16("endpoint.hidden-hex:a.js:1:2:c2.test") == finding_id(
        "endpoint.hidden-hex", "a.js", 1, 2, "c2.test"
    )


def test_severity_defaults_to_the_category_default_and_an_explicit_one_wins() -> None:
    for category in Category:
        assert new_finding("r", category, Engine.TEXT, "m").severity == scoring.DEFAULT_SEVERITY[category]
    assert new_finding("r", Category.ENDPOINT, Engine.TEXT, "m", severity=Severity.LOW).severity == Severity.LOW


def test_every_category_has_a_default() -> None:
    assert set(scoring.DEFAULT_SEVERITY) == set(Category)
