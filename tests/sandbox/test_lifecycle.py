"""What the sandbox leaves behind (nothing), and what it does when its recorder dies (stops)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from inspector.errors import SandboxError
from inspector.sandbox import SandboxOptions, network, reap_leftovers
from inspector.sandbox import docker as docker_sandbox
from inspector.sandbox.docker import LABEL, PID_LABEL, RUN_LABEL, runsc_processes

from .conftest import both_runtimes, leftovers

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


_KILLABLE_RUN = """
import sys
from pathlib import Path
from inspector.model.report import PhaseName
from inspector.model.stages import PlannedPhase, RunPlan
from inspector.progress import SilentProgress
from inspector.sandbox import SandboxOptions, execute
from inspector.sandbox.images import PYTHON_IMAGE
workspace, run_dir, runtime = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
plan = RunPlan(ecosystem="generic", image=PYTHON_IMAGE, phases=(PlannedPhase(PhaseName.START, ("sleep 600",), "t"),))
execute(workspace, plan, SandboxOptions(runtime=runtime, timeout_s=600, linger_s=1), run_dir, SilentProgress())
"""


def _start_run_and_wait_for_the_phase(tmp_path: Path, runtime: str) -> subprocess.Popen[bytes]:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "main.py").write_text("print('hi')\n")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen([sys.executable, "-c", _KILLABLE_RUN, str(workspace), str(run_dir), runtime], env=env)
    phase_file = run_dir / "recorder" / "phase"
    while not (phase_file.exists() and phase_file.read_text() == "start"):
        assert child.poll() is None, "the run ended before its phase started"
        time.sleep(0.2)
    return child


@both_runtimes
def test_ctrl_c_mid_run_leaves_nothing(engine, tmp_path, runtime):
    child = _start_run_and_wait_for_the_phase(tmp_path, runtime)
    assert leftovers(engine) != []  # the run's container, network, chains (and gVisor's processes)
    child.send_signal(signal.SIGINT)
    child.wait()
    assert leftovers(engine) == []


@both_runtimes
def test_sigkill_mid_run_is_reaped_by_the_next_start(engine, tmp_path, runtime):
    child = _start_run_and_wait_for_the_phase(tmp_path, runtime)
    if runtime == "runsc":
        assert runsc_processes(), "a gVisor run has its sandbox and gofer processes"
    child.kill()
    child.wait()
    assert leftovers(engine) != []  # killed outright: nothing could clean up
    assert reap_leftovers() >= 3
    assert leftovers(engine) == []
    assert runsc_processes() == {}


def test_the_gvisor_probe_leaves_no_process_container_or_log(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(docker_sandbox, "PROBE_CACHE", tmp_path / "probe.json")
    monkeypatch.setattr(docker_sandbox, "_runtime_probe", {})
    before = set(runsc_processes())
    logs_before = set(docker_sandbox.RUNSC_TRACE_DIR.glob("runsc.log.*"))
    reason = docker_sandbox.runsc_unusable_reason(engine, "inspector/base:bookworm")
    if os.environ.get("INSPECTOR_REQUIRE_SANDBOX") == "1":
        assert reason is None, reason
    assert set(runsc_processes()) == before
    assert set(docker_sandbox.RUNSC_TRACE_DIR.glob("runsc.log.*")) <= logs_before
    assert leftovers(engine) == []
    # Cached with the engine's identity: a second call does not probe again.
    if reason is None:
        assert json.loads((tmp_path / "probe.json").read_text()) == {next(iter(docker_sandbox._runtime_probe)): None}


def test_runsc_processes_of_vanished_containers_are_killed(engine):
    # What a failed `runsc create` leaves: a sandbox/gofer pair whose container dockerd never kept.
    # Stand-in: a process whose command line has that shape (it only sleeps), then the reaper.
    fake_id = "f" * 64
    stand_in = subprocess.Popen(
        [
            "bash",
            "-c",
            f'exec -a runsc-gofer {sys.executable} -c "import time; time.sleep(600)" "$@"',
            "x",
            "--root=/var/run/docker/runtime-runc/moby",
            fake_id,
        ]
    )
    try:
        for _ in range(50):
            if stand_in.pid in runsc_processes():
                break
            time.sleep(0.1)
        assert runsc_processes().get(stand_in.pid) == fake_id
        assert reap_leftovers() >= 1
        stand_in.wait()
        assert stand_in.returncode == -signal.SIGKILL
    finally:
        if stand_in.poll() is None:
            stand_in.kill()
            stand_in.wait()
