"""The release as a user meets it: the sdist and wheel built from a copy of the sources, the wheel
installed with pipx into an empty home, and the installed command (not this checkout) scanning a
bundled example copied outside the checkout and running `doctor`.

pipx downloads the dependencies from the package index; pip's own cache (the caller's) is shared so
a second run does not download them again. Nothing from this checkout is on the installed
command's path: its environment is built from scratch (no PYTHONPATH, no venv on PATH).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from inspector import __version__

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
VENV_BIN = Path(sys.executable).parent
DISTRIBUTION = "untrusted-repo-inspector"
# setuptools and distutils say "warning: ...", Python warnings end in "Warning:", PEP 639 nags say "deprecated".
BUILD_WARNING = re.compile(r"warning|deprecat", re.IGNORECASE)
INSTALL_TIMEOUT_S = 1800  # a cold pip cache downloads semgrep, mitmproxy and the rest


@dataclass(frozen=True)
class Installed:
    inspector: Path
    pipx_home: Path
    env: dict[str, str]


def _pip_cache_dir() -> str:
    """The caller's pip cache, so the empty home reuses what this machine already downloaded."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, timeout=120, check=False
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else str(Path.home() / ".cache/pip")


def _source_copy(destination: Path) -> Path:
    """The files a clean clone would have (tracked and new, not ignored): no build/ or egg-info leftovers."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=True,
    )
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file() and not source.is_symlink():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`python -m build`: the sdist, then the wheel built from that sdist, as a release does."""
    if shutil.which("git") is None:
        pytest.fail("git is needed to list the sources (scripts/setup installs it)")
    work = tmp_path_factory.mktemp("build")
    source = _source_copy(work / "src")
    dist = work / "dist"
    # Byte-compiling off (PYTHONDONTWRITEBYTECODE) makes setuptools warn; a user's build has it on.
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    env["PIP_CACHE_DIR"] = _pip_cache_dir()
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(source)],
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    (wheel,) = dist.glob("*.whl")
    return wheel, output


@pytest.fixture(scope="module")
def installed(build: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Installed:
    wheel, _ = build
    pipx = VENV_BIN / "pipx"
    if not pipx.exists():
        pytest.fail("pipx is a dev dependency: run scripts/setup (pip install -e '.[dev]')")
    place = tmp_path_factory.mktemp("user")
    home, pipx_home, bin_dir = place / "home", place / "pipx", place / "bin"
    home.mkdir()
    env = {
        "HOME": str(home),
        "PATH": os.pathsep.join([str(bin_dir), "/usr/local/bin", "/usr/bin", "/bin"]),
        "LANG": "C.UTF-8",
        "PIPX_HOME": str(pipx_home),
        "PIPX_BIN_DIR": str(bin_dir),
        "PIPX_MAN_DIR": str(place / "man"),
        "PIP_CACHE_DIR": _pip_cache_dir(),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "TMPDIR": str(place),
    }
    # The machine's pip settings (index, certificates, timeouts) are how its users' pip reaches PyPI too.
    env.update({key: value for key, value in os.environ.items() if key.startswith("PIP_") and key != "PIP_CACHE_DIR"})
    done = subprocess.run(
        [str(pipx), "install", "--python", sys.executable, str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    inspector = bin_dir / "inspector"
    assert inspector.exists(), f"pipx installed no `inspector` command: {done.stdout[-2000:]}"
    return Installed(inspector, pipx_home, env)


def _run(installed: Installed, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(installed.inspector), *args],
        cwd=cwd,
        env=installed.env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_build_is_free_of_warnings(build):
    _, output = build
    warnings = [line for line in output.splitlines() if BUILD_WARNING.search(line) and "errors.py" not in line]
    assert warnings == []


def test_wheel_carries_the_run_time_data(build):
    wheel, _ = build
    names = set(subprocess.run(["unzip", "-Z1", str(wheel)], capture_output=True, text=True, check=True).stdout.split())
    rules = {name for name in names if name.startswith("inspector/static/semgrep-rules/")}
    expected_rules = {
        path.relative_to(ROOT).as_posix() for path in (ROOT / "inspector/static/semgrep-rules").glob("*/*.yaml")
    }
    assert rules == expected_rules  # the rules, not their `semgrep --test` targets
    for data in (
        "inspector/static/data/hosts.toml",
        "inspector/static/catalogs/javascript.toml",
        "inspector/static/catalogs/python.toml",
        "inspector/report/templates/report.html.j2",
        "inspector/model/report.schema.json",
        "inspector/sandbox/sandbox-images/node/Dockerfile",
        "inspector/sandbox/sandbox-images/python/Dockerfile",
        "inspector/sandbox/recorder/addon.py",
        f"{DISTRIBUTION.replace('-', '_')}-{__version__}.dist-info/licenses/LICENSE",
    ):
        assert data in names, data
    assert not [name for name in names if ".data/" in name], "nothing installs outside the package"
    metadata = subprocess.run(
        ["unzip", "-p", str(wheel), f"{DISTRIBUTION.replace('-', '_')}-{__version__}.dist-info/METADATA"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Name: {DISTRIBUTION}\n" in metadata
    assert "License-Expression: Apache-2.0\n" in metadata


def test_installed_command_names_the_distribution(installed, tmp_path):
    done = _run(installed, "--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{DISTRIBUTION} {__version__}"


@pytest.mark.parametrize(
    ("example", "exit_code"),
    [("malicious/api-debug-lure", 1), ("benign/express-api-env", 0)],
)
def test_installed_command_scans_an_example(installed, tmp_path, example, exit_code):
    target = tmp_path / "target"
    shutil.copytree(EXAMPLES / example, target, symlinks=True)
    expected = json.loads((target / "expected.json").read_text())
    report_file = tmp_path / "report.json"
    args = ("scan", str(target), "--offline", "--format", "json", "--output", str(report_file))
    done = _run(installed, *args, cwd=tmp_path)
    assert done.returncode == exit_code, done.stderr[-2000:]
    report = json.loads(report_file.read_text())
    assert report["verdict"] == expected["verdict"]
    # Semgrep found its rules and tree-sitter its grammars; only RDAP is off (--offline).
    assert [skipped["component"] for skipped in report["skipped"]] == ["rdap"]
    if expected["verdict"] == "malicious":
        assert any("semgrep" in finding["engines"] for finding in report["findings"])


def test_installed_doctor_runs_from_the_install(installed, tmp_path):
    done = _run(installed, "doctor", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = " ".join(done.stdout.split())
    assert lines.startswith(f"{DISTRIBUTION} {__version__} (Python ")
    assert "ok semgrep:" in lines
    rules = re.search(r"semgrep rule pack: (\S+)", lines)
    assert rules is not None, done.stdout
    assert Path(rules.group(1)).is_relative_to(installed.pipx_home), "the installed command must use its own data"
