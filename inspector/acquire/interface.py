"""The acquire stage's plug-in point: a Source turns what the user typed into a quarantined tree."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path

from inspector.model import Target


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile target from exhausting the machine while we fetch it."""

    max_bytes: int = 2 * 1024**3  # on-disk size of a clone or of an archive's content
    max_files: int = 200_000
    timeout_s: float = 600.0
    max_ratio: float = 200.0  # archive: uncompressed / compressed, per member and in total


class Source(abc.ABC):
    """One way of getting a target: a git remote, a local directory, an archive."""

    kind: str

    @abc.abstractmethod
    def fetch(self, quarantine: Path) -> Target:
        """Bring the target under ``quarantine`` (or read it in place) without running any of it."""
