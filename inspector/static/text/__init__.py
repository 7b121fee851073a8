"""The language-neutral checks, run on every file of the repository whatever its extension.

Each file is read once in a worker process; results are cached by content hash. A file over
the read cap is not loaded: it is streamed line by line for hidden code only. Every check has
a per-file time budget and only ever runs bounded regexes on bounded line lengths.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from inspector.model import Category, Endpoint, Finding, Severity
from inspector.static.cache import ContentCache
from inspector.static.interface import Analyzer, AnalyzerResult, RepoFile, RepoView
from inspector.static.text.common import (
    Deadline,
    is_code_file,
    is_dotenv,
    make_finding,
    suffix_of,
)
from inspector.static.text.config_endpoints import ENCODED_URL_MARKERS, check_config_endpoints, is_endpoint_config
from inspector.static.text.download_exec import check_download_execute
from inspector.static.text.hidden import (
    check_disguised,
    check_invisible,
    check_whitespace,
    disguise_kind,
)
from inspector.static.text.homoglyphs import check_homoglyphs
from inspector.static.text.obfuscation import check_obfuscation

CHECKS_VERSION = "text-2"
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
DEFAULT_FILE_BUDGET_S = 10.0
_STREAM_CHUNK = 1 << 20
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


def check_large_file(path: str, location: Path, size: int, budget_s: float) -> FileFacts:
    """Over the read cap: stream it for hidden code only, and say so."""
    deadline = Deadline(budget_s)
    with location.open("rb") as handle:
        head = handle.read(4096)
        handle.seek(0)
        findings = [] if b"\x00" in head else check_whitespace(path, _stream_lines(handle), deadline)
    findings.append(
        make_finding(
            "analysis.over-size-cap",
            Severity.INFO,
            Category.ANALYSIS,
            path,
            None,
            None,
            f"{size} bytes is over the read cap: only scanned line by line for hidden code",
        )
    )
    if deadline.hit:
        findings.append(_budget_finding(path))
    return FileFacts(tuple(findings), ())


@dataclass(frozen=True)
class _Job:
    root: str
    file: RepoFile
    max_file_bytes: int
    budget_s: float
    cache_dir: str | None


def _run_job(job: _Job) -> tuple[str, FileFacts]:
    location = Path(job.root) / job.file.path
    try:
        if job.file.size > job.max_file_bytes:
            return job.file.path, check_large_file(job.file.path, location, job.file.size, job.budget_s)
        data = location.read_bytes()
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
    cache = ContentCache(Path(job.cache_dir) if job.cache_dir else None, "text", CHECKS_VERSION)
    # The path is part of what the checks judge (file kind, vendor path), so it salts the key.
    keyed = job.file.path.encode() + b"\0" + data
    cached = cache.get(keyed)
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
    cache.put(keyed, facts)
    return job.file.path, facts


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
        findings = [f for _, facts in results for f in facts.findings]
        endpoints = [e for _, facts in results for e in facts.endpoints]
        return AnalyzerResult(tuple(findings), tuple(endpoints))


__all__ = ["CHECKS_VERSION", "DEFAULT_MAX_FILE_BYTES", "FileFacts", "TextAnalyzer", "check_bytes", "check_large_file"]
