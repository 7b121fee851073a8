"""Parse each source file once with tree-sitter and hand the tree to every visitor.

Visitors split their work in two: ``visit`` runs per file in a worker process and returns a
picklable summary; ``link`` runs once over all summaries (cross-function, cross-module work).
Per-file summaries are cached by content hash, so a re-scan only parses what changed.

We use the maintained ``tree-sitter`` binding with the official per-language grammar wheels;
``tree-sitter-languages`` is unmaintained and pinned to an old tree-sitter release.
"""

from __future__ import annotations

import abc
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import tree_sitter
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript

from inspector.model import (
    AutoRunSurface,
    Category,
    Endpoint,
    Engine,
    EngineFiles,
    EngineScope,
    Finding,
    Skipped,
    new_finding,
)
from inspector.static.cache import ContentCache
from inspector.static.interface import Analyzer, AnalyzerResult, RepoView, open_regular

LANGUAGE_BY_SUFFIX = {
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".py": "python",
    ".pyw": "python",
}

# Bigger files are not parsed whole: their last TAIL_PARSE_BYTES are (a loader appended to a
# huge file is still analysed), and the text checks read all of them.
DEFAULT_MAX_PARSE_BYTES = 5 * 1024 * 1024
TAIL_PARSE_BYTES = 256 * 1024
_SNAP_BYTES = 64 * 1024  # the tail starts after the first line or statement end within this


def tail_segment(tail: bytes, lines_before: int) -> bytes:
    """The end of a file as a parse unit: started at a statement boundary, padded with the
    newlines before it so that line numbers are the file's."""
    window = tail[:_SNAP_BYTES]
    cuts = [i for i in (window.find(b"\n"), window.find(b";")) if i != -1]
    cut = min(cuts) + 1 if cuts else 0
    return b"\n" * (lines_before + tail.count(b"\n", 0, cut)) + tail[cut:]


def read_tail(handle: BinaryIO, size: int, limit: int = TAIL_PARSE_BYTES) -> bytes:
    """:func:`tail_segment` of an open file, counting its lines in bounded reads."""
    start = max(0, size - limit)
    lines = 0
    handle.seek(0)
    remaining = start
    while remaining > 0:
        block = handle.read(min(1 << 20, remaining))
        if not block:
            break
        lines += block.count(b"\n")
        remaining -= len(block)
    handle.seek(start)
    return tail_segment(handle.read(limit), lines)


def language_for(path: str) -> str | None:
    return LANGUAGE_BY_SUFFIX.get(Path(path).suffix.lower())


@cache
def _language(name: str) -> tree_sitter.Language:
    capsule = {
        "javascript": tree_sitter_javascript.language,
        "typescript": tree_sitter_typescript.language_typescript,
        "tsx": tree_sitter_typescript.language_tsx,
        "python": tree_sitter_python.language,
    }[name]()
    return tree_sitter.Language(capsule)


def parse(source: bytes, language: str) -> tree_sitter.Tree:
    return tree_sitter.Parser(_language(language)).parse(source)


def grammar_versions() -> dict[str, str]:
    """For `inspector doctor`: the grammar packages actually importable here."""
    from importlib.metadata import version

    return {
        name: version(name)
        for name in ("tree-sitter", "tree-sitter-javascript", "tree-sitter-typescript", "tree-sitter-python")
    }


class TreeVisitor(abc.ABC):
    """One family of tree-sitter checks."""

    name: str
    version: str  # bump when the summary format or logic changes: it keys the cache

    @abc.abstractmethod
    def visit(self, path: str, language: str, tree: tree_sitter.Tree, source: bytes) -> Any:
        """Summarise one file. Runs in a worker process: the result must be picklable."""

    @abc.abstractmethod
    def link(self, repo: RepoView, summaries: dict[str, Any]) -> AnalyzerResult:
        """Combine all per-file summaries (path -> summary) into findings and endpoints."""

    def partial(self, summary: Any) -> bool:
        """Whether ``summary`` was cut short (a budget or depth bound): such results are not cached."""
        return False


@dataclass(frozen=True)
class _FileJob:
    path: str
    language: str
    source: bytes
    partial: bool = False  # only part of the file (its tail): never cached


@dataclass(frozen=True)
class _FileOutcome:
    path: str
    summaries: dict[str, Any]  # visitor name -> summary
    error: str | None  # why the file could not be analysed, for an info finding


def _run_file(job: _FileJob, visitors: Sequence[TreeVisitor]) -> _FileOutcome:
    try:
        tree = parse(job.source, job.language)
        return _FileOutcome(
            job.path, {v.name: v.visit(job.path, job.language, tree, job.source) for v in visitors}, None
        )
    except RecursionError:
        return _FileOutcome(job.path, {}, "nesting too deep to analyse")
    except (ValueError, UnicodeError, MemoryError) as exc:
        return _FileOutcome(job.path, {}, f"{type(exc).__name__}: {exc}")


class TreeSitterAnalyzer(Analyzer):
    name = "tree-sitter"

    def __init__(
        self,
        visitors: Sequence[TreeVisitor],
        *,
        jobs: int | None = None,
        cache_dir: Path | None = None,
        max_parse_bytes: int = DEFAULT_MAX_PARSE_BYTES,
    ) -> None:
        self.visitors = tuple(visitors)
        self.jobs = jobs or os.cpu_count() or 1
        self.cache_dir = cache_dir
        self.max_parse_bytes = max_parse_bytes
        versions = ",".join(f"{v.name}={v.version}" for v in self.visitors)
        self.cache = ContentCache(cache_dir, "tree-sitter", versions)

    def analyze(self, repo: RepoView) -> AnalyzerResult:
        findings: list[Finding] = []
        jobs: list[_FileJob] = []
        outcomes: list[_FileOutcome] = []
        for file in repo.files:
            language = language_for(file.path)
            if language is None or file.is_link:
                continue
            if file.size > self.max_parse_bytes:
                try:
                    with os.fdopen(open_regular(repo.root, file.location), "rb") as handle:
                        tail = read_tail(handle, file.size)
                except OSError as exc:
                    findings.append(_info(file.path, f"not parsed: {exc.strerror or exc}"))
                    continue
                message = f"{file.size} bytes is over the parse cap: only its last {TAIL_PARSE_BYTES >> 10} KB parsed"
                findings.append(_info(file.path, message))
                jobs.append(_FileJob(file.path, language, tail, partial=True))
                continue
            source = repo.read(file.path)
            cached = self.cache.get(language, source)
            if isinstance(cached, dict):
                outcomes.append(_FileOutcome(file.path, cached, None))
            else:
                jobs.append(_FileJob(file.path, language, source))
        outcomes.extend(self._run_all(jobs))
        summaries: dict[str, dict[str, Any]] = {v.name: {} for v in self.visitors}
        sources = {job.path: job for job in jobs}
        for outcome in outcomes:
            if outcome.error is not None:
                findings.append(_info(outcome.path, f"could not be analysed: {outcome.error}"))
                continue
            job = sources.get(outcome.path)
            if job is not None and not job.partial and not self._partial(outcome):
                self.cache.put(job.language, job.source, outcome.summaries)
            for name, summary in outcome.summaries.items():
                summaries[name][outcome.path] = summary
        endpoints: list[Endpoint] = []
        auto_run: list[AutoRunSurface] = []
        skipped: list[Skipped] = []
        for visitor in self.visitors:
            result = visitor.link(repo, summaries[visitor.name])
            findings.extend(result.findings)
            endpoints.extend(result.endpoints)
            auto_run.extend(result.auto_run)
            skipped.extend(result.skipped)
        self.cache.prune()
        read = EngineFiles(Engine.TREE_SITTER, EngineScope.ALL, tuple(sorted(o.path for o in outcomes)))
        return AnalyzerResult(tuple(findings), tuple(endpoints), tuple(auto_run), tuple(skipped), (read,))

    def _partial(self, outcome: _FileOutcome) -> bool:
        return any(v.partial(outcome.summaries.get(v.name)) for v in self.visitors)

    def _run_all(self, jobs: list[_FileJob]) -> list[_FileOutcome]:
        if self.jobs <= 1 or len(jobs) < 8:
            return [_run_file(job, self.visitors) for job in jobs]
        with ProcessPoolExecutor(max_workers=self.jobs) as pool:
            return list(pool.map(_run_file, jobs, [self.visitors] * len(jobs), chunksize=8))


def _info(path: str, message: str) -> Finding:
    return new_finding(
        "analysis.unparsed-file",
        Category.ANALYSIS,
        Engine.TREE_SITTER,
        message,
        path=path,
        id_key=("parse", path, message),
    )


__all__ = [
    "TAIL_PARSE_BYTES",
    "TreeSitterAnalyzer",
    "TreeVisitor",
    "grammar_versions",
    "language_for",
    "parse",
    "read_tail",
    "tail_segment",
]
