"""A local directory: read in place (``scan``), or copied into the quarantine (``fetch``).

Either way it goes through the hardened intake (:mod:`.intake`): only regular files,
directories and links (recorded, never followed); devices, FIFOs and sockets become findings
and are never opened; counts and sizes are capped. The git history is read with our own
configuration only (:mod:`.history`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from inspector.acquire import safefs
from inspector.acquire.intake import copy_tree
from inspector.acquire.interface import Acquired, Limits, Source
from inspector.acquire.inventory import describe
from inspector.errors import AcquireError


class DirectorySource(Source):
    kind = "directory"

    def __init__(self, path: Path, display: str, *, limits: Limits) -> None:
        self.path = path
        self.display = display
        self.limits = limits

    def fetch(self, quarantine: Path) -> Acquired:
        if not self.path.is_dir():
            raise AcquireError(f"{self.display}: no such directory", "check the path")
        return describe(self.path.resolve(), kind=self.kind, source=self.display, limits=self.limits)

    def fetch_copy(self, quarantine: Path) -> Acquired:
        """Copy the directory into the quarantine (links copied as links, never followed)."""
        if not self.path.is_dir():
            raise AcquireError(f"{self.display}: no such directory", "check the path")
        dest = quarantine / "repo"
        dest.mkdir()
        try:
            with (
                safefs.closing_fd(safefs.open_dir(self.path.resolve())) as src_fd,
                safefs.closing_fd(safefs.open_dir(dest)) as dest_fd,
            ):
                copied = copy_tree(src_fd, dest_fd, self.limits)
        except (AcquireError, safefs.UnsafePath, OSError) as exc:
            shutil.rmtree(dest, ignore_errors=True)
            if isinstance(exc, AcquireError):
                raise
            raise AcquireError(f"{self.display}: copy stopped: {exc}", "check the directory") from None
        acquired = describe(dest, kind=self.kind, source=self.display, limits=self.limits)
        # The copy saw what was not copied (devices, FIFOs, cut depth); the copy itself has none.
        return Acquired(acquired.target, (*copied.findings, *acquired.findings), acquired.skipped)
