"""Semgrep as inspector's second static engine, running the repository's own rule pack.

One Semgrep process per scan runs the whole pack (``inspector/static/semgrep-rules/``, package data
that the wheel carries; reviewers point ``semgrep --config`` at the same directory). The scanned tree is
hostile, so Semgrep is hardened against it: the target's ``.semgrepignore``, ``.gitignore`` and
``nosemgrep`` comments are not honoured (attackers plant them to hide a loader), the size cap
admits multi-megabyte payloads, nothing goes to the network (no metrics, no registry, no version
check), the process runs from a scratch directory with a scrubbed environment and its own HOME.
Semgrep missing, crashing or timing out is a ``Skipped`` value: the scan goes on with tree-sitter.

``analyze_files`` gives Semgrep only some files (those the relevance pass marked, see
``inspector.static.relevance``): they are copied into a mirror tree in the scratch directory at
their relative paths and Semgrep walks that, so every rule's language and ``paths.include``
filters see what they would see in the whole tree (and the hostile tree itself is not read).
Semgrep writes its own temp files (``semgrep-*.rules``, target lists) into ``TMPDIR``: that is
the run's scratch directory too, removed when the run ends, also when it is killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from inspector.model import Category, Engine, EngineFiles, EngineScope, Finding, Skipped, new_finding, scoring
from inspector.static.interface import Analyzer, AnalyzerResult, RepoView

# Real payloads are 2.9-3.5 MB; Semgrep's default cap (1 MB) would skip them silently.
DEFAULT_MAX_TARGET_BYTES = 32 * 1024 * 1024
DEFAULT_RULE_TIMEOUT_S = 20.0  # per rule and file, Semgrep's --timeout
DEFAULT_WALL_TIMEOUT_S = 900.0  # the whole Semgrep process
EVIDENCE_CHARS = 400
RULES_PACKAGE_DIR = "semgrep-rules"  # inside inspector/static

INSTALL_FIX = "install it with `pip install semgrep` in inspector's environment, or rerun `inspector doctor`"

_CATEGORIES = {category.value: category for category in Category}
# Download-and-run is as strong as remote code execution: both run what a server sends.
def rules_dir() -> Path | None:
    """The rule pack shipped as package data, or None when it is missing or not on a file system.

    Semgrep reads the rules from a directory, so an install inside a zip archive (where the
    package's files are no real paths) counts as missing.
    """
    pack = resources.files("inspector.static") / RULES_PACKAGE_DIR
    return pack if isinstance(pack, Path) and pack.is_dir() else None


def find_semgrep(search_path: str | None = None) -> str | None:
    """The semgrep executable: beside this interpreter first (the venv), then on PATH."""
    if search_path is None:
        search_path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return shutil.which("semgrep", path=search_path)


def semgrep_version(search_path: str | None = None) -> str | None:
    """For `inspector doctor`: the version of the semgrep that scans would use, or None."""
    binary = find_semgrep(search_path)
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="inspector-semgrep-") as scratch:
        try:
            completed = subprocess.run(
                [binary, "--version", "--disable-version-check"],
                cwd=scratch,
                env=_scrubbed_env(Path(scratch)),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
    version = completed.stdout.strip().splitlines()
    return version[-1] if completed.returncode == 0 and version else None


def _scrubbed_env(home: Path) -> dict[str, str]:
    """Only what Semgrep needs: no tokens, proxies or registry settings from the user's shell."""
    return {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.defpath]),
        "HOME": str(home),
        "TMPDIR": str(home),
        "TEMP": str(home),
        "TMP": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "SEMGREP_SEND_METRICS": "off",
    }


@dataclass(frozen=True)
class _Outcome:
    payload: Mapping[str, Any] | None
    skipped: Skipped | None


class SemgrepAnalyzer(Analyzer):
    name = "semgrep"

    def __init__(
        self,
        *,
        semgrep: str | None = None,
        search_path: str | None = None,
        rules: Path | None = None,
        max_target_bytes: int = DEFAULT_MAX_TARGET_BYTES,
        rule_timeout_s: float = DEFAULT_RULE_TIMEOUT_S,
        wall_timeout_s: float = DEFAULT_WALL_TIMEOUT_S,
        jobs: int | None = None,
    ) -> None:
        self.semgrep = semgrep if semgrep is not None else find_semgrep(search_path)
        self.rules = rules if rules is not None else rules_dir()
        self.max_target_bytes = max_target_bytes
        self.rule_timeout_s = rule_timeout_s
        self.wall_timeout_s = wall_timeout_s
        self.jobs = jobs or os.cpu_count() or 1
        self._process: subprocess.Popen[str] | None = None

    def analyze(self, repo: RepoView) -> AnalyzerResult:
        """Semgrep over the whole tree (``--semgrep=all``)."""
        return self._analyze([(repo, None)])[0]

    def analyze_files(self, repo: RepoView, paths: tuple[str, ...]) -> AnalyzerResult:
        """Semgrep over ``paths`` only (regular files of the view); nothing runs when it is empty."""
        return self.analyze_batch([(repo, paths)])[0]

    def analyze_batch(self, parts: Sequence[tuple[RepoView, tuple[str, ...]]]) -> list[AnalyzerResult]:
        """One Semgrep process for the chosen files of many repositories (a batch of targets):
        its start-up (seconds: loading the pack) is paid once. One result per part, in order."""
        return self._analyze([(repo, paths) for repo, paths in parts])

    def cancel(self) -> None:
        """End a running Semgrep (Ctrl-C): its whole session, so its workers go too."""
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    def _analyze(self, parts: list[tuple[RepoView, tuple[str, ...] | None]]) -> list[AnalyzerResult]:
        """``None`` as the paths of the one part: the whole tree, read in place (exhaustive mode)."""
        if self.semgrep is None:
            return [_skip("semgrep is not installed (no `semgrep` executable found)", INSTALL_FIX)] * len(parts)
        if self.rules is None:
            skip = _skip(
                "the Semgrep rule pack (inspector/static/semgrep-rules/) was not found",
                "reinstall untrusted-repo-inspector from its wheel or source (the pack is package data)",
            )
            return [skip] * len(parts)
        exhaustive = len(parts) == 1 and parts[0][1] is None
        wanted: list[set[str]] = []
        for repo, paths in parts:
            regular = {file.path for file in repo.files if not file.is_link}
            wanted.append(regular if paths is None else regular.intersection(paths))
        if not any(wanted):
            scope = EngineScope.ALL if exhaustive else EngineScope.RELEVANT
            return [AnalyzerResult(engine_files=(EngineFiles(Engine.SEMGREP, scope, ()),))] * len(parts)
        with tempfile.TemporaryDirectory(prefix="inspector-semgrep-") as scratch:
            scratch_dir = Path(scratch)
            home = scratch_dir / "home"
            home.mkdir()
            if exhaustive:
                target = parts[0][0].root.resolve()
                roots = [target]
            else:
                # Each repository under its own numbered folder: the rules' `paths.include`
                # globs all start with `**/` or have no slash, so they match as in the tree.
                target = scratch_dir / "target"
                target.mkdir()
                roots = []
                for index, ((repo, _paths), chosen) in enumerate(zip(parts, wanted, strict=True)):
                    _mirror(repo, sorted(chosen), target / str(index))
                    roots.append((target / str(index)).resolve())
            outcome = self._run(self.command(self.semgrep, self.rules, target), home)
        skipped = (outcome.skipped,) if outcome.skipped else ()
        if outcome.payload is None:
            return [AnalyzerResult(skipped=skipped)] * len(parts)
        scope = EngineScope.ALL if exhaustive else EngineScope.RELEVANT
        results = []
        for (repo, _paths), chosen, root in zip(parts, wanted, roots, strict=True):
            findings = self._findings(repo, outcome.payload, chosen, root)
            read = EngineFiles(Engine.SEMGREP, scope, _scanned(outcome.payload, root, chosen))
            results.append(AnalyzerResult(findings=tuple(findings), skipped=skipped, engine_files=(read,)))
        return results

    def command(self, semgrep: str, rules: Path, root: Path) -> list[str]:
        """The Semgrep command line for one scan of the tree at ``root``.

        Always the root, never a file list: Semgrep 1.139 is about five times slower when given
        the same files one by one. Results outside the RepoView's files are dropped afterwards.
        """
        return [
            semgrep,
            "scan",
            "--config",
            str(rules),
            "--json",
            "--quiet",
            "--metrics=off",
            "--disable-version-check",
            # The target chooses none of what is scanned: attackers plant ignore files and markers.
            "--disable-nosem",
            "--no-git-ignore",
            "--x-ignore-semgrepignore-files",
            "--no-rewrite-rule-ids",
            f"--max-target-bytes={self.max_target_bytes}",
            f"--timeout={self.rule_timeout_s:g}",
            "--timeout-threshold=0",
            f"--jobs={self.jobs}",
            "--",
            str(root),
        ]

    def _run(self, command: list[str], home: Path) -> _Outcome:
        try:
            process = subprocess.Popen(
                command,
                cwd=home,
                env=_scrubbed_env(home),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        except OSError as exc:
            return _Outcome(None, _skipped(f"semgrep could not be started: {exc}", INSTALL_FIX))
        self._process = process
        try:
            stdout, stderr = process.communicate(timeout=self.wall_timeout_s)
        except subprocess.TimeoutExpired:
            # Semgrep forks worker processes: end the whole session it leads, then reap it.
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return _Outcome(
                None,
                _skipped(
                    f"semgrep did not finish within {self.wall_timeout_s:g} s",
                    "raise the Semgrep time limit, or scan fewer paths",
                ),
            )
        except BaseException:
            # Ctrl-C in this thread: Semgrep lives in its own session and would run on.
            self.cancel()
            process.communicate()
            raise
        finally:
            self._process = None
        try:
            payload = json.loads(stdout)
        except json.JSONDecodeError:
            tail = stderr.strip().splitlines()[-1:] or [f"exit status {process.returncode}"]
            return _Outcome(
                None,
                _skipped(
                    f"semgrep failed (exit status {process.returncode}): {tail[0][:300]}",
                    "run `inspector doctor`; reinstall semgrep if it cannot start",
                ),
            )
        if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
            return _Outcome(None, _skipped("semgrep printed no results", "run `inspector doctor`"))
        fatal = [
            error for error in payload.get("errors", []) if isinstance(error, dict) and error.get("level") == "error"
        ]
        if fatal or process.returncode not in (0, 1):
            message = str(fatal[0].get("message", "")) if fatal else f"exit status {process.returncode}"
            return _Outcome(
                payload,
                _skipped(
                    f"semgrep reported an error, results may be incomplete: {message.strip()[:300]}",
                    f"run `semgrep --validate --config {self.rules}` to check the rule pack",
                ),
            )
        return _Outcome(payload, None)

    def _findings(self, repo: RepoView, payload: Mapping[str, Any], wanted: set[str], root: Path) -> list[Finding]:
        findings: list[Finding] = []
        for result in payload.get("results", []):
            path = _relative(root, str(result.get("path", "")))
            if path is None or path not in wanted:
                continue
            extra = result.get("extra", {})
            start = result.get("start", {})
            line, column = int(start.get("line", 1)), int(start.get("col", 1))
            category = _CATEGORIES.get(str(extra.get("metadata", {}).get("category")), Category.ANALYSIS)
            rule = f"semgrep.{result.get('check_id', 'unknown')}"
            findings.append(
                new_finding(
                    rule,
                    category,
                    Engine.SEMGREP,
                    " ".join(str(extra.get("message", "")).split()),
                    severity=scoring.semgrep_severity(str(extra.get("severity", "INFO")), category),
                    path=path,
                    line=line,
                    column=column,
                    evidence=_line_of(repo, path, line),
                )
            )
        for error in payload.get("errors", []):
            # Per-file timeouts and parse failures: the file was only partly analysed.
            path = _relative(root, str(error.get("path", ""))) if isinstance(error, dict) else None
            if path is None or path not in wanted or error.get("level") == "error":
                continue
            reason = f"semgrep could not fully analyse this file: {error.get('type', 'error')}"
            findings.append(
                new_finding(
                    "semgrep.incomplete",
                    Category.ANALYSIS,
                    Engine.SEMGREP,
                    reason,
                    path=path,
                    id_key=("semgrep.incomplete", path, 0, 0),
                )
            )
        return _unique(findings)


def _mirror(repo: RepoView, paths: list[str], root: Path) -> None:
    """Copy the chosen files (bytes as the view read them: links never followed) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for path in paths:
        try:
            data = repo.read(path)
        except OSError:
            continue  # unreadable: the other engines report it
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _scanned(payload: Mapping[str, Any], root: Path, wanted: set[str]) -> tuple[str, ...]:
    """The files Semgrep says it read, relative to the repository root."""
    paths = payload.get("paths", {})
    scanned = paths.get("scanned", []) if isinstance(paths, dict) else []
    relative = (_relative(root, str(p)) for p in scanned if isinstance(p, str))
    return tuple(sorted({p for p in relative if p is not None and p in wanted}))


def _relative(root: Path, reported: str) -> str | None:
    try:
        return Path(reported).resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def _line_of(repo: RepoView, path: str, line: int) -> str:
    lines = repo.read(path).decode("utf-8", errors="replace").splitlines()
    text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return text[:EVIDENCE_CHARS]


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: dict[str, Finding] = {}
    for finding in findings:
        seen.setdefault(finding.id, finding)
    return list(seen.values())


def _skipped(reason: str, fix: str) -> Skipped:
    return Skipped(component="semgrep", reason=reason, fix=fix)


def _skip(reason: str, fix: str) -> AnalyzerResult:
    return AnalyzerResult(skipped=(_skipped(reason, fix),))


__all__ = ["SemgrepAnalyzer", "find_semgrep", "rules_dir", "semgrep_version"]
