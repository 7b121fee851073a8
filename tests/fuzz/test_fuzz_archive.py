"""Run the archive fuzzer for a short, bounded time (FUZZ_SECONDS, default 30) on a copy of the
seed corpus. Without atheris the harness runs its plain random loop and says so on stderr."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HARNESS = Path(__file__).with_name("fuzz_archive.py")
SEEDS = Path(__file__).parent / "corpus" / "archive"


def test_archive_intake_survives_fuzzing(tmp_path):
    seconds = int(os.environ.get("FUZZ_SECONDS", "30"))
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    env = {**os.environ, "FUZZ_SECONDS": str(seconds), "PYTHONPATH": str(HARNESS.parents[2])}
    done = subprocess.run(
        [sys.executable, str(HARNESS), f"-max_total_time={seconds}", "-rss_limit_mb=2048",
         f"-artifact_prefix={tmp_path}/", str(corpus)],
        capture_output=True, text=True, timeout=seconds * 4 + 120, check=False, env=env, cwd=tmp_path,
    )
    crashes = [p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "oom-", "timeout-"))]
    assert done.returncode == 0 and not crashes, done.stderr[-3000:]
