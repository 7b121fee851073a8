"""The one root error type the CLI catches. Each error carries a diagnosis a user can act on."""

from __future__ import annotations


class InspectorError(Exception):
    """An operational failure: exit code 2, one line of what happened and one of what to do."""

    exit_code = 2

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def diagnostics(self) -> str:
        return f"{self.message}\n  fix: {self.fix}" if self.fix else self.message


class AcquireError(InspectorError):
    """The target could not be fetched or unpacked safely."""


class ScanError(InspectorError):
    """The static stage could not run at all (a degraded engine is a Skipped value instead)."""


class SandboxError(InspectorError):
    """The sandbox could not be created, or its recorder could not record (the run stops)."""


class ReportError(InspectorError):
    """A report could not be read or written."""


class LedgerError(InspectorError):
    """The decision ledger could not be read, written, or failed its hash-chain check."""


class PlanError(InspectorError):
    """No way to run the target was found (the fix names --cmd)."""


class Interrupted(BaseException):
    """SIGTERM, SIGHUP or SIGINT arrived mid-run.

    A BaseException, so no ``except Exception`` in a stage swallows it, while every ``finally``
    and context manager on the way out still runs (temporary directories, the quarantine of a
    half-done fetch, child processes). The CLI exits 128 + the signal number.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum
