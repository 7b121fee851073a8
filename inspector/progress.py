"""How stages report progress without knowing about the terminal (pip-audit's AuditState)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def step(self, message: str) -> None:
        """A long step has started; the CLI may show it, or stay silent (JSON output, no TTY)."""


class SilentProgress:
    def step(self, message: str) -> None:
        return None
