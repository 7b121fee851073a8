"""Find what runs without the user meaning to, and the repo files each of those runs.

Each detector returns :class:`SurfaceHit` values: the public ``AutoRunSurface`` record, a label
used in ``Finding.reachable_from`` ("package.json#scripts.prepare"), the line span of its
declaration, and the baseline finding (None when declaring it is ordinary, e.g. husky hooks or
a build config: those only become findings when what they run is bad; see escalate.py).
"""

from __future__ import annotations

import configparser
import json
import posixpath
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from inspector.model import AutoRunSurface, Category, Finding, Severity
from inspector.static.autorun.commands import BACKGROUND, files_run_by, resolve_file
from inspector.static.autorun.jsonc import loads_jsonc
from inspector.static.interface import RepoView
from inspector.static.text.common import make_finding, name_of
from inspector.static.text.download_exec import match_download_execute
from inspector.textsafe import terminal_safe

NPM_INSTALL_HOOKS = (
    "preinstall",
    "install",
    "postinstall",
    "prepare",
    "preprepare",
    "postprepare",
    "prepublish",
    "prepack",
    "postpack",
)
NPM_USER_SCRIPTS = (
    "start",
    "prestart",
    "poststart",
    "dev",
    "predev",
    "build",
    "prebuild",
    "test",
    "pretest",
    "serve",
    "watch",
    "develop",
    "preview",
    "eject",
)
# An install hook that starts the application (or a server) is the Contagious Interview trigger.
_APP_ENTRY = re.compile(r"(?:^|/)(?:server|app|index|main|api|backend|bootstrap|start)(?:/|\.|$)", re.I)
BUILD_CONFIG = re.compile(
    r"^(?:vite|vitest|next|nuxt|tailwind|postcss|webpack|rollup|babel|svelte|astro|remix|gatsby-config"
    r"|gatsby-node|jest|karma|metro|craco|vue|quasar|eslint|prettier|stylelint|tsup|esbuild|playwright"
    r"|cypress|electron-builder|hardhat|truffle-config|truffle)(?:\.config)?\.(?:js|cjs|mjs|ts|cts|mts)$"
    r"|^\.(?:eslintrc|babelrc|prettierrc|stylelintrc)\.(?:js|cjs|mjs)$"
)
DEVCONTAINER_HOOKS = (
    "initializeCommand",
    "onCreateCommand",
    "updateContentCommand",
    "postCreateCommand",
    "postStartCommand",
    "postAttachCommand",
)
_KNOWN_BACKENDS = frozenset(
    {
        "setuptools.build_meta",
        "setuptools.build_meta:__legacy__",
        "hatchling.build",
        "poetry.core.masonry.api",
        "poetry.masonry.api",
        "flit_core.buildapi",
        "flit.buildapi",
        "pdm.backend",
        "pdm.pep517.api",
        "maturin",
        "scikit_build_core.build",
        "mesonpy",
        "sipbuild.api",
        "whey",
        "uv_build",
        "enscons.api",
        "jupyter_packaging.build_api",
    }
)


@dataclass(frozen=True)
class SurfaceHit:
    label: str
    surface: AutoRunSurface
    span: tuple[int, int]  # first and last line of the declaration in surface.path
    finding: Finding | None


def line_of(text: str, needle: str, start: int = 1) -> int:
    lines = text.split("\n")
    for index in range(max(0, start - 1), len(lines)):
        if needle in lines[index]:
            return index + 1
    return start


def _auto_finding(rule: str, severity: Severity, path: str, line: int, message: str, evidence: str) -> Finding:
    return make_finding(rule, severity, Category.AUTO_RUN, path, line, None, message, evidence)


def _parse_failure(path: str, why: str) -> Finding:
    return make_finding(
        "analysis.unparsed-manifest",
        Severity.INFO,
        Category.ANALYSIS,
        path,
        None,
        None,
        f"could not be parsed ({why}); its auto-run entries were not checked",
    )


# Manifests and editor configs are read up to this size; a bigger one is a finding, never loaded
# (a 1 GB tasks.json once took 24 GB of memory to parse).
MAX_CONFIG_BYTES = 8 * 1024 * 1024
MAX_SCRIPT_CHAIN = 32  # nested script calls / command objects followed at most


class _Repo:
    def __init__(self, repo: RepoView) -> None:
        self.view = repo
        self.paths = frozenset(f.path for f in repo.files if not f.is_link)
        self.sizes = {f.path: f.size for f in repo.files if not f.is_link}
        self.cut: list[Finding] = []  # configs over the read cap

    def exists(self, path: str) -> bool:
        return path in self.paths

    def text(self, path: str) -> str | None:
        size = self.sizes.get(path, 0)
        if size > MAX_CONFIG_BYTES:
            message = f"{size} bytes is over the {MAX_CONFIG_BYTES >> 20} MB read cap for configs"
            finding = _parse_failure(path, message)
            if finding not in self.cut:
                self.cut.append(finding)
            return None
        try:
            return self.view.read(path, MAX_CONFIG_BYTES).decode("utf-8", "replace")
        except OSError:
            return None


def _download_note(commands: tuple[str, ...]) -> str | None:
    for command in commands:
        hit = match_download_execute(command)
        if hit:
            return hit[1].group()
    return None


# ---------------------------------------------------------------------------------------------
# npm


def npm_surfaces(repo: _Repo, path: str, errors: list[Finding]) -> Iterator[SurfaceHit]:
    text = repo.text(path)
    if text is None:
        return
    try:
        manifest = json.loads(text)
    except (ValueError, RecursionError) as exc:
        errors.append(_parse_failure(path, type(exc).__name__))
        return
    if not isinstance(manifest, dict) or not isinstance(manifest.get("scripts"), dict):
        return
    scripts = {k: v for k, v in manifest["scripts"].items() if isinstance(k, str) and isinstance(v, str)}
    base = posixpath.dirname(path)
    main = manifest.get("main") if isinstance(manifest.get("main"), str) else None

    def run_script(name: str, seen: frozenset[str] = frozenset()) -> list[str]:
        # `npm run a` in b in c...: a chain longer than this is not followed (no deep recursion).
        if name in seen or name not in scripts or len(seen) >= MAX_SCRIPT_CHAIN:
            return []
        return files_run_by(scripts[name], base, repo.exists, lambda n: run_script(n, seen | {name}), main)

    for name in (*NPM_INSTALL_HOOKS, *NPM_USER_SCRIPTS):
        if name not in scripts:
            continue
        command = scripts[name]
        runs = run_script(name)
        install = name in NPM_INSTALL_HOOKS
        trigger = "npm install" if install else ("npm test" if "test" in name else f"npm run {name}")
        if not runs and not install and not match_download_execute(command):
            continue
        line = line_of(text, f'"{name}"', line_of(text, '"scripts"'))
        surface = AutoRunSurface(
            "npm-lifecycle" if install else "npm-script", path, line, trigger, (command,), tuple(runs)
        )
        label = f"{path}#scripts.{name}"
        finding = None
        safe = terminal_safe(command, limit=120)
        download = _download_note((command,))
        if download:
            finding = _auto_finding(
                "auto-run.npm-download-execute",
                Severity.CRITICAL,
                path,
                line,
                f"`{trigger}` downloads and runs code: {safe}",
                command,
            )
        elif install and runs and BACKGROUND.search(command):
            finding = _auto_finding(
                "auto-run.npm-background-start",
                Severity.HIGH,
                path,
                line,
                f"`npm install` starts {', '.join(runs)} in the background ({name}: {safe})",
                command,
            )
        elif install and any(_APP_ENTRY.search(r) for r in runs):
            finding = _auto_finding(
                "auto-run.npm-install-starts-app",
                Severity.MEDIUM,
                path,
                line,
                f"`npm install` runs {', '.join(runs)} through the {name} script",
                command,
            )
        elif install and runs:
            finding = _auto_finding(
                "auto-run.npm-install-script",
                Severity.INFO,
                path,
                line,
                f"`npm install` runs {', '.join(runs)} ({name})",
                command,
            )
        if "core.hookspath" in command.lower():
            finding = _auto_finding(
                "auto-run.sets-hooks-path",
                Severity.HIGH,
                path,
                line,
                f"the {name} script points git at other hooks: {safe}",
                command,
            )
        yield SurfaceHit(label, surface, (line, line), finding)


# ---------------------------------------------------------------------------------------------
# VS Code


def _task_commands(task: dict[str, Any]) -> tuple[str, ...]:
    commands: list[str] = []
    for holder in (task, *(task.get(os_name) for os_name in ("windows", "linux", "osx"))):
        if not isinstance(holder, dict):
            continue
        command = holder.get("command")
        args = holder.get("args")
        if isinstance(command, str):
            arg_text = (
                " ".join(a if isinstance(a, str) else str(a.get("value", "")) for a in args)
                if isinstance(args, list) and all(isinstance(a, (str, dict)) for a in args)
                else ""
            )
            commands.append(f"{command} {arg_text}".strip())
    return tuple(commands)


def vscode_task_surfaces(repo: _Repo, path: str, errors: list[Finding]) -> Iterator[SurfaceHit]:
    text = repo.text(path)
    if text is None:
        return
    try:
        data = loads_jsonc(text)
    except (ValueError, RecursionError) as exc:
        errors.append(_parse_failure(path, type(exc).__name__))
        return
    tasks = data.get("tasks") if isinstance(data, dict) else None
    if not isinstance(tasks, list):
        return
    workspace = posixpath.dirname(posixpath.dirname(path))
    search_from = 1
    for index, task in enumerate(tasks):
        if not isinstance(task, dict):
            continue
        run_options = task.get("runOptions")
        label_text = str(task.get("label", index))
        start = line_of(text, f'"{label_text}"', search_from) if "label" in task else search_from
        if not (isinstance(run_options, dict) and run_options.get("runOn") == "folderOpen"):
            continue
        run_on_line = line_of(text, "folderOpen", start)
        search_from = run_on_line + 1
        commands = _task_commands(task)
        cwd = ""
        options = task.get("options")
        if isinstance(options, dict) and isinstance(options.get("cwd"), str):
            cwd = options["cwd"].replace("${workspaceFolder}", "").strip("/")
        base = posixpath.join(workspace, cwd) if cwd else workspace
        runs = [f for c in commands for f in files_run_by(c, base, repo.exists)]
        raw_presentation = task.get("presentation")
        presentation: dict[str, Any] = raw_presentation if isinstance(raw_presentation, dict) else {}
        hidden_ui = presentation.get("reveal") in ("silent", "never") or presentation.get("echo") is False
        surface = AutoRunSurface(
            "vscode-folder-open",
            path,
            run_on_line,
            "open the folder in VS Code (trusted workspace)",
            commands,
            tuple(dict.fromkeys(runs)),
        )
        safe = terminal_safe(" ; ".join(commands), limit=160)
        download = _download_note(commands)
        if download:
            severity, rule = Severity.CRITICAL, "auto-run.vscode-folder-open-download"
            message = f"opening the folder in VS Code downloads and runs code: {safe}"
        else:
            severity = Severity.HIGH if hidden_ui else Severity.MEDIUM
            rule = "auto-run.vscode-folder-open"
            message = (
                f"task '{terminal_safe(label_text, limit=60)}' runs when the folder is opened"
                + (" with its terminal hidden" if hidden_ui else "")
                + f": {safe}"
            )
        end = max(run_on_line, _task_end(text, start))
        finding = _auto_finding(rule, severity, path, run_on_line, message, " ; ".join(commands))
        yield SurfaceHit(f"{path}#tasks[{index}]", surface, (start, end), finding)


def _task_end(text: str, start: int) -> int:
    """Last line of the task object starting near ``start`` (brace matching, strings ignored)."""
    lines = text.split("\n")
    depth = 0
    opened = False
    for number in range(max(1, start - 2), len(lines) + 1):
        for ch in re.sub(r'"(?:[^"\\]|\\.)*"', '""', lines[number - 1]):
            if ch == "{":
                depth += 1
                opened = True
            elif ch == "}":
                depth -= 1
                if opened and depth <= 0:
                    return number
    return len(lines)


def vscode_settings_findings(repo: _Repo, path: str, errors: list[Finding]) -> list[Finding]:
    text = repo.text(path)
    if text is None:
        return []
    try:
        data = loads_jsonc(text)
    except (ValueError, RecursionError) as exc:
        errors.append(_parse_failure(path, type(exc).__name__))
        return []
    if isinstance(data, dict) and data.get("task.allowAutomaticTasks") == "on":
        line = line_of(text, "task.allowAutomaticTasks")
        return [
            _auto_finding(
                "auto-run.vscode-automatic-tasks",
                Severity.MEDIUM,
                path,
                line,
                "workspace settings let folder-open tasks run without asking",
                '"task.allowAutomaticTasks": "on"',
            )
        ]
    return []


# ---------------------------------------------------------------------------------------------
# devcontainer, direnv, git hooks


def _command_strings(value: Any, depth: int = 0) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return (" ".join(str(v) for v in value),)
    if isinstance(value, dict) and depth < MAX_SCRIPT_CHAIN:
        return tuple(c for v in value.values() for c in _command_strings(v, depth + 1))
    return ()


def devcontainer_surfaces(repo: _Repo, path: str, errors: list[Finding]) -> Iterator[SurfaceHit]:
    text = repo.text(path)
    if text is None:
        return
    try:
        data = loads_jsonc(text)
    except (ValueError, RecursionError) as exc:
        errors.append(_parse_failure(path, type(exc).__name__))
        return
    if not isinstance(data, dict):
        return
    workspace = (
        posixpath.dirname(posixpath.dirname(path)) if "/.devcontainer/" in f"/{path}" else posixpath.dirname(path)
    )
    for hook in DEVCONTAINER_HOOKS:
        commands = _command_strings(data.get(hook))
        if not commands:
            continue
        line = line_of(text, f'"{hook}"')
        runs = tuple(dict.fromkeys(f for c in commands for f in files_run_by(c, workspace, repo.exists)))
        on_host = hook == "initializeCommand"
        surface = AutoRunSurface(
            "devcontainer",
            path,
            line,
            "open in a dev container" + (" (runs on the host)" if on_host else ""),
            commands,
            runs,
        )
        finding = None
        if _download_note(commands):
            finding = _auto_finding(
                "auto-run.devcontainer-download-execute",
                Severity.CRITICAL,
                path,
                line,
                f"the dev container's {hook} downloads and runs code",
                " ; ".join(commands),
            )
        elif on_host:
            finding = _auto_finding(
                "auto-run.devcontainer-host-command",
                Severity.MEDIUM,
                path,
                line,
                f"initializeCommand runs on the host before the container starts: "
                f"{terminal_safe(' ; '.join(commands), limit=120)}",
                " ; ".join(commands),
            )
        yield SurfaceHit(f"{path}#{hook}", surface, (line, line), finding)


def _hook_trigger(name: str) -> str:
    return {
        "post-checkout": "git checkout / git switch / git clone",
        "pre-commit": "git commit",
        "commit-msg": "git commit",
        "prepare-commit-msg": "git commit",
        "post-commit": "git commit",
        "pre-push": "git push",
        "post-merge": "git pull / git merge",
        "pre-rebase": "git rebase",
        "post-rewrite": "git commit --amend / git rebase",
    }.get(name, f"git ({name} hook)")


def hook_surfaces(repo: _Repo, hooks_path: str | None) -> Iterator[SurfaceHit]:
    for path in sorted(repo.paths):
        name = posixpath.basename(path)
        directory = posixpath.dirname(path)
        if name == ".envrc":
            surface = AutoRunSurface(
                "direnv", path, 1, "cd into the folder (direnv allow)", (f"source {path}",), (path,)
            )
            yield SurfaceHit(path, surface, (1, 1), None)
            continue
        if name.endswith(".sample") or name.startswith("."):
            continue
        if directory == ".git/hooks":
            kind, severity, why = "git-hook", Severity.HIGH, "the repository was delivered with an active git hook"
        elif hooks_path is not None and directory == hooks_path:
            kind, severity, why = "git-hook", Severity.HIGH, f"core.hooksPath makes {path} a git hook"
        elif directory == ".husky" or directory == ".githooks":
            kind, severity, why = "git-hook", None, ""
        else:
            continue
        surface = AutoRunSurface(kind, path, 1, _hook_trigger(name), (path,), (path,))
        finding = None
        if severity is not None:
            finding = _auto_finding(
                "auto-run.git-hook", severity, path, 1, f"{why}; it runs on {_hook_trigger(name)}", ""
            )
        yield SurfaceHit(path, surface, (1, 1), finding)


def git_hooks_path(repo: _Repo, errors: list[Finding]) -> tuple[str | None, list[Finding]]:
    if not repo.exists(".git/config"):
        return None, []
    text = repo.text(".git/config") or ""
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        errors.append(_parse_failure(".git/config", type(exc).__name__))
        return None, []
    for section in parser.sections():
        if section.strip().lower() == "core":
            value = parser.get(section, "hookspath", fallback=None)
            if value:
                line = line_of(text.lower(), "hookspath")
                rel = posixpath.normpath(value.strip().strip('"')) if not value.startswith(("/", "~")) else None
                inside = f" (inside the repository: {rel})" if rel else ""
                finding = _auto_finding(
                    "auto-run.git-hooks-path",
                    Severity.HIGH,
                    ".git/config",
                    line,
                    f"core.hooksPath is set to {terminal_safe(value, limit=80)}{inside}: "
                    "git runs whatever hooks live there",
                    value,
                )
                return rel, [finding]
    return None, []


# ---------------------------------------------------------------------------------------------
# Python builds, build-tool configs


_PY_NETWORK = re.compile(
    r"\b(?:urlopen|urlretrieve|requests\.(?:get|post)|httpx\.|http\.client|socket\.socket|urllib3)\b"
)
_PY_EXEC = re.compile(
    r"\b(?:exec|eval|compile|__import__|os\.system|os\.popen|subprocess\.\w+|marshal\.loads|b64decode)\s*\("
)
_LOCAL_EXEC = re.compile(r"\bexec\s*\(\s*(?:open|compile\s*\(\s*open|f\.read|fp\.read|fh\.read|read_file|version_file)")


def python_build_surfaces(repo: _Repo, path: str, errors: list[Finding]) -> Iterator[SurfaceHit]:
    text = repo.text(path)
    if text is None:
        return
    if name_of(path) == "setup.py":
        surface = AutoRunSurface("python-setup", path, 1, "pip install", (f"python {path}",), (path,))
        finding = None
        for number, source_line in enumerate(text.split("\n"), start=1):
            code = source_line.split("#", 1)[0]
            if (
                source_line[:1].isspace()
                and not re.match(r"\s+def run\(", source_line)
                and not _PY_NETWORK.search(code)
            ):
                continue  # indented code only runs if called; network anywhere in setup.py is reported
            if _PY_NETWORK.search(code):
                finding = _auto_finding(
                    "auto-run.setup-py-network",
                    Severity.HIGH,
                    path,
                    number,
                    "setup.py reaches the network when pip builds the package",
                    source_line.strip(),
                )
                break
            if _PY_EXEC.search(code) and not _LOCAL_EXEC.search(code):
                finding = _auto_finding(
                    "auto-run.setup-py-exec",
                    Severity.MEDIUM,
                    path,
                    number,
                    "setup.py runs dynamic code or a process at build time",
                    source_line.strip(),
                )
        yield SurfaceHit(f"{path}#setup", surface, (1, 1), finding)
        return
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        errors.append(_parse_failure(path, type(exc).__name__))
        return
    base = posixpath.dirname(path)
    build = _table(data, "build-system")
    backend = build.get("build-backend")
    backend_path = build.get("backend-path")
    if isinstance(backend, str) and backend not in _KNOWN_BACKENDS:
        module = backend.split(":", 1)[0].replace(".", "/")
        roots = backend_path if isinstance(backend_path, list) else [""]
        runs = tuple(
            r
            for root in roots
            if isinstance(root, str)
            for r in [resolve_file(posixpath.join(base, root), module, repo.exists)]
            if r
        )
        line = line_of(text, "build-backend")
        surface = AutoRunSurface("python-build-backend", path, line, "pip install", (backend,), runs)
        finding = None
        if runs:
            finding = _auto_finding(
                "auto-run.custom-build-backend",
                Severity.MEDIUM,
                path,
                line,
                f"pip builds this package with in-tree code: {', '.join(runs)}",
                backend,
            )
        yield SurfaceHit(f"{path}#build-backend", surface, (line, line), finding)
    hooks = _table(_table(_table(_table(data, "tool"), "hatch"), "build"), "hooks")
    if "custom" in hooks:
        hook_file = _table(hooks, "custom").get("path", "hatch_build.py")
        hook_file = hook_file if isinstance(hook_file, str) else "hatch_build.py"
        runs = tuple(r for r in [resolve_file(base, hook_file, repo.exists)] if r)
        hook_line = line_of(text, "hooks.custom")
        surface = AutoRunSurface("python-build-hook", path, hook_line, "pip install", (hook_file,), runs)
        yield SurfaceHit(f"{path}#tool.hatch.build.hooks.custom", surface, (hook_line, hook_line), None)


def _table(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def build_config_surfaces(repo: _Repo) -> Iterator[SurfaceHit]:
    for path in sorted(repo.paths):
        if "node_modules/" in path or not BUILD_CONFIG.match(posixpath.basename(path)):
            continue
        surface = AutoRunSurface(
            "build-config", path, 1, "npm run dev / build / test (the tool loads this file)", (), (path,)
        )
        yield SurfaceHit(path, surface, (1, 1), None)


# ---------------------------------------------------------------------------------------------


def find_surfaces(view: RepoView) -> tuple[list[SurfaceHit], list[Finding]]:
    """Every auto-run surface of the repository, plus parse-failure and settings findings."""
    repo = _Repo(view)
    errors: list[Finding] = []
    hits: list[SurfaceHit] = []
    extra: list[Finding] = []
    detectors: dict[str, Callable[[_Repo, str, list[Finding]], Iterator[SurfaceHit]]] = {}
    for path in sorted(repo.paths):
        name = posixpath.basename(path)
        if "node_modules/" in f"/{path}" or path.startswith(".git/"):
            continue
        if name == "package.json":
            detectors[path] = npm_surfaces
        elif path.endswith(".vscode/tasks.json"):
            detectors[path] = vscode_task_surfaces
        elif path.endswith(".vscode/settings.json"):
            extra.extend(vscode_settings_findings(repo, path, errors))
        elif name in ("devcontainer.json", ".devcontainer.json"):
            detectors[path] = devcontainer_surfaces
        elif name in ("setup.py", "pyproject.toml"):
            detectors[path] = python_build_surfaces
    for path, detector in detectors.items():
        hits.extend(detector(repo, path, errors))
    hooks_path, hooks_findings = git_hooks_path(repo, errors)
    extra.extend(hooks_findings)
    hits.extend(hook_surfaces(repo, hooks_path))
    hits.extend(build_config_surfaces(repo))
    return hits, errors + extra + repo.cut


__all__ = ["SurfaceHit", "find_surfaces", "line_of"]
