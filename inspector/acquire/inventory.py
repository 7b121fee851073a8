"""What every source records about the tree it brought: links, submodules, size, history."""

from __future__ import annotations

import configparser
from datetime import UTC, datetime
from pathlib import Path

from inspector.acquire import safefs
from inspector.acquire.history import read_history
from inspector.acquire.intake import inventory
from inspector.acquire.interface import Acquired, Limits
from inspector.errors import AcquireError
from inspector.model import Finding, LinkRecord, SubmoduleRecord, Target

_GITMODULES_MAX = 1024 * 1024


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_submodules(root_fd: int) -> tuple[SubmoduleRecord, ...]:
    """Entries of .gitmodules: listed for the reviewer, never fetched."""
    try:
        raw = safefs.read_small_file(root_fd, ".gitmodules", _GITMODULES_MAX)
    except (safefs.UnsafePath, safefs.TooLarge):
        return ()
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(raw.decode("utf-8", "replace"))
    except configparser.Error:
        return ()
    records = []
    for section in parser.sections():
        path = parser.get(section, "path", fallback="")
        url = parser.get(section, "url", fallback="")
        records.append(SubmoduleRecord(path=path, url=url))
    return tuple(records)


def describe(
    root: Path,
    *,
    kind: str,
    source: str,
    limits: Limits,
    remote_url: str | None = None,
    extra_links: tuple[LinkRecord, ...] = (),
    extra_findings: tuple[Finding, ...] = (),
) -> Acquired:
    """The Target record of a tree that is now in place under ``root``.

    ``remote_url`` overrides the repository's own origin (a clone records the URL it came from,
    credentials removed, rather than whatever its config says). ``extra_links`` are links an
    archive declared but that were recorded rather than created.
    """
    try:
        with safefs.closing_fd(safefs.open_dir(root)) as root_fd:
            seen = inventory(root_fd, limits)  # first: a tree over the limits stops before git runs
            submodules = read_submodules(root_fd)
    except safefs.UnsafePath as exc:
        raise AcquireError(f"{source}: cannot be read safely: {exc}", "give a plain directory") from None
    history = read_history(root)
    links = sorted([*seen.links, *extra_links], key=lambda link: link.path)
    target = Target(
        source=source,
        kind=kind,
        path=str(root),
        commit=history.commit,
        branch=history.branch,
        remote_url=remote_url or history.remote_url,
        fetched_at=now_iso(),
        history=history.summary,
        links=tuple(links),
        submodules=submodules,
        file_count=seen.files,
        total_bytes=seen.total_bytes,
        content_digest=seen.digest(),
    )
    skipped = (history.skipped,) if history.skipped else ()
    return Acquired(target, (*extra_findings, *seen.findings), skipped)
