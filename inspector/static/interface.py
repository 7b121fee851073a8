"""The static stage's plug-in point: one small ABC, one module per implementation.

An analyzer reads the repository through a :class:`RepoView` (each file read once, shared by
every analyzer) and returns values: findings, endpoints, auto-run surfaces and ``Skipped``
records for what it could not do. It never executes anything from the target and never
raises for a bad input file: a file it cannot handle becomes an ``info`` finding or a Skipped.
"""

from __future__ import annotations

import abc
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from inspector.model import AutoRunSurface, Endpoint, EngineFiles, Finding, Skipped


@dataclass(frozen=True)
class RepoFile:
    path: str  # relative to the repository root, forward slashes; shown in findings (always valid UTF-8)
    size: int
    is_link: bool  # symlinks are listed but never read through
    # The name on disk when it is not valid UTF-8 (``path`` then shows the bad bytes as \\xNN).
    fs_path: str = ""

    @property
    def location(self) -> str:
        return self.fs_path or self.path


# Reads through a RepoView keep at most this much of one file in memory, and the view keeps at
# most this much of all files it has read (later reads are not kept).
DEFAULT_READ_CAP = 20 * 1024 * 1024
_KEEP_BYTES = 256 * 1024 * 1024


def display_path(rel: str) -> str:
    """A relative path as shown in findings: bytes that are not UTF-8 become ``\\xNN``."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return rel


@dataclass
class RepoView:
    """The files of one repository. ``read`` returns the bytes (bounded), never following links."""

    root: Path
    files: tuple[RepoFile, ...]
    _cache: dict[str, bytes] = field(default_factory=dict, repr=False)
    _kept: int = field(default=0, repr=False)
    _locations: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._locations = {f.path: f.fs_path for f in self.files if f.fs_path}

    def read(self, path: str, limit: int = DEFAULT_READ_CAP) -> bytes:
        """At most ``limit`` bytes of the file (its start)."""
        cached = self._cache.get(path)
        if cached is not None and (len(cached) >= limit or len(cached) < DEFAULT_READ_CAP):
            return cached[:limit]
        data = read_regular(self.root, self._locations.get(path, path), limit)
        if self._kept + len(data) <= _KEEP_BYTES and limit >= DEFAULT_READ_CAP:
            self._cache[path] = data
            self._kept += len(data)
        return data


def open_regular(root: Path, rel: str) -> int:
    """A read-only descriptor of the regular file ``rel`` under ``root``.

    Never follows a link (on the way or at the end) and never opens a device, FIFO or socket:
    the last component is opened with O_NOFOLLOW and O_NONBLOCK (a FIFO cannot block us) and
    checked with fstat before anything is read.
    """
    candidate = root / rel
    # A link anywhere on the way could lead outside the quarantine: refuse to follow it.
    for parent in candidate.parents:
        if parent == root or not parent.is_relative_to(root):
            break
        if parent.is_symlink():
            raise PermissionError(f"{display_path(rel)}: path goes through a symbolic link")
    try:
        fd = os.open(candidate, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW on a link: the same refusal as a link on the way
            raise PermissionError(f"{display_path(rel)}: a symbolic link, never read through") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise PermissionError(f"{display_path(rel)}: not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(root: Path, rel: str, limit: int) -> bytes:
    """At most ``limit`` bytes from the start of a regular file (see :func:`open_regular`)."""
    with os.fdopen(open_regular(root, rel), "rb") as handle:
        return handle.read(limit)


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
