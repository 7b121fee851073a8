from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.errors import PlanError
from inspector.model import AutoRunSurface, PhaseName, StaticResult, Target
from inspector.plan import PlanOptions, build


def _target(root: Path) -> Target:
    return Target(str(root), "directory", str(root), None, None, None, "2026-11-21T00:00:00+00:00", None)


def _static(*surfaces: AutoRunSurface) -> StaticResult:
    return StaticResult(findings=(), endpoints=(), auto_run=surfaces)


def test_node_project_installs_then_starts(tmp_path):
    (tmp_path / "package.json").write_text(json.dumps({"scripts": {"start": "node src/index.js", "test": "jest"}}))
    plan = build(_target(tmp_path), _static(), PlanOptions())
    assert plan.ecosystem == "node" and plan.image == "inspector/sandbox-node"
    assert [p.name for p in plan.phases] == [PhaseName.INSTALL, PhaseName.START]
    assert plan.phases[0].network_registries and plan.phases[1].commands == ("npm start",)


def test_folder_open_task_becomes_the_first_phase(tmp_path):
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "index.js").write_text("")
    task = AutoRunSurface("vscode-folder-open", ".vscode/tasks.json", 7, "open folder in VS Code",
                          ("node public/fa-solid-400.woff2",), ("public/fa-solid-400.woff2",))
    plan = build(_target(tmp_path), _static(task), PlanOptions())
    assert plan.phases[0].name is PhaseName.OPEN_IN_EDITOR
    assert plan.phases[0].commands == ("node public/fa-solid-400.woff2",)
    assert ".vscode/tasks.json:7" in plan.phases[0].why
    assert plan.phases[-1].commands == ("node index.js",)


def test_cmd_replaces_start_and_picks_the_image(tmp_path):
    (tmp_path / "package.json").write_text("{}")
    plan = build(_target(tmp_path), _static(), PlanOptions(commands=("python3 -m pkg.cli arg",), install=False))
    assert [p.name for p in plan.phases] == [PhaseName.START]
    assert plan.phases[0].commands == ("python3 -m pkg.cli arg",) and plan.image == "inspector/sandbox-python"


@pytest.mark.parametrize(
    ("files", "start"),
    [
        ({"requirements.txt": "requests\n", "main.py": ""}, "python3 main.py"),
        ({"pyproject.toml": '[project]\nname="x"\n[project.scripts]\nx = "pkg.cli:main"\n'}, "python3 -m pkg.cli"),
        ({"tool/__main__.py": "", "setup.py": ""}, "python3 -m tool"),
    ],
)
def test_python_layouts(tmp_path, files, start):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    plan = build(_target(tmp_path), _static(), PlanOptions())
    assert plan.ecosystem == "python"
    assert plan.phases[-1].commands == (start,)


def test_unknown_layout_names_cmd(tmp_path):
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(PlanError) as caught:
        build(_target(tmp_path), _static(), PlanOptions())
    assert "--cmd" in caught.value.fix


def test_manifest_behind_a_link_is_not_read(tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"scripts": {"start": "node evil.js"}}))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "package.json").symlink_to(outside)
    with pytest.raises(PlanError):
        build(_target(repo), _static(), PlanOptions())
