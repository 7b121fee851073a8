"""The language-neutral checks, run on every file of the repository whatever its extension.

Each file is read once in a worker process; results are cached by content hash. A file over
the read cap is not loaded: it is streamed line by line for hidden code only. Every check has
a per-file time budget and only ever runs bounded regexes on bounded line lengths.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from inspector.model import Category, Endpoint, Finding, Severity
from inspector.static.cache import ContentCache
from inspector.static.interface import Analyzer, AnalyzerResult, RepoFile, RepoView, open_regular, read_regular
from inspector.static.text.common import (
    Deadline,
    finding_id,
    is_code_file,
    is_dotenv,
    make_finding,
    suffix_of,
)
from inspector.static.text.config_endpoints import ENCODED_URL_MARKERS, check_config_endpoints, is_endpoint_config
from inspector.static.text.credential_theft import check_credential_theft
from inspector.static.text.download_exec import check_download_execute
from inspector.static.text.hidden import (
    check_disguised,
    check_invisible,
    check_whitespace,
    disguise_kind,
)
from inspector.static.text.homoglyphs import check_homoglyphs
from inspector.static.text.obfuscation import check_obfuscation

CHECKS_VERSION = "text-3"
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
DEFAULT_FILE_BUDGET_S = 10.0
_STREAM_CHUNK = 1 << 20
# Files over the read cap are checked in chunks this big, overlapping by the longest window a
# check looks at; they get this many times the per-file budget.
LARGE_CHUNK = 4 << 20
LARGE_OVERLAP = 64 << 10
LARGE_FILE_BUDGET_FACTOR = 6
# Results carrying one of these were cut short: never cached, so a later scan can finish them.
_PARTIAL_RULES = frozenset({"analysis.time-budget", "analysis.too-deep"})
_OBFUSCATION_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".py", ".html", ".htm", ".vue"})


@dataclass(frozen=True)
class FileFacts:
    """What the text checks found in one file (picklable, cached by content)."""

    findings: tuple[Finding, ...]
    endpoints: tuple[Endpoint, ...]
    disguised_language: str | None = None  # set when the file is code under a lying name


def _budget_finding(path: str) -> Finding:
    return make_finding(
        "analysis.time-budget",
        Severity.INFO,
        Category.ANALYSIS,
        path,
        None,
        None,
        "text checks stopped at the per-file time budget; results for this file are partial",
    )


def check_bytes(path: str, data: bytes, budget_s: float = DEFAULT_FILE_BUDGET_S) -> FileFacts:
    """Run every language-neutral check on one file's content."""
    from inspector.static.text.common import decode_text

    deadline = Deadline(budget_s)
    findings: list[Finding] = []
    endpoints: list[Endpoint] = []
    text = decode_text(data)
    disguised = check_disguised(path, data, text) if disguise_kind(path) else None
    language = None
    if disguised is not None:
        finding, language = disguised
        findings.append(finding)
    if text is None:
        return FileFacts(tuple(findings), (), language)
    findings.extend(check_whitespace(path, text.split("\n"), deadline))
    findings.extend(check_invisible(path, text, deadline))
    findings.extend(check_homoglyphs(path, text, deadline))
    if suffix_of(path) in _OBFUSCATION_SUFFIXES or disguised is not None:
        findings.extend(check_obfuscation(path, text, deadline))
    findings.extend(check_download_execute(path, text, deadline))
    if is_code_file(path) or language is not None:
        findings.extend(check_credential_theft(path, text, deadline))
    # Disguised code is read as text here: no parser looks at a ".woff2".
    if (is_endpoint_config(path) and not is_dotenv(path) and not is_code_file(path)) or language is not None:
        found, endpoint_findings = check_config_endpoints(path, text, deadline)
        endpoints.extend(found)
        findings.extend(endpoint_findings)
    elif is_code_file(path) and any(marker in text for marker in ENCODED_URL_MARKERS):
        found, endpoint_findings = check_config_endpoints(path, text, deadline, encoded_only=True)
        endpoints.extend(found)
        findings.extend(endpoint_findings)
    if deadline.hit:
        findings.append(_budget_finding(path))
    return FileFacts(tuple(findings), tuple(endpoints), language)


def _stream_lines(handle: BinaryIO) -> Iterator[str]:
    while True:
        chunk = handle.readline(_STREAM_CHUNK)
        if not chunk:
            return
        yield chunk.decode("utf-8", "replace").rstrip("\n")


def check_large_file(path: str, handle: BinaryIO, size: int, budget_s: float) -> FileFacts:
    """Over the read cap: every check still reads the whole file, in bounded chunks.

    Memory stays bounded by the chunk size. Chunks overlap so that a match across a boundary is
    not lost; the tail chunk goes first, so a loader appended to a huge file is always checked
    even when the time budget ends the walk through the rest. Line numbers are the file's.
    """
    deadline = Deadline(budget_s * LARGE_FILE_BUDGET_FACTOR)
    head = handle.read(4096)
    handle.seek(0)
    findings: list[Finding] = []
    endpoints: list[Endpoint] = []
    if b"\x00" not in head:
        findings.extend(check_whitespace(path, _stream_lines(handle), deadline))
        for facts in _chunk_facts(path, handle, size, deadline):
            findings.extend(facts.findings)
            endpoints.extend(facts.endpoints)
    findings.append(
        make_finding(
            "analysis.over-size-cap",
            Severity.INFO,
            Category.ANALYSIS,
            path,
            None,
            None,
            f"{size} bytes is over the read cap: the text checks read it in {LARGE_CHUNK >> 20} MB chunks"
            " (the end of the file first)",
        )
    )
    if deadline.hit:
        findings.append(_budget_finding(path))
    unique = {finding.id: finding for finding in findings}
    return FileFacts(tuple(unique.values()), tuple(dict.fromkeys(endpoints)))


def _chunk_facts(path: str, handle: BinaryIO, size: int, deadline: Deadline) -> Iterator[FileFacts]:
    """The text checks of each chunk (tail first), positions moved to the file's lines and columns."""
    tail_start = max(0, size - LARGE_CHUNK)
    starts = [tail_start, *range(0, tail_start, LARGE_CHUNK)]
    line_of: dict[int, tuple[int, int]] = {}  # chunk start -> (its line, bytes since that line began)
    line, line_begin, offset = 1, 0, 0
    handle.seek(0)
    wanted = sorted(set(starts))
    for start in wanted:
        while offset < start:  # count newlines up to this chunk start, reading bounded blocks
            block = handle.read(min(_STREAM_CHUNK, start - offset))
            if not block:
                break
            newline = block.rfind(b"\n")
            if newline != -1:
                line += block.count(b"\n")
                line_begin = offset + newline + 1
            offset += len(block)
        line_of[start] = (line, start - line_begin)
    for start in starts:
        if deadline.expired():
            return
        handle.seek(start)
        data = handle.read(LARGE_CHUNK + LARGE_OVERLAP)
        first_line, column_shift = line_of[start]
        # A chunk runs the same checks as a whole file, within what is left of the budget.
        facts = check_bytes(path, data, max(0.0, deadline.ends_at - time.monotonic()))
        yield FileFacts(
            tuple(_moved(f, first_line, column_shift) for f in facts.findings if f.rule not in _PARTIAL_RULES),
            facts.endpoints,
        )


def _moved(finding: Finding, first_line: int, column_shift: int) -> Finding:
    if finding.line is None:
        return finding
    line = finding.line + first_line - 1
    column = finding.column
    if column is not None and finding.line == 1:
        column += column_shift
    return replace(finding, id=finding_id(finding.rule, finding.path, line, column), line=line, column=column)


@dataclass(frozen=True)
class _Job:
    root: str
    file: RepoFile
    max_file_bytes: int
    budget_s: float
    cache_dir: str | None


def _run_job(job: _Job) -> tuple[str, FileFacts]:
    root = Path(job.root)
    try:
        if job.file.size > job.max_file_bytes:
            with os.fdopen(open_regular(root, job.file.location), "rb") as handle:
                return job.file.path, check_large_file(job.file.path, handle, job.file.size, job.budget_s)
        data = read_regular(root, job.file.location, job.max_file_bytes)
    except OSError as exc:
        return job.file.path, FileFacts(
            (
                make_finding(
                    "analysis.unreadable-file",
                    Severity.INFO,
                    Category.ANALYSIS,
                    job.file.path,
                    None,
                    None,
                    f"could not be read: {exc.strerror or exc}",
                ),
            ),
            (),
        )
    cache = _cache(job.cache_dir)
    # The path is part of what the checks judge (file kind, vendor path), so it is the key's kind.
    cached = cache.get(job.file.path, data)
    if isinstance(cached, FileFacts):
        return job.file.path, cached
    try:
        facts = check_bytes(job.file.path, data, job.budget_s)
    except RecursionError:
        facts = FileFacts(
            (
                make_finding(
                    "analysis.too-deep",
                    Severity.INFO,
                    Category.ANALYSIS,
                    job.file.path,
                    None,
                    None,
                    "nesting too deep for the text checks",
                ),
            ),
            (),
        )
    if not any(finding.rule in _PARTIAL_RULES for finding in facts.findings):
        cache.put(job.file.path, data, facts)
    return job.file.path, facts


def _cache(directory: str | None) -> ContentCache:
    return ContentCache(Path(directory) / "text" if directory else None, "text", CHECKS_VERSION)


class TextAnalyzer(Analyzer):
    """Hidden code, obfuscation, download-and-execute lines and config endpoints, in every file."""

    name = "text"

    def __init__(
        self,
        *,
        jobs: int | None = None,
        cache_dir: Path | None = None,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        budget_s: float = DEFAULT_FILE_BUDGET_S,
    ) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self.cache_dir = cache_dir
        self.max_file_bytes = max_file_bytes
        self.budget_s = budget_s
        self.facts: dict[str, FileFacts] = {}

    def analyze(self, repo: RepoView) -> AnalyzerResult:
        jobs = [
            _Job(
                str(repo.root),
                file,
                self.max_file_bytes,
                self.budget_s,
                str(self.cache_dir) if self.cache_dir else None,
            )
            for file in repo.files
            if not file.is_link
        ]
        if self.jobs <= 1 or len(jobs) < 32:
            results = [_run_job(job) for job in jobs]
        else:
            with ProcessPoolExecutor(max_workers=self.jobs) as pool:
                results = list(pool.map(_run_job, jobs, chunksize=16))
        self.facts = dict(results)
        _cache(str(self.cache_dir) if self.cache_dir else None).prune()
        findings = [f for _, facts in results for f in facts.findings]
        endpoints = [e for _, facts in results for e in facts.endpoints]
        return AnalyzerResult(tuple(findings), tuple(endpoints))


__all__ = ["CHECKS_VERSION", "DEFAULT_MAX_FILE_BYTES", "FileFacts", "TextAnalyzer", "check_bytes", "check_large_file"]
