"""Every API catalog entry fires on its positive case and not on its look-alike negative.

The cases live in tests/static/catalog_cases/<language>.toml, one table per catalog entry (same
kind and name); each is scanned alone, through the real tree-sitter engine and flow visitor.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from inspector.model import Finding, Severity
from inspector.static.catalogs import KINDS, LANGUAGES, Entry, catalog
from tests.static.flow._scan import scan

CASES_DIR = Path(__file__).parent / "catalog_cases"
SUFFIX = {"javascript": "js", "python": "py"}
# Kinds whose entries make remote data reach execution; the others raise what they feed to exec (_raised).
REMOTE_KINDS = ("network_source", "execution_sink", "file_effect")


def _cases(language: str) -> dict[str, dict[str, dict[str, str]]]:
    with (CASES_DIR / f"{language}.toml").open("rb") as handle:
        return tomllib.load(handle)


def _params() -> list[object]:
    return [
        pytest.param(language, entry, id=f"{language}-{entry.kind}-{entry.name}")
        for language in LANGUAGES
        for entry in catalog(language).entries
    ]


def _findings(tmp_path: Path, language: str, text: str) -> list[Finding]:
    return list(scan(tmp_path, {f"sample.{SUFFIX[language]}": text}).findings)


def _remote(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule.endswith(".remote-code-execution")]


def _raised(findings: list[Finding], kind: str) -> list[Finding]:
    """Decoded data reaching execution is a HIGH finding of its own; environment data a MEDIUM weak one."""
    if kind == "decoder":
        return [f for f in findings if f.rule.endswith(".decoded-code-execution") and f.severity is Severity.HIGH]
    return [f for f in findings if f.rule.endswith(".dynamic-code-execution") and f.severity is Severity.MEDIUM]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_has_one_positive_and_one_negative_case_and_no_case_is_orphaned(language: str) -> None:
    cases = _cases(language)
    entries = {(e.kind, e.name) for e in catalog(language).entries}
    listed = {(kind, name) for kind, table in cases.items() for name in table}
    assert set(cases) <= set(KINDS)
    assert entries - listed == set(), "entries without cases"
    assert listed - entries == set(), "cases without entries"
    for kind, table in cases.items():
        for name, case in table.items():
            assert case.get("positive", "").strip() and case.get("negative", "").strip(), (kind, name)
            assert set(case) <= {"positive", "negative", "mentions"}, (kind, name)


@pytest.mark.parametrize(("language", "entry"), _params())
def test_positive_fires(tmp_path: Path, language: str, entry: Entry) -> None:
    case = _cases(language)[entry.kind][entry.name]
    findings = _findings(tmp_path, language, case["positive"])
    if entry.kind in REMOTE_KINDS:
        mentions = case.get("mentions", entry.name)
        traces = ["\n".join([*(s.note for s in f.trace), f.message]) for f in _remote(findings)]
        assert any(mentions in trace for trace in traces), (mentions, traces, [f.rule for f in findings])
    else:
        assert _raised(findings, entry.kind), [(f.rule, f.severity) for f in findings]


@pytest.mark.parametrize(("language", "entry"), _params())
def test_look_alike_does_not_fire(tmp_path: Path, language: str, entry: Entry) -> None:
    case = _cases(language)[entry.kind][entry.name]
    findings = _findings(tmp_path, language, case["negative"])
    assert not _remote(findings), [f.message for f in _remote(findings)]
    if entry.kind not in REMOTE_KINDS:
        assert not _raised(findings, entry.kind), [f.message for f in _raised(findings, entry.kind)]
