"""The plug-in point for sandbox engines: one disposable machine that runs commands in phases.

Shaped like OpenSSF package-analysis's sandbox: create it, copy the workspace in, run each phase
as a command inside the same machine (state carries over from install to start), copy artifacts
out, destroy it. Time limits are enforced by the engine from outside the sandbox.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path


class CommandStatus(enum.Enum):
    OK = "ok"
    FAILED = "failed"  # ran and exited non-zero
    TIMEOUT = "timeout"  # killed from outside at the wall-clock limit
    ERROR = "error"  # the engine failed (container OOM-killed, gone, API error): the run is contained


@dataclass(frozen=True)
class CommandResult:
    status: CommandStatus
    exit_code: int | None  # None when killed at the time limit
    duration_s: float
    stdout_tail: str  # untrusted, last few KiB
    stderr_tail: str  # untrusted, last few KiB
    error: str = ""  # for ERROR: what happened to the sandbox, in words


class Sandbox(ABC):
    """A disposable machine. ``destroy`` must be safe to call more than once."""

    runtime: str  # what actually ran it ("runc", "runsc")

    @abstractmethod
    def create(self) -> None:
        """Create and start the machine, ready for ``copy_in`` and ``run``."""

    @abstractmethod
    def copy_in(self, source: Path, destination: str) -> None:
        """Copy a host directory's contents into ``destination`` inside the machine."""

    @abstractmethod
    def run(self, command: str, phase: str, timeout_s: float) -> CommandResult:
        """Run a shell command line in the workspace and wait for it, at most ``timeout_s``."""

    @abstractmethod
    def copy_out(self, source: str, destination: Path, limit_bytes: int) -> bool:
        """Copy one file out of the machine (size-capped); False when it does not exist."""

    @abstractmethod
    def destroy(self) -> None:
        """Remove the machine and everything created for it."""
