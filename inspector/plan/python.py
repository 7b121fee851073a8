"""Python projects: pip install into the user site, then the console script, package or main file."""

from __future__ import annotations

import re
import shlex

from inspector.model import PhaseName, PlannedPhase
from inspector.plan.files import exists, read_toml
from inspector.plan.interface import Layout, Planner

_MAIN_CANDIDATES = ("main.py", "app.py", "run.py", "server.py", "bot.py", "cli.py", "src/main.py")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PythonPlanner(Planner):
    ecosystem = "python"
    image = "inspector/sandbox-python"

    def applies(self, layout: Layout) -> bool:
        markers = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", *_MAIN_CANDIDATES)
        return any(exists(layout.root, m) for m in markers) or any(layout.root.glob("*.py"))

    def install(self, layout: Layout) -> PlannedPhase | None:
        commands = []
        if exists(layout.root, "requirements.txt"):
            commands.append("python3 -m pip install --user -r requirements.txt")
        if any(exists(layout.root, m) for m in ("pyproject.toml", "setup.py", "setup.cfg")):
            commands.append("python3 -m pip install --user .")
        if not commands:
            return None
        return PlannedPhase(PhaseName.INSTALL, tuple(commands), "requirements/pyproject/setup.py", True)

    def start(self, layout: Layout) -> PlannedPhase | None:
        project = (read_toml(layout.root, "pyproject.toml") or {}).get("project")
        scripts = project.get("scripts") if isinstance(project, dict) else None
        if isinstance(scripts, dict):
            for name, target in scripts.items():
                module = str(target).split(":", 1)[0]
                if all(_IDENTIFIER.match(part) for part in module.split(".")):
                    # The console script exists only if install worked; `python -m` works either way.
                    return PlannedPhase(
                        PhaseName.START, (f"python3 -m {module}",), f"pyproject [project.scripts] {name}"
                    )
        for package in sorted(p.parent for p in layout.root.glob("*/__main__.py")):
            if _IDENTIFIER.match(package.name):
                return PlannedPhase(PhaseName.START, (f"python3 -m {package.name}",), f"{package.name}/__main__.py")
        for candidate in _MAIN_CANDIDATES:
            if exists(layout.root, candidate):
                return PlannedPhase(PhaseName.START, (f"python3 {shlex.quote(candidate)}",), f"main file {candidate}")
        return None

    def test(self, layout: Layout) -> PlannedPhase | None:
        if (layout.root / "tests").is_dir() or any(layout.root.glob("test_*.py")):
            return PlannedPhase(PhaseName.TEST, ("python3 -m pytest -x -q",), "tests/ directory")
        return None
