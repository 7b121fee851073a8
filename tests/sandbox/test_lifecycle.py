"""What the sandbox leaves behind (nothing), and what it does when its recorder dies (stops)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from inspector.errors import SandboxError
from inspector.sandbox import SandboxOptions, network, reap_leftovers
from inspector.sandbox.docker import LABEL, PID_LABEL, RUN_LABEL

from .conftest import leftovers

pytestmark = pytest.mark.sandbox


def _mitmdump_of(run_dir: Path) -> int | None:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        # mitmdump is a script: argv[0] is the venv's python, argv[1] the script
        if any(a.endswith(b"/mitmdump") for a in command[:2]) and any(str(run_dir).encode() in a for a in command):
            return int(proc.name)
    return None


def test_a_recorder_that_dies_stops_the_run(run_sample, tmp_path):
    run_dir = tmp_path / "run"
    killed: list[int] = []

    def kill_recorder_once_the_phase_runs() -> None:
        while not killed:
            phase_file = run_dir / "recorder" / "phase"
            pid = _mitmdump_of(run_dir)
            if pid is not None and phase_file.exists() and phase_file.read_text() == "start":
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.1)

    killer = threading.Thread(target=kill_recorder_once_the_phase_runs, daemon=True)
    killer.start()
    with pytest.raises(SandboxError, match="recorder stopped"):
        run_sample(("raw_loader.js",), ("sleep 60",), SandboxOptions(timeout_s=60, linger_s=1))
    assert killed


def test_leftovers_of_a_killed_run_are_reaped(engine):
    # A run whose owner died: resources labelled with a pid that no longer exists, and its chains.
    dead = subprocess.Popen(["true"])
    dead.wait()
    run_id = "0badc0de"
    owner = {LABEL: "1", RUN_LABEL: run_id, PID_LABEL: f"{dead.pid}:0"}
    engine.networks.create(f"inspector-{run_id}", driver="bridge", internal=True, labels=owner)
    engine.volumes.create(name=f"inspector-{run_id}-home", labels=owner)
    engine.containers.create("inspector/base:bookworm", ["true"], name=f"inspector-{run_id}", labels=owner)
    rules = network.BridgeRules(run_id, "insp0badc0de", "10.254.254.1", "10.254.254.0/24", 40001, 40002)
    rules.install()
    assert any(run_id in name for name in network.chains_of_ours())

    assert reap_leftovers() >= 4
    assert leftovers(engine) == []
