"""Run each fuzz harness for a short, bounded time (FUZZ_SECONDS, default 30) on a copy of its seed
corpus. Without atheris a harness runs its plain random loop and says so on stderr."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.parametrize("harness", ["archive", "static"])
def test_survives_fuzzing(tmp_path: Path, harness: str) -> None:
    seconds = int(os.environ.get("FUZZ_SECONDS", "30"))
    corpus = tmp_path / "corpus"
    shutil.copytree(HERE / "corpus" / harness, corpus)
    env = {**os.environ, "FUZZ_SECONDS": str(seconds), "PYTHONPATH": str(HERE.parents[1])}
    done = subprocess.run(
        [sys.executable, str(HERE / f"fuzz_{harness}.py"), f"-max_total_time={seconds}", "-rss_limit_mb=2048",
         f"-artifact_prefix={tmp_path}/", str(corpus)],
        capture_output=True, text=True, timeout=seconds * 4 + 120, check=False, env=env, cwd=tmp_path,
    )
    crashes = [p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "oom-", "timeout-"))]
    assert done.returncode == 0 and not crashes, done.stderr[-3000:]
