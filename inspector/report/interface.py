"""The plug-in point for output formats: one small ABC, one module per format."""

from __future__ import annotations

from abc import ABC, abstractmethod

from inspector.model import Report


class Renderer(ABC):
    """Turns a finished report into the text of one format. Pure: no files, no terminal."""

    @abstractmethod
    def render(self, report: Report) -> str:
        """Return the whole document. Untrusted strings in ``report`` are escaped for the format."""
