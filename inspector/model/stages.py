"""Outputs of the stages before ``correlate``; each refers only to types made earlier in the flow.

acquire -> Target;  static -> StaticResult;  plan -> RunPlan;  sandbox -> SandboxResult;
correlate -> Report;  report renders a Report;  decide records a Decision for a Report.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.model.report import (
    Endpoint,
    EngineFiles,
    Finding,
    NetworkRecord,
    PhaseName,
    RunInfo,
    Skipped,
)


@dataclass(frozen=True)
class AutoRunSurface:
    """Something that runs without the user meaning to: a lifecycle script, a folderOpen task."""

    kind: str  # "npm-lifecycle", "vscode-folder-open", "devcontainer", "git-hook", "build-config", ...
    path: str  # file that declares it, relative to the repo root
    line: int
    trigger: str  # "npm install", "open folder in VS Code", "git checkout", ...
    commands: tuple[str, ...]  # as declared; untrusted
    runs_files: tuple[str, ...] = ()  # repo files it executes, relative to the root


@dataclass(frozen=True)
class StaticResult:
    findings: tuple[Finding, ...]
    endpoints: tuple[Endpoint, ...]
    auto_run: tuple[AutoRunSurface, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    files_scanned: int = 0
    bytes_scanned: int = 0
    engine_files: tuple[EngineFiles, ...] = ()  # per engine that ran; absent engines did not run


@dataclass(frozen=True)
class PlannedPhase:
    name: PhaseName
    commands: tuple[str, ...]  # shell command lines run in the sandbox workspace
    why: str  # where the command came from ("package.json scripts.start", "--cmd")
    network_registries: bool = False  # package registries allowed (install only)


@dataclass(frozen=True)
class RunPlan:
    ecosystem: str  # "node", "python", "generic"
    image: str  # sandbox image name to run in
    phases: tuple[PlannedPhase, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PayloadRecord:
    """A body the program downloaded, saved as an untrusted artifact for rescanning."""

    url: str
    host: str
    artifact: str  # path relative to the run directory
    sha256: str
    size: int


@dataclass(frozen=True)
class SandboxResult:
    run: RunInfo | None  # None when the run could not happen (see skipped)
    network: tuple[NetworkRecord, ...] = ()
    findings: tuple[Finding, ...] = ()  # honeytoken reads, exfiltration, blocked probes
    payloads: tuple[PayloadRecord, ...] = ()
    skipped: tuple[Skipped, ...] = ()
