"""Stage 1, acquire: what the user typed -> a quarantined tree and a Target record.

Nothing from the target runs here: git never reads the target's configuration (history is read
through a private GIT_DIR, see :mod:`.history`), no hooks, no submodule fetch, no LFS smudge;
local directories and archives go through one hardened intake (:mod:`.intake`, :mod:`.archive`):
links are recorded and never followed, devices/FIFOs/sockets are findings and never opened,
sizes and counts are capped, and archives are refused when any member would leave the quarantine.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from inspector.acquire.archive import ARCHIVE_SUFFIXES, ArchiveSource, is_archive
from inspector.acquire.directory import DirectorySource
from inspector.acquire.gitcmd import git_version
from inspector.acquire.interface import Acquired, Limits, Source
from inspector.acquire.remote import GitRemoteSource, is_git_url, redact
from inspector.errors import AcquireError

DEFAULT_DEPTH = 50


@dataclass(frozen=True)
class AcquireOptions:
    workdir: Path  # parent of per-target quarantine directories
    depth: int = DEFAULT_DEPTH  # 0 = full history
    limits: Limits = field(default_factory=Limits)
    copy_directories: bool = False  # `fetch DIR` copies; `scan DIR` reads in place


def source_for(target: str, options: AcquireOptions) -> Source:
    if is_git_url(target):
        return GitRemoteSource(target, depth=options.depth, limits=options.limits)
    path = Path(target).expanduser()
    if target.startswith(("file:", "ext::")) or "::" in target:
        raise AcquireError(
            f"{target!r}: this transport is refused",
            "give an https/ssh git URL, a local directory or an archive (.zip, .whl, .tar.gz, ...)",
        )
    if is_archive(target) and not path.is_dir():
        return ArchiveSource(path, target, limits=options.limits)
    if path.is_dir():
        return DirectorySource(path, target, limits=options.limits)
    if path.exists():
        raise AcquireError(
            f"{target}: not a directory, git URL or supported archive",
            "supported archives: " + ", ".join(ARCHIVE_SUFFIXES),
        )
    raise AcquireError(f"{target}: no such file or directory", "check the path or URL")


def quarantine_dir(target: str, options: AcquireOptions) -> Path:
    """A fresh directory per fetch: <slug>-<utc time>-<hash>, never chosen by the target."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", redact(target).rstrip("/").rsplit("/", 1)[-1])[:40].strip(".-")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    digest = hashlib.sha256(f"{target}{stamp}".encode()).hexdigest()[:8]
    path = options.workdir / f"{slug or 'target'}-{stamp}-{digest}"
    path.mkdir(parents=True, exist_ok=False)
    return path


def acquire(target: str, options: AcquireOptions) -> Acquired:
    source = source_for(target, options)
    if isinstance(source, DirectorySource) and not options.copy_directories:
        return source.fetch(Path(target))
    quarantine = quarantine_dir(target, options)
    try:
        if isinstance(source, DirectorySource):
            return source.fetch_copy(quarantine)
        return source.fetch(quarantine)
    except BaseException:
        # Refused or interrupted: nothing of it stays in the quarantine.
        shutil.rmtree(quarantine, ignore_errors=True)
        raise


__all__ = ["DEFAULT_DEPTH", "AcquireOptions", "Acquired", "Limits", "acquire", "git_version"]
