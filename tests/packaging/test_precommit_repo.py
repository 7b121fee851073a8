"""The published pre-commit hook installed the way users get it: from the repository, by pre-commit.

`pre-commit try-repo` clones this checkout (with any uncommitted changes), pip-installs it into a
hook environment (`language: python`: the real build of untrusted-repo-inspector and its
dependencies from the package index) and runs `.pre-commit-hooks.yaml`'s `inspector-scan` on the
staged files of a scratch repository. tests/precommit/ runs the same hook command from the venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.test_wheel import INSTALL_TIMEOUT_S, _pip_cache_dir
from tests.precommit.test_hook import BENIGN, LOADER

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


@pytest.fixture(scope="module")
def scratch_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    if shutil.which("git") is None or not PRE_COMMIT.exists():
        pytest.fail("needs git and the venv's pre-commit (scripts/setup installs both)")
    place = tmp_path_factory.mktemp("precommit")
    home = place / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "PATH": os.pathsep.join(["/usr/local/bin", "/usr/bin", "/bin"]),
        "LANG": "C.UTF-8",
        "PRE_COMMIT_HOME": str(place / "pre-commit-home"),
        "GIT_CONFIG_GLOBAL": str(place / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "PIP_CACHE_DIR": _pip_cache_dir(),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TMPDIR": str(place),
    }
    env.update({key: value for key, value in os.environ.items() if key.startswith("PIP_") and key != "PIP_CACHE_DIR"})
    repo = place / "repo"
    repo.mkdir()
    for args in (
        ("init", "-q", "-b", "main"),
        ("config", "user.email", "dev@example.invalid"),
        ("config", "user.name", "dev"),
    ):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, timeout=120)
    return repo, env


def _try_repo(repo: Path, env: dict[str, str], name: str, content: str) -> subprocess.CompletedProcess[str]:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    subprocess.run(["git", "add", name], cwd=repo, env=env, check=True, capture_output=True, timeout=120)
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), "inspector-scan", "--files", name],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
        check=False,
    )


def test_hook_from_the_repository_refuses_a_loader(scratch_repo):
    repo, env = scratch_repo
    done = _try_repo(repo, env, "vendor/api/errorHandler.js", LOADER)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-4000:]
    assert "inspector (static scan of changed files)" in output and "Failed" in output, output[-4000:]
    assert "vendor/api/errorHandler.js" in output


def test_hook_from_the_repository_passes_benign_code(scratch_repo):
    repo, env = scratch_repo
    done = _try_repo(repo, env, "vendor/math/add.js", BENIGN)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "Passed" in output
