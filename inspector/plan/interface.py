"""The plan stage's plug-in point: one Planner per ecosystem."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path

from inspector.model import PlannedPhase, StaticResult


@dataclass(frozen=True)
class Layout:
    """What a planner may look at: the quarantined tree (read, never run) and the static result."""

    root: Path
    static: StaticResult


class Planner(abc.ABC):
    ecosystem: str
    image: str

    @abc.abstractmethod
    def applies(self, layout: Layout) -> bool:
        """True when the repository looks like this ecosystem's."""

    @abc.abstractmethod
    def install(self, layout: Layout) -> PlannedPhase | None:
        """How the stranger's instructions would install it."""

    @abc.abstractmethod
    def start(self, layout: Layout) -> PlannedPhase | None:
        """How the stranger's instructions would start it."""

    @abc.abstractmethod
    def test(self, layout: Layout) -> PlannedPhase | None:
        """How its own tests would run, when it has any."""
