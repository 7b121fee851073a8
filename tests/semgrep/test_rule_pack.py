"""The rule pack as reviewers use it: `semgrep --test`, `--validate`, and plain `--config` scans.

Acceptance: over every malicious example Semgrep reports each remote-code-execution location of
its expected.json at ERROR (same file, same line), and over every benign example no ERROR at all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.semgrep.conftest import EXAMPLES, RULES, scan_json

ALLOWED_CATEGORIES = {
    "remote-code-execution",
    "download-execute",
    "code-execution",
    "endpoint",
    "hidden-code",
    "auto-run",
    "obfuscation",
    "exfiltration",
}
LANGUAGE_DIRS = {"javascript", "typescript", "python", "generic"}
RULE_FILES = sorted(RULES.glob("*/*.yaml"))


def _rules(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text())["rules"]


def _test_file(rule_file: Path) -> Path:
    matches = [p for p in rule_file.parent.glob(rule_file.stem + ".*") if p.suffix not in (".yaml", ".yml")]
    assert len(matches) == 1, f"{rule_file.name}: expected exactly one test file beside it, found {matches}"
    return matches[0]


def test_pack_layout_is_one_rule_per_file_in_a_language_dir():
    assert RULE_FILES, "the rule pack is empty"
    assert {p.parent.name for p in RULE_FILES} <= LANGUAGE_DIRS
    ids = [rule["id"] for path in RULE_FILES for rule in _rules(path)]
    assert len(ids) == len(RULE_FILES), "one rule per file (metadata checks and test files are per file)"
    assert len(set(ids)) == len(ids), "rule ids must be unique across the pack"
    assert all(path.stem == _rules(path)[0]["id"] for path in RULE_FILES)


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.stem)
def test_rule_has_metadata_and_a_positive_case(rule_file: Path):
    (rule,) = _rules(rule_file)
    assert rule["severity"] in {"ERROR", "WARNING", "INFO"}
    assert len(rule["message"].split()) >= 15, "the message must tell a reviewer what to look at"
    metadata = rule["metadata"]
    assert metadata["category"] in ALLOWED_CATEGORIES
    assert re.match(r"^CWE-\d+: ", metadata["cwe"])
    assert metadata["confidence"] in {"HIGH", "MEDIUM", "LOW"}
    assert metadata["references"] and all(ref.startswith("https://") for ref in metadata["references"])
    test_text = _test_file(rule_file).read_text()
    # A rule without a positive case tests nothing.
    assert re.search(rf"\bruleid:\s*{re.escape(rule['id'])}\b", test_text), f"no ruleid: line for {rule['id']}"
    assert re.search(rf"\bok:\s*{re.escape(rule['id'])}\b", test_text), f"no ok: line for {rule['id']}"


def test_pack_loads_and_scans_its_own_fixtures_without_errors(run_semgrep):
    # `semgrep --validate` always downloads the registry's rule lints (p/semgrep-rule-lints), so it
    # cannot run offline; a strict scan parses every rule of the pack against real targets instead.
    report = scan_json(run_semgrep, RULES)
    assert report["errors"] == [], report["errors"]
    # Rules scoped by `paths` (setup.py, tasks.json) do not apply to their fixtures' file names.
    unscoped = {_rules(p)[0]["id"] for p in RULE_FILES if "paths" not in _rules(p)[0]}
    assert unscoped <= {r["check_id"] for r in report["results"]}


def test_semgrep_test_passes(run_semgrep):
    completed = run_semgrep("scan", "--test", "--json", str(RULES))
    report = json.loads(completed.stdout)
    failures = {
        name: result
        for entry in report["results"].values()
        for name, result in entry["checks"].items()
        if not result["passed"]
    }
    assert not failures, failures
    assert not report["config_with_errors"], report["config_with_errors"]
    assert not report["config_missing_tests"], report["config_missing_tests"]
    assert completed.returncode == 0, completed.stderr[-2000:]


def _examples(kind: str) -> list[Path]:
    return sorted(p.parent for p in EXAMPLES.glob(f"{kind}/*/expected.json"))


def _loader_locations(example: Path) -> set[tuple[str, int]]:
    expected = json.loads((example / "expected.json").read_text())
    return {(loc["path"], loc["line"]) for loc in expected["locations"] if loc["category"] == "remote-code-execution"}


@pytest.fixture(scope="module")
def examples_errors(run_semgrep) -> set[tuple[str, int]]:
    """One plain scan over the whole corpus (Semgrep starts once): ERROR locations, corpus-relative."""
    report = scan_json(run_semgrep, EXAMPLES)
    return {
        (Path(r["path"]).resolve().relative_to(EXAMPLES.resolve()).as_posix(), r["start"]["line"])
        for r in report["results"]
        if r["extra"]["severity"] == "ERROR"
    }


def _inside(example: Path, errors: set[tuple[str, int]]) -> set[tuple[str, int]]:
    prefix = example.relative_to(EXAMPLES).as_posix() + "/"
    return {(path.removeprefix(prefix), line) for path, line in errors if path.startswith(prefix)}


@pytest.mark.parametrize("example", [e for e in _examples("malicious") if _loader_locations(e)], ids=lambda p: p.name)
def test_malicious_example_loader_is_reported_at_error(examples_errors, example: Path):
    wanted = _loader_locations(example)
    reported = _inside(example, examples_errors)
    assert wanted <= reported, f"missing at ERROR: {sorted(wanted - reported)}; got {sorted(reported)}"


@pytest.mark.parametrize("example", _examples("benign"), ids=lambda p: p.name)
def test_benign_example_has_no_error(examples_errors, example: Path):
    reported = _inside(example, examples_errors)
    assert not reported, f"ERROR results on a benign example: {sorted(reported)}"
