"""The sandbox stage: run the repository the way the stranger asks, in a disposable, hardened
container whose only way out is a recorder on the host, with decoy secrets planted in its home.

Public interface (called by inspector.pipeline)::

    SandboxOptions(runtime="auto"|"runc"|"runsc", require_gvisor=False, timeout_s=120, linger_s=45,
                   allow=(), allow_all=False, resolve=((host, ip), ...), memory="2g", cpus=1.0, pids=512,
                   home_size="1g", tmp_size="512m", keep_artifacts=True)
    execute(workspace, plan, options, run_dir, progress) -> SandboxResult
    engine_status() -> list[EngineCheck]          # for `inspector doctor`
    build_images(progress, force=False) -> list[str]
    reap_leftovers() -> int      # containers/networks/volumes/iptables chains of dead runs, orphan runsc processes

The engine-facing implementation lives in ``runner`` and is imported on first use, so that a
static scan (a pre-commit hook) does not pay for loading the Docker SDK and the decoy generator.
See docs/sandbox.md for the design (isolation, network diagram, what is recorded, limits).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector.model.stages import RunPlan, SandboxResult
from inspector.progress import Progress
from inspector.sandbox.options import SandboxOptions

if TYPE_CHECKING:
    from inspector.sandbox.runner import EngineCheck


def execute(
    workspace: Path, plan: RunPlan, options: SandboxOptions, run_dir: Path, progress: Progress
) -> SandboxResult:
    from inspector.sandbox import runner

    return runner.execute(workspace, plan, options, run_dir, progress)


def engine_status() -> list[EngineCheck]:
    from inspector.sandbox import runner

    return runner.engine_status()


def build_images(progress: Progress, force: bool = False, client: Any = None) -> list[str]:
    from inspector.sandbox import images

    return images.build_images(progress, force=force, client=client)


def reap_leftovers() -> int:
    from inspector.sandbox import runner

    return runner.reap_leftovers()


__all__ = ["EngineCheck", "SandboxOptions", "build_images", "engine_status", "execute", "reap_leftovers"]
