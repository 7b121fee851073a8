"""Stage 3, plan: how the stranger would have us run it, as ordered phases shown before running.

open-in-editor (what a folderOpen task would run) -> install -> start -> test (optional).
Each phase depends on the previous ones (package-analysis); a failed install is recorded and
start still runs, because many loaders need nothing installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inspector.errors import PlanError
from inspector.model import PhaseName, PlannedPhase, RunPlan, StaticResult, Target
from inspector.plan.interface import Layout, Planner
from inspector.plan.node import NodePlanner
from inspector.plan.python import PythonPlanner

# Auto-run surfaces that fire when the folder is opened in an editor or dev container.
EDITOR_SURFACES = frozenset({"vscode-folder-open", "devcontainer"})
PLANNERS: tuple[Planner, ...] = (NodePlanner(), PythonPlanner())
DEFAULT_PHASES = (PhaseName.OPEN_IN_EDITOR, PhaseName.INSTALL, PhaseName.START)


@dataclass(frozen=True)
class PlanOptions:
    commands: tuple[str, ...] = ()  # --cmd: replaces the start commands
    install: bool = True  # --no-install turns it off
    phases: tuple[PhaseName, ...] = DEFAULT_PHASES  # --phase; add TEST to run the tests too


def _image_for_commands(commands: tuple[str, ...], fallback: Planner | None) -> tuple[str, str]:
    first = commands[0].split()[0] if commands and commands[0].split() else ""
    if first.startswith(("python", "pip", "pytest")):
        return "python", PythonPlanner.image
    if first in ("node", "npm", "npx", "yarn", "pnpm"):
        return "node", NodePlanner.image
    if fallback is not None:
        return fallback.ecosystem, fallback.image
    return "generic", NodePlanner.image


def build(target: Target, static: StaticResult, options: PlanOptions) -> RunPlan:
    layout = Layout(Path(target.path), static)
    planner = next((p for p in PLANNERS if p.applies(layout)), None)
    phases: list[PlannedPhase] = []
    notes: list[str] = []

    if PhaseName.OPEN_IN_EDITOR in options.phases:
        editor = [s for s in static.auto_run if s.kind in EDITOR_SURFACES and s.commands]
        commands = tuple(c for surface in editor for c in surface.commands)
        if commands:
            where = ", ".join(sorted({f"{s.path}:{s.line}" for s in editor}))
            phases.append(PlannedPhase(PhaseName.OPEN_IN_EDITOR, commands, f"auto-run on folder open ({where})"))

    if PhaseName.INSTALL in options.phases and options.install and planner is not None:
        install = planner.install(layout)
        if install is not None:
            phases.append(install)

    if PhaseName.START in options.phases:
        if options.commands:
            phases.append(PlannedPhase(PhaseName.START, options.commands, "--cmd"))
        else:
            start = planner.start(layout) if planner is not None else None
            if start is None:
                raise PlanError(
                    "could not tell how this repository is started (no package.json start script, "
                    "no console script, no main file)",
                    'say how, e.g. --cmd "node src/index.js" or --cmd "python3 -m pkg.cli arg"',
                )
            phases.append(start)

    if PhaseName.TEST in options.phases and planner is not None:
        test = planner.test(layout)
        if test is not None:
            phases.append(test)
        else:
            notes.append("no test command found; the test phase is skipped")

    if not phases:
        raise PlanError("the chosen phases leave nothing to run", "choose phases with --phase, or give --cmd")
    ecosystem, image = _image_for_commands(options.commands, planner)
    return RunPlan(ecosystem=ecosystem, image=image, phases=tuple(phases), notes=tuple(notes))


__all__ = ["PlanOptions", "build"]
