"""The acquire stage's plug-in point: a Source turns what the user typed into a quarantined tree."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path

from inspector.model import Finding, Skipped, Target


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile target from exhausting the machine while we fetch it.

    Going over ``max_bytes``, ``max_files`` or ``max_file_bytes`` stops the fetch with one line
    naming the limit and its option; ``max_depth`` cuts the walk with a finding instead.
    """

    max_bytes: int = 2 * 1024**3  # on-disk size of a clone or of an archive's content (--max-size)
    max_files: int = 200_000  # files, directories and links (--max-files)
    max_file_bytes: int = 1024**3  # one file copied or unpacked (--max-file-size)
    max_depth: int = 256  # nested directories walked; deeper ones are listed as cut, not read
    timeout_s: float = 600.0
    max_ratio: float = 200.0  # archive: uncompressed / compressed, per member and in total


@dataclass(frozen=True)
class Acquired:
    """What a fetch produced: the target, plus what the fetch itself found or could not do."""

    target: Target
    findings: tuple[Finding, ...] = ()  # devices, FIFOs, sockets, cut walks: never opened
    skipped: tuple[Skipped, ...] = ()  # e.g. a git history that could not be read


class Source(abc.ABC):
    """One way of getting a target: a git remote, a local directory, an archive."""

    kind: str

    @abc.abstractmethod
    def fetch(self, quarantine: Path) -> Acquired:
        """Bring the target under ``quarantine`` (or read it in place) without running any of it."""
