"""Every remote-code-execution location the examples expect is found; benign examples give none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.model import Category
from inspector.static.flow import FlowVisitor
from inspector.static.interface import RepoFile, RepoView
from inspector.static.treesitter import TreeSitterAnalyzer

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _samples(kind: str) -> list[Path]:
    root = EXAMPLES / kind
    return sorted(p for p in root.iterdir() if (p / "expected.json").is_file()) if root.is_dir() else []


def _remote_findings(sample: Path) -> list:
    files = tuple(
        RepoFile(p.relative_to(sample).as_posix(), p.lstat().st_size, p.is_symlink())
        for p in sorted(sample.rglob("*"))
        if p.is_file() or p.is_symlink()
    )
    result = TreeSitterAnalyzer([FlowVisitor()], jobs=1).analyze(RepoView(sample, files))
    return [f for f in result.findings if f.category is Category.REMOTE_CODE_EXECUTION]


@pytest.mark.parametrize("sample", _samples("malicious"), ids=lambda p: p.name)
def test_every_expected_remote_code_execution_is_found(sample: Path) -> None:
    expected = json.loads((sample / "expected.json").read_text(encoding="utf-8"))
    wanted = [loc for loc in expected.get("locations", []) if loc["category"] == Category.REMOTE_CODE_EXECUTION.value]
    found = _remote_findings(sample)
    places = {(f.path, f.line) for f in found} | {(s.path, s.line) for f in found for s in f.trace}
    assert [loc for loc in wanted if (loc["path"], loc["line"]) not in places] == []


@pytest.mark.parametrize("sample", _samples("benign"), ids=lambda p: p.name)
def test_benign_examples_have_no_remote_code_execution(sample: Path) -> None:
    assert _remote_findings(sample) == []
