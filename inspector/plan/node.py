"""Node.js projects: npm install (lifecycle hooks included: that is what the stranger asks for)."""

from __future__ import annotations

import shlex
from typing import Any

from inspector.model import PhaseName, PlannedPhase
from inspector.plan.files import exists, read_json
from inspector.plan.interface import Layout, Planner

_DEFAULT_TEST = "no test specified"
_MAIN_CANDIDATES = ("index.js", "server.js", "app.js", "main.js", "src/index.js", "server/server.js", "server/index.js")


class NodePlanner(Planner):
    ecosystem = "node"
    image = "inspector/sandbox-node"

    def applies(self, layout: Layout) -> bool:
        return read_json(layout.root, "package.json") is not None

    def install(self, layout: Layout) -> PlannedPhase | None:
        return PlannedPhase(
            PhaseName.INSTALL,
            ("npm install --no-audit --no-fund",),
            "package.json (npm install runs its preinstall/install/postinstall/prepare scripts)",
            network_registries=True,
        )

    def start(self, layout: Layout) -> PlannedPhase | None:
        scripts = _scripts(layout)
        for name in ("start", "dev", "serve"):
            if isinstance(scripts.get(name), str):
                command = "npm start" if name == "start" else f"npm run {name}"
                return PlannedPhase(PhaseName.START, (command,), f"package.json scripts.{name}")
        main = (read_json(layout.root, "package.json") or {}).get("main")
        candidates = ([main] if isinstance(main, str) else []) + list(_MAIN_CANDIDATES)
        for candidate in candidates:
            if exists(layout.root, candidate):
                return PlannedPhase(PhaseName.START, (f"node {shlex.quote(candidate)}",), f"main file {candidate}")
        return None

    def test(self, layout: Layout) -> PlannedPhase | None:
        scripts = _scripts(layout)
        script = scripts.get("test")
        if isinstance(script, str) and _DEFAULT_TEST not in script:
            return PlannedPhase(PhaseName.TEST, ("npm test",), "package.json scripts.test")
        return None


def _scripts(layout: Layout) -> dict[str, Any]:
    scripts = (read_json(layout.root, "package.json") or {}).get("scripts")
    return scripts if isinstance(scripts, dict) else {}
