"""The static stage: read a repository without running anything and say what it would do.

``scan(root, options)`` walks the tree (links are listed, never followed), builds one
:class:`RepoView`, runs every analyzer over it - tree-sitter (taint flow and endpoints), the
language-neutral text checks, Semgrep - finds the auto-run surfaces, merges what the engines
found, caps what vendored libraries ordinarily do (dynamic code execution, obfuscation) at LOW,
and applies reachability from auto-run surfaces. ``scan_payload`` runs the same checks on one
body the program downloaded in the sandbox.

What the walk includes, and why:
* every file whatever its extension (JSON, Markdown and text are where configs and hidden
  commands live), dotfiles, ``.vscode/``, ``.github/``, ``.devcontainer/``, ``.svn/``;
* of ``.git/``: ``config`` (``core.hooksPath``) and ``hooks/`` (a delivered repository's hooks
  run on checkout; ``.sample`` files are read too because payloads have been staged in them),
  and the hooks directory ``core.hooksPath`` names when it lies inside ``.git/``; never
  ``objects/`` or other git internals;
* ``node_modules/`` when it is part of what the stranger sent: always when there is no ``.git``
  directory (an archive or a copied folder), and in a git checkout when the index tracks files
  under it. A ``node_modules/`` that ``npm install`` made locally is skipped with an info finding.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from inspector.errors import ScanError
from inspector.model import (
    Category,
    Engine,
    EngineFiles,
    EngineScope,
    Finding,
    Severity,
    Skipped,
    StaticResult,
    TraceStep,
)
from inspector.static.autorun import escalate, find_surfaces, references_to, surfaces_of
from inspector.static.endpoints import EndpointVisitor
from inspector.static.flow import FlowVisitor, module_graph
from inspector.static.interface import Analyzer, AnalyzerResult, RepoFile, RepoView, display_path, read_regular
from inspector.static.merge import downgrade_vendored, link_hosts, merge_endpoints, merge_findings
from inspector.static.relevance import relevant_files
from inspector.static.semgrep import SemgrepAnalyzer, semgrep_version
from inspector.static.semgrep import rules_dir as semgrep_rules_dir
from inspector.static.source import excerpts, read_bounded, source_view
from inspector.static.text import DEFAULT_MAX_FILE_BYTES, TextAnalyzer
from inspector.static.text.common import is_code_file, make_finding
from inspector.static.text.hidden import code_language
from inspector.static.treesitter import DEFAULT_MAX_PARSE_BYTES, TreeSitterAnalyzer, grammar_versions, language_for


@dataclass(frozen=True)
class ScanOptions:
    jobs: int | None = None  # worker processes; None = one per core
    cache_dir: Path | None = None  # per-file results by content hash; None = no cache
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # read cap; bigger files are streamed for hidden code
    semgrep: bool = True
    semgrep_all: bool = False  # Semgrep on every file, not only the relevant ones (exhaustive mode)
    semgrep_timeout_s: float = 300.0
    only_paths: tuple[str, ...] = ()  # pre-commit mode: scan just these files (relative to root)
    file_budget_s: float = 10.0  # time budget of the text checks per file
    max_files: int = 100_000  # files analysed at most (a git bomb holds millions); more is a finding


DEFAULT_MAX_FILES = ScanOptions.max_files
_GIT_KEEP = ("config",)
_HOOKS_PATH = re.compile(r"^\s*hookspath\s*=\s*(.+?)\s*$", re.I | re.M)


def _git_hooks_dir(git_dir: Path) -> str | None:
    """core.hooksPath when it points inside .git (e.g. .git/objects/interrupt), relative to .git."""
    try:
        text = read_regular(git_dir, "config", 1 << 20).decode("utf-8", "replace")
    except OSError:
        return None
    match = _HOOKS_PATH.search(text)
    if not match:
        return None
    value = posixpath.normpath(match.group(1).strip('"'))
    return value[len(".git/") :] if value.startswith(".git/") else None


def _node_modules_committed(root: Path) -> bool:
    git = root / ".git"
    if not git.is_dir() or git.is_symlink():
        return True  # an archive or a copied folder: everything in it came from the sender
    try:
        return b"node_modules/" in read_regular(git, "index", 64 * 1024 * 1024)
    except OSError:
        return False


def walk(
    root: Path, only_paths: tuple[str, ...] = (), max_files: int = DEFAULT_MAX_FILES
) -> tuple[tuple[RepoFile, ...], list[Finding]]:
    """The files to scan (links listed, never followed) and info findings for what was left out.

    Iterative (a tree 20,000 directories deep does not exhaust the stack), by ``lstat`` only:
    devices, FIFOs and sockets are listed as findings and never opened; at most ``max_files``
    files are taken, and a finding names the cap when it is hit.
    """
    notes: list[Finding] = []
    if only_paths:
        return _only(root, only_paths), notes
    files: list[RepoFile] = []
    scan_node_modules = _node_modules_committed(root)
    capped = False

    def add(path: str, size: int, is_link: bool) -> None:
        nonlocal capped
        if len(files) >= max_files:
            capped = True
            return
        shown = display_path(path)
        files.append(RepoFile(shown, size, is_link, "" if shown == path else path))

    def visit(top: Path, top_rel: str) -> None:
        # Depth-first in sorted order, as a recursive walk would list them, on an explicit stack.
        stack: list[tuple[Iterator[os.DirEntry[str]], str]] = []
        listing = _listing(top, top_rel)
        if listing is not None:
            stack.append((iter(listing), top_rel))
        while stack and not capped:
            entries, rel = stack[-1]
            entry = next(entries, None)
            if entry is None:
                stack.pop()
                continue
            path = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_symlink():
                add(path, 0, True)
            elif entry.is_dir(follow_symlinks=False):
                if entry.name == ".git":
                    _visit_git(Path(entry.path), path)
                elif entry.name == "node_modules" and not scan_node_modules:
                    notes.append(_note(path, "node_modules/ is not tracked by git (installed locally): not scanned"))
                else:
                    inner = _listing(Path(entry.path), path)
                    if inner is not None:
                        stack.append((iter(inner), path))
            elif entry.is_file(follow_symlinks=False):
                try:
                    add(path, entry.stat(follow_symlinks=False).st_size, False)
                except OSError as exc:
                    notes.append(_note(path, f"could not be read: {exc.strerror or exc}"))
            else:
                notes.append(_note(path, f"{_special_kind(entry)}: never opened"))

    def _listing(directory: Path, rel: str) -> list[os.DirEntry[str]] | None:
        try:
            with os.scandir(directory) as scanner:
                return sorted(scanner, key=lambda e: e.name)
        except OSError as exc:
            notes.append(_note(rel or ".", f"directory could not be listed: {exc.strerror or exc}"))
            return None

    def _visit_git(git_dir: Path, rel: str) -> None:
        for name in _GIT_KEEP:
            candidate = git_dir / name
            if candidate.is_file() and not candidate.is_symlink():
                add(f"{rel}/{name}", candidate.stat().st_size, False)
        hooks = ["hooks"]
        inner = _git_hooks_dir(git_dir)
        if inner and inner != "hooks":
            hooks.append(inner)
        for hook_dir in hooks:
            target = git_dir / hook_dir
            if target.is_dir() and not target.is_symlink() and target.resolve().is_relative_to(git_dir.resolve()):
                visit(target, f"{rel}/{hook_dir}")

    visit(root, "")
    if capped:
        notes.append(
            make_finding(
                "analysis.file-count-cap",
                Severity.MEDIUM,
                Category.ANALYSIS,
                ".",
                None,
                None,
                f"more than {max_files} files: only the first {max_files} were analysed "
                f"(raise the cap with ScanOptions.max_files / --max-files)",
            )
        )
    return tuple(files), notes


def _special_kind(entry: os.DirEntry[str]) -> str:
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return "special file"
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device node"
    return "special file"


def _only(root: Path, only_paths: tuple[str, ...]) -> tuple[RepoFile, ...]:
    files: list[RepoFile] = []
    base = root.resolve()
    for raw in dict.fromkeys(only_paths):
        rel = posixpath.normpath(raw.replace("\\", "/")).lstrip("/")
        if rel.startswith("..") or rel in (".", ""):
            continue
        candidate = root / rel
        if any(p.is_symlink() for p in [candidate, *candidate.parents] if p != root and p.is_relative_to(root)):
            files.append(RepoFile(rel, 0, True))
        elif candidate.is_file() and candidate.resolve().is_relative_to(base):
            files.append(RepoFile(rel, candidate.stat().st_size, False))
    return tuple(files)


def _note(path: str, message: str) -> Finding:
    return make_finding("analysis.not-scanned", Severity.INFO, Category.ANALYSIS, path, None, None, message)


def analyzers_for(options: ScanOptions) -> tuple[list[Analyzer], TextAnalyzer]:
    """The engines that read the whole tree (tree-sitter, text); Semgrep is :func:`semgrep_for`."""
    text = TextAnalyzer(
        jobs=options.jobs,
        cache_dir=options.cache_dir,
        max_file_bytes=options.max_file_bytes,
        budget_s=options.file_budget_s,
    )
    analyzers: list[Analyzer] = [
        TreeSitterAnalyzer(
            [FlowVisitor(), EndpointVisitor()],
            jobs=options.jobs,
            cache_dir=options.cache_dir / "tree-sitter" if options.cache_dir else None,
            max_parse_bytes=min(DEFAULT_MAX_PARSE_BYTES, options.max_file_bytes),
        ),
        text,
    ]
    return analyzers, text


def semgrep_for(options: ScanOptions) -> SemgrepAnalyzer | None:
    return SemgrepAnalyzer(wall_timeout_s=options.semgrep_timeout_s, jobs=options.jobs) if options.semgrep else None


def _run_engines(
    repo: RepoView, options: ScanOptions, semgrep_result: AnalyzerResult | None
) -> tuple[list[AnalyzerResult], TextAnalyzer]:
    """Every engine side by side, Semgrep first: it is a separate process that spends seconds
    starting up, and the tree-sitter and text engines spread their own work over worker processes.
    Semgrep reads only the files the relevance pass marks (unless ``semgrep_all``), and does not
    start at all when there are none. On Ctrl-C every engine's outside work is stopped before
    the exception goes on (Semgrep runs in its own session and would not see the signal)."""
    analyzers, text = analyzers_for(options)
    semgrep = semgrep_for(options) if semgrep_result is None else None
    engines: list[Analyzer] = [*([semgrep] if semgrep else []), *analyzers]
    pool = ThreadPoolExecutor(max_workers=len(engines))
    try:
        futures = []
        if semgrep is not None and options.semgrep_all:
            futures.append(pool.submit(semgrep.analyze, repo))
        elif semgrep is not None:
            relevant = relevant_files(repo, semgrep.max_target_bytes)
            futures.append(pool.submit(semgrep.analyze_files, repo, relevant.for_semgrep()))
        futures.extend(pool.submit(analyzer.analyze, repo) for analyzer in analyzers)
        results = [future.result() for future in futures]
        if semgrep_result is not None:
            results.insert(0, semgrep_result)
    except BaseException:
        for engine in engines:
            engine.cancel()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results, text


def _sort_key(finding: Finding) -> tuple[int, str, int, int, str]:
    return (-finding.severity.rank, finding.path or "", finding.line or 0, finding.column or 0, finding.rule)


def semgrep_batch(roots: list[Path], options: ScanOptions) -> list[AnalyzerResult]:
    """One Semgrep process for the relevant files of many trees (``inspector scan T1 T2 ...``);
    hand each result to :func:`scan` as ``semgrep_result``."""
    semgrep = semgrep_for(options)
    if semgrep is None:
        return [AnalyzerResult() for _ in roots]
    parts = []
    for root in roots:
        files, _notes = walk(root, options.only_paths, options.max_files)
        repo = RepoView(root, files)
        parts.append((repo, relevant_files(repo, semgrep.max_target_bytes).for_semgrep()))
    return semgrep.analyze_batch(parts)


def scan(root: Path, options: ScanOptions, semgrep_result: AnalyzerResult | None = None) -> StaticResult:
    """Scan the repository at ``root`` without running anything from it; ``semgrep_result``: Semgrep
    already ran on this tree as part of a batch (:func:`semgrep_batch`)."""
    if not root.is_dir():
        raise ScanError(f"{root} is not a directory", fix="pass the path of a checked-out repository")
    files, notes = walk(root, options.only_paths, options.max_files)
    repo = RepoView(root, files)
    results, text = _run_engines(repo, options, semgrep_result)
    hits, autorun_findings = find_surfaces(repo)
    findings = downgrade_vendored(
        merge_findings(
            [
                *notes,
                *autorun_findings,
                *(h.finding for h in hits if h.finding),
                *(f for r in results for f in r.findings),
            ]
        )
    )
    disguised = [path for path, facts in text.facts.items() if facts.disguised_language]
    code_texts = (
        {
            f.path: repo.read(f.path).decode("utf-8", "replace")
            for f in files
            if not f.is_link and is_code_file(f.path) and f.size <= options.max_file_bytes
        }
        if disguised
        else {}
    )
    findings = escalate(findings, hits, module_graph(repo), references_to(disguised, code_texts))
    endpoints = merge_endpoints(e for r in results for e in r.endpoints)
    findings, endpoints = link_hosts(findings, endpoints)
    skipped: list[Skipped] = [s for r in results for s in r.skipped]
    skipped.extend(
        Skipped("static:files", note.message, "Scan again with a higher file cap (ScanOptions.max_files).")
        for note in notes
        if note.rule == "analysis.file-count-cap"
    )
    regular = [f for f in files if not f.is_link]
    read = (
        EngineFiles(Engine.TEXT, EngineScope.ALL, tuple(sorted(f.path for f in regular))),
        *(e for r in results for e in r.engine_files),
    )
    return StaticResult(
        findings=tuple(sorted(findings, key=_sort_key)),
        endpoints=tuple(endpoints),
        auto_run=(*surfaces_of(hits), *(s for r in results for s in r.auto_run)),
        skipped=tuple(skipped),
        files_scanned=len(regular),
        bytes_scanned=sum(f.size for f in regular),
        engine_files=tuple(sorted(read, key=lambda e: e.engine.value)),
    )


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_LANGUAGE_SUFFIX = {"javascript": ".js", "python": ".py", "shell": ".sh"}


def _payload_file_name(name: str, data: bytes) -> tuple[str, str | None]:
    base = _SAFE_NAME.sub("_", posixpath.basename(name.replace("\\", "/")))[:100].lstrip(".") or "payload"
    language = code_language(data, data.decode("utf-8", "replace") if b"\x00" not in data[:8192] else None)
    if language and language_for(base) is None and not base.endswith(".sh"):
        base += _LANGUAGE_SUFFIX[language]
    return base, language


def _as_payload(finding: Finding, local: str, label: str, url: str) -> Finding:
    def relabel(path: str | None) -> str | None:
        return label if path == local else path

    return replace(
        finding,
        category=Category.PAYLOAD,
        path=label,
        message=f"downloaded from {url}: {finding.message}",
        trace=tuple(TraceStep(relabel(s.path) or label, s.line, s.column, s.note) for s in finding.trace),
        flow=replace(finding.flow, source_path=relabel(finding.flow.source_path) or label) if finding.flow else None,
        reachable_from=(),
    )


def scan_payload(data: bytes, name: str, url: str) -> tuple[Finding, ...]:
    """Run the static checks on one body the program downloaded; findings are category PAYLOAD."""
    label = f"payload:{name}"
    local, language = _payload_file_name(name, data)
    with tempfile.TemporaryDirectory(prefix="inspector-payload-") as directory:
        root = Path(directory)
        (root / local).write_bytes(data)
        result = scan(root, ScanOptions(jobs=1, semgrep=False))
    findings = [_as_payload(f, local, label, url) for f in result.findings]
    if language is not None:
        findings.insert(
            0,
            make_finding(
                "payload.code-body",
                Severity.MEDIUM,
                Category.PAYLOAD,
                label,
                None,
                None,
                f"the program downloaded {language} code from {url}",
                data[:200].decode("utf-8", "replace"),
            ),
        )
    return tuple(findings)


__all__ = [
    "AnalyzerResult",
    "ScanOptions",
    "excerpts",
    "grammar_versions",
    "read_bounded",
    "scan",
    "scan_payload",
    "semgrep_batch",
    "semgrep_for",
    "semgrep_rules_dir",
    "semgrep_version",
    "source_view",
    "walk",
]
