"""A local directory: read in place. Nothing in it runs; git metadata is read with hooks off."""

from __future__ import annotations

import shutil
from pathlib import Path

from inspector.acquire.interface import Source
from inspector.acquire.inventory import now_iso, read_history, read_submodules, walk_tree
from inspector.errors import AcquireError
from inspector.model import Target


class DirectorySource(Source):
    kind = "directory"

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display

    def fetch(self, quarantine: Path) -> Target:
        if not self.path.is_dir():
            raise AcquireError(f"{self.display}: no such directory", "check the path")
        root = self.path.resolve()
        commit, branch, remote, history = read_history(root)
        links, files, total, digest = walk_tree(root)
        return Target(
            source=self.display,
            kind=self.kind,
            path=str(root),
            commit=commit,
            branch=branch,
            remote_url=remote,
            fetched_at=now_iso(),
            history=history,
            links=links,
            submodules=read_submodules(root),
            file_count=files,
            total_bytes=total,
            content_digest=digest,
        )

    def fetch_copy(self, quarantine: Path) -> Target:
        """Copy the directory into the quarantine (links copied as links, never followed)."""
        if not self.path.is_dir():
            raise AcquireError(f"{self.display}: no such directory", "check the path")
        dest = quarantine / "repo"
        shutil.copytree(self.path, dest, symlinks=True, ignore_dangling_symlinks=True)
        return DirectorySource(dest, self.display).fetch(quarantine)
