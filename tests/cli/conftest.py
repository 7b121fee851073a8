from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
EXAMPLES = REPO / "examples"
INSPECTOR = str(Path(sys.executable).parent / "inspector")


@pytest.fixture
def inspector(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed console script as a user would, with its own data and cache dirs."""
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [INSPECTOR, *args], env=env, capture_output=True, text=True, input=stdin, timeout=900, check=False
        )

    return run
