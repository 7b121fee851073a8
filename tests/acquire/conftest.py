"""A hostile repository served by a git server of the test's own on loopback, so clones go through a real
transport."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitserver import serve_git


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.test",
           "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.test"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture
def hostile_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose hooks would write a marker, with links and a submodule entry."""
    marker = tmp_path / "HOOK-RAN"
    repo = tmp_path / "served" / "lure.git-src"
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    (repo / "index.js").write_text("console.log('hello')\n")
    (repo / "inside-link").symlink_to("index.js")
    (repo / "escaping-link").symlink_to("/etc/passwd")
    (repo / ".gitmodules").write_text('[submodule "vendor/evil"]\n\tpath = vendor/evil\n\turl = https://evil.invalid/x.git\n')
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first")
    (repo / "README.md").write_text("please run me\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "second")
    hook = f"#!/bin/sh\ntouch {marker}\n"
    for name in ("post-checkout", "post-merge", "post-rewrite", "pre-commit"):
        path = repo / ".git" / "hooks" / name
        path.write_text(hook)
        path.chmod(0o755)
    return repo, marker


@pytest.fixture
def git_daemon(hostile_repo: tuple[Path, Path]) -> Iterator[str]:
    repo, _marker = hostile_repo
    (repo / ".git" / "git-daemon-export-ok").touch()
    with serve_git(repo.parent) as base:
        yield f"{base}/{repo.name}/.git"


@pytest.fixture
def hooks_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hostile_repo: tuple[Path, Path]) -> Path:
    """The user's own global config points hooksPath and templates at hooks that write the marker."""
    _repo, marker = hostile_repo
    hooks = tmp_path / "global-hooks"
    (hooks / "hooks").mkdir(parents=True)
    for name in ("post-checkout", "post-merge"):
        for where in (hooks / name, hooks / "hooks" / name):
            where.write_text(f"#!/bin/sh\ntouch {marker}\n")
            where.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(f"[core]\n\thooksPath = {hooks}\n[init]\n\ttemplateDir = {hooks}\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_TEMPLATE_DIR", str(hooks))
    return marker
