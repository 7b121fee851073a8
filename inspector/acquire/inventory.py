"""What every source records about the tree it brought: links, submodules, size, history."""

from __future__ import annotations

import configparser
import hashlib
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from inspector.acquire.gitcmd import git_output
from inspector.errors import AcquireError
from inspector.model import HistorySummary, LinkRecord, SubmoduleRecord, Target

GIT_INTERNALS = ".git"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def walk_tree(root: Path) -> tuple[tuple[LinkRecord, ...], int, int, str]:
    """List links (never followed), count regular files and bytes, and digest the content (no .git)."""
    links: list[LinkRecord] = []
    files = 0
    total = 0
    entries: list[str] = []
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        if here == root and GIT_INTERNALS in dirnames:
            dirnames.remove(GIT_INTERNALS)
        for name in [*dirnames, *filenames]:
            path = here / name
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                target = str(path.readlink())
                entries.append(f"{path.relative_to(root).as_posix()}\0link\0{target}")
                resolved = (path.parent / target).resolve()
                links.append(
                    LinkRecord(
                        path=path.relative_to(root).as_posix(),
                        points_to=target,
                        escapes=not resolved.is_relative_to(real_root),
                    )
                )
            elif stat.S_ISREG(info.st_mode):
                files += 1
                total += info.st_size
                entries.append(f"{path.relative_to(root).as_posix()}\0file\0{_file_digest(path)}")
    digest = hashlib.sha256("\n".join(sorted(entries)).encode("utf-8", "surrogateescape")).hexdigest()
    return tuple(sorted(links, key=lambda link: link.path)), files, total, digest


def _file_digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            sha.update(chunk)
    return sha.hexdigest()


def read_submodules(root: Path) -> tuple[SubmoduleRecord, ...]:
    """Entries of .gitmodules: listed for the reviewer, never fetched."""
    gitmodules = root / ".gitmodules"
    if gitmodules.is_symlink() or not gitmodules.is_file():
        return ()
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(gitmodules.read_text(errors="replace"))
    except configparser.Error:
        return ()
    records = []
    for section in parser.sections():
        path = parser.get(section, "path", fallback="")
        url = parser.get(section, "url", fallback="")
        records.append(SubmoduleRecord(path=path, url=url))
    return tuple(records)


def read_history(root: Path) -> tuple[str | None, str | None, str | None, HistorySummary | None]:
    """(commit, branch, remote_url, history) of a git working tree; all None without .git."""
    if not (root / GIT_INTERNALS).exists():
        return None, None, None, None
    try:
        commit = git_output(root, "rev-parse", "HEAD").strip()
    except AcquireError:
        return None, None, None, None  # an empty or broken repository: no history to show
    branch = git_output(root, "rev-parse", "--abbrev-ref", "HEAD").strip() or None
    try:
        remote = git_output(root, "remote", "get-url", "origin").strip() or None
    except AcquireError:
        remote = None
    log = git_output(root, "log", "--format=%H%x00%aI%x00%an", "HEAD")
    rows = [line.split("\x00") for line in log.splitlines() if line.count("\x00") == 2]
    dates = sorted(row[1] for row in rows)
    authors = tuple(sorted({row[2] for row in rows}))
    shallow = git_output(root, "rev-parse", "--is-shallow-repository").strip() == "true"
    history = HistorySummary(
        commit_count=len(rows),
        first_commit_at=dates[0] if dates else None,
        last_commit_at=dates[-1] if dates else None,
        authors=authors,
        truncated=shallow,
    )
    return commit, (None if branch == "HEAD" else branch), remote, history


def describe(root: Path, *, kind: str, source: str, remote_url: str | None = None) -> Target:
    """The Target record of a tree that is now in place under ``root``.

    ``remote_url`` overrides the repository's own origin (a clone records the URL it came from,
    credentials removed, rather than whatever its config says).
    """
    commit, branch, origin, history = read_history(root)
    links, files, total, digest = walk_tree(root)
    return Target(
        source=source,
        kind=kind,
        path=str(root),
        commit=commit,
        branch=branch,
        remote_url=remote_url or origin,
        fetched_at=now_iso(),
        history=history,
        links=links,
        submodules=read_submodules(root),
        file_count=files,
        total_bytes=total,
        content_digest=digest,
    )
