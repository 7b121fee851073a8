"""The static stage's plug-in point: one small ABC, one module per implementation.

An analyzer reads the repository through a :class:`RepoView` (each file read once, shared by
every analyzer) and returns values: findings, endpoints, auto-run surfaces and ``Skipped``
records for what it could not do. It never executes anything from the target and never
raises for a bad input file: a file it cannot handle becomes an ``info`` finding or a Skipped.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from pathlib import Path

from inspector.model import AutoRunSurface, Endpoint, EngineFiles, Finding, Skipped


@dataclass(frozen=True)
class RepoFile:
    path: str  # relative to the repository root, forward slashes
    size: int
    is_link: bool  # symlinks are listed but never read through


@dataclass
class RepoView:
    """The files of one repository. ``read`` returns the bytes, cached, never following links."""

    root: Path
    files: tuple[RepoFile, ...]
    _cache: dict[str, bytes] = field(default_factory=dict, repr=False)

    def read(self, path: str) -> bytes:
        if path not in self._cache:
            self._cache[path] = _read_inside(self.root, path)
        return self._cache[path]


def _read_inside(root: Path, rel: str) -> bytes:
    candidate = root / rel
    # A link anywhere on the way could lead outside the quarantine: refuse to follow it.
    for parent in [candidate, *candidate.parents]:
        if parent == root:
            break
        if parent.is_symlink():
            raise PermissionError(f"{rel}: path goes through a symbolic link")
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise PermissionError(f"{rel}: outside the repository")
    return resolved.read_bytes()


@dataclass(frozen=True)
class AnalyzerResult:
    findings: tuple[Finding, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    auto_run: tuple[AutoRunSurface, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    engine_files: tuple[EngineFiles, ...] = ()  # which files the engine read


class Analyzer(abc.ABC):
    """One static engine or family of checks."""

    name: str

    @abc.abstractmethod
    def analyze(self, repo: RepoView) -> AnalyzerResult:
        """Analyze the whole repository. Must not raise for bad input files."""

    def cancel(self) -> None:  # noqa: B027 - most engines stop with their process, nothing to do
        """Stop work running in other processes (Ctrl-C): called from another thread."""
