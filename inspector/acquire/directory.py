"""A local directory: read in place. Nothing in it runs; git metadata is read with hooks off."""

from __future__ import annotations

import shutil
from pathlib import Path

from inspector.acquire.interface import Source
from inspector.acquire.inventory import describe
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
        return describe(root, kind=self.kind, source=self.display)

    def fetch_copy(self, quarantine: Path) -> Target:
        """Copy the directory into the quarantine (links copied as links, never followed)."""
        if not self.path.is_dir():
            raise AcquireError(f"{self.display}: no such directory", "check the path")
        dest = quarantine / "repo"
        shutil.copytree(self.path, dest, symlinks=True, ignore_dangling_symlinks=True)
        return DirectorySource(dest, self.display).fetch(quarantine)
