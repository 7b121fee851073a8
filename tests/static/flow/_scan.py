"""Write a small repository to a directory and run the flow visitor through the real engine."""

from __future__ import annotations

import textwrap
from pathlib import Path

from inspector.model import Category, Finding
from inspector.static.flow import FlowVisitor
from inspector.static.interface import AnalyzerResult, RepoFile, RepoView
from inspector.static.treesitter import TreeSitterAnalyzer


def write_repo(root: Path, files: dict[str, str]) -> RepoView:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    listed = tuple(RepoFile(rel, (root / rel).stat().st_size, False) for rel in sorted(files))
    return RepoView(root, listed)


def scan(root: Path, files: dict[str, str]) -> AnalyzerResult:
    return TreeSitterAnalyzer([FlowVisitor()], jobs=1).analyze(write_repo(root, files))


def rce(result: AnalyzerResult) -> list[Finding]:
    return [f for f in result.findings if f.category is Category.REMOTE_CODE_EXECUTION]


def weak(result: AnalyzerResult) -> list[Finding]:
    return [f for f in result.findings if f.category is Category.CODE_EXECUTION]
