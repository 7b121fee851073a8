"""Shared helpers: the real Semgrep of this environment, run offline, from a scratch directory."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from inspector.static.semgrep import find_semgrep, rules_dir

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "inspector" / "static" / "semgrep-rules"
EXAMPLES = REPO / "examples"


def offline_env(home: Path) -> dict[str, str]:
    # TMPDIR too: every Semgrep run writes one `semgrep-*.rules` per rule there and leaves them.
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "TMPDIR": str(home),
        "TEMP": str(home),
        "TMP": str(home),
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "SEMGREP_SEND_METRICS": "off",
        "LANG": "C.UTF-8",
    }


@pytest.fixture(scope="session")
def semgrep_bin() -> str:
    binary = find_semgrep()
    assert binary is not None, "semgrep is a declared dependency: `pip install -e .[dev]`"
    return binary


@pytest.fixture(scope="session")
def run_semgrep(semgrep_bin: str, tmp_path_factory: pytest.TempPathFactory):
    """Run `semgrep <args>` the way a reviewer would, offline; returns the CompletedProcess."""
    home = tmp_path_factory.mktemp("semgrep-home")
    assert rules_dir() == RULES

    def run(*args: str, cwd: Path = home) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [semgrep_bin, *args, "--metrics=off", "--disable-version-check"],
            cwd=cwd,
            env=offline_env(home),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    return run


def scan_json(run_semgrep: Any, target: Path) -> dict[str, Any]:
    completed = run_semgrep("scan", "--config", str(RULES), "--json", "--strict", "--no-rewrite-rule-ids", str(target))
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout)
