"""A hostile program inside the sandbox: it fills the disk, forks without end, eats memory or
empties its own trace. Each run ends with a written result (never a traceback), under both runtimes."""

from __future__ import annotations

import pytest

from inspector.model.report import PhaseStatus
from inspector.sandbox import SandboxOptions

from .conftest import both_runtimes

pytestmark = pytest.mark.sandbox

STEAL_THEN_WIPE_TRACE = (
    "cat $HOME/.ssh/id_ed25519 > /dev/null; sleep 1; rm -rf /var/tmp/* /var/tmp/.[!.]* 2>/dev/null; true"
)


@both_runtimes
def test_filling_home_and_tmp_stops_at_their_limits_and_is_recorded(run_sample, runtime):
    fill = (
        "dd if=/dev/zero of=$HOME/fill bs=1M count=400 2>/dev/null; "
        "dd if=/dev/zero of=/tmp/fill bs=1M count=400 2>/dev/null; "
        "du -sm $HOME/fill /tmp/fill"
    )
    options = SandboxOptions(timeout_s=60, linger_s=1, home_size="64m", tmp_size="32m")
    run = run_sample((), (fill,), options)

    (phase,) = run.result.run.phases
    assert phase.status is not PhaseStatus.ERROR, phase
    sizes = {line.split()[1]: int(line.split()[0]) for line in phase.stdout_tail.splitlines() if "\t" in line}
    assert max(sizes.values()) <= 64, sizes  # written into the caps, never onto the host disk
    hits = run.result.run.limits_hit
    assert any(hit.startswith("/home/") and hit.endswith("(64m limit reached) during start") for hit in hits), hits
    assert any(hit.startswith("/tmp is full (32m limit reached)") for hit in hits), hits


@both_runtimes
def test_a_fork_bomb_ends_in_a_result_not_a_traceback(run_sample, runtime):
    bomb = "f() { f | f & }; f; sleep 30"
    run = run_sample((), (bomb,), SandboxOptions(timeout_s=15, linger_s=2, pids=128))

    (phase,) = run.result.run.phases
    assert phase.status in (PhaseStatus.TIMEOUT, PhaseStatus.FAILED, PhaseStatus.ERROR, PhaseStatus.OK)
    if phase.status is PhaseStatus.ERROR:
        assert phase.error, phase


@both_runtimes
def test_a_memory_balloon_ends_in_a_result_not_a_traceback(run_sample, runtime):
    balloon = "python3 -c 'b = []\nwhile True: b.append(bytearray(32 * 2**20))'"
    after = "echo still-here"
    run = run_sample((), (balloon, after), SandboxOptions(timeout_s=60, linger_s=1, memory="256m"))

    (phase,) = run.result.run.phases
    assert phase.status in (PhaseStatus.FAILED, PhaseStatus.ERROR), phase
    if phase.status is PhaseStatus.ERROR:
        assert "memory" in phase.error or "stopped" in phase.error or "gone" in phase.error, phase.error
    else:
        assert phase.exit_code == 0 and "still-here" in phase.stdout_tail  # only the balloon was killed


@both_runtimes
def test_a_program_that_empties_its_trace_dir(run_sample, runtime):
    run = run_sample((), (STEAL_THEN_WIPE_TRACE,), SandboxOptions(timeout_s=60, linger_s=1))
    result = run.result
    read = [f for f in result.findings if f.rule == "honeytoken-read" and "ssh-private-key" in f.message]
    if runtime == "runsc":
        # gVisor's sentry writes the trace on the host: the program cannot reach it.
        assert result.run.trace_origin == "gvisor-sentry"
        assert read, result.findings
    else:
        # Under runc the trace is inside the container: the program removed it, and the report says so.
        assert result.run.trace_origin == "strace-in-container"
        assert not read
        assert any(s.component == "sandbox:trace" and "no trace of the start phase" in s.reason for s in result.skipped)
