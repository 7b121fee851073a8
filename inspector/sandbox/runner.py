"""The sandbox run itself (imported when a run happens: it loads the Docker SDK and the decoys)."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import docker
import docker.errors

from inspector.errors import SandboxError
from inspector.model.report import (
    FileAccess,
    Finding,
    PhaseName,
    PhaseResult,
    PhaseStatus,
    ProcessRecord,
    RunInfo,
    Skipped,
)
from inspector.model.stages import PlannedPhase, RunPlan, SandboxResult
from inspector.progress import Progress
from inspector.sandbox import events, exfil, honeytokens, network, trace
from inspector.sandbox.docker import (
    RUNC_IS_WEAKER,
    DockerSandbox,
    Limits,
    choose_runtime,
    connect,
    gvisor_fix,
    kill_orphan_runsc,
    labels,
    reap,
    remove_runsc_logs,
    runsc_daemon_json,
    runsc_log_for,
    runsc_unusable_reason,
)
from inspector.sandbox.images import BASE_IMAGE, IMAGES, build_images, image_present
from inspector.sandbox.interface import CommandResult, CommandStatus
from inspector.sandbox.options import SandboxOptions
from inspector.sandbox.recorder_process import Recorder, mitmdump_path
from inspector.sandbox.sniffer import BridgeSniffer

REGISTRIES = ("registry.npmjs.org", "registry.yarnpkg.com", "pypi.org", "files.pythonhosted.org")
BODY_CAP = 4 * 1024 * 1024
TRACE_CAP = trace.MAX_TRACE_BYTES
_live_runs: set[str] = set()


@dataclass(frozen=True)
class EngineCheck:
    name: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass
class _Cleanup:
    """Undo steps, run in reverse order; every step runs even when one fails."""

    steps: list[tuple[str, Callable[[], Any]]] = field(default_factory=list)

    def push(self, what: str, step: Callable[[], Any]) -> None:
        self.steps.append((what, step))

    def run(self) -> list[str]:
        failures: list[str] = []
        while self.steps:
            what, step = self.steps.pop()
            try:
                step()
            except (docker.errors.DockerException, SandboxError, OSError) as err:
                failures.append(f"{what}: {err}")
        return failures


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM/SIGHUP unwind like Ctrl-C, so the cleanup in ``finally`` still runs."""

    def interrupt(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous: dict[signal.Signals, Any] = {}
    try:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            previous[signum] = signal.signal(signum, interrupt)
    except ValueError:
        previous.clear()  # not the main thread: signals cannot be caught here; finally still runs
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _reap_all(client: docker.DockerClient) -> tuple[int, set[str]]:
    """Labelled resources of dead runs, then runsc processes and boot logs of containers that are gone."""
    removed, alive = reap(client, _live_runs)
    known = {c.id for c in client.containers.list(all=True)}
    removed += kill_orphan_runsc(known=known)
    remove_runsc_logs(known=known)
    return removed, alive


def reap_leftovers() -> int:
    """Remove what killed runs left behind; returns how many things were removed."""
    client = connect()
    removed, alive = _reap_all(client)
    if os.geteuid() == 0 and network.iptables_available() is None:
        removed += network.remove_stale_chains(alive)
    return removed


def engine_status() -> list[EngineCheck]:
    checks: list[EngineCheck] = []
    try:
        client = connect()
    except SandboxError as err:
        return [EngineCheck("container engine", False, err.message, err.fix)]
    info = client.info()
    version = client.version()
    checks.append(EngineCheck("container engine", True, f"Docker {version.get('Version', '?')}"))
    runtimes = sorted((info.get("Runtimes") or {}).keys())
    checks.append(
        EngineCheck(
            "runc",
            "runc" in runtimes,
            ", ".join(runtimes) or "none",
            "" if "runc" in runtimes else "install runc (apt-get install runc)",
        )
    )
    if image_present(client, BASE_IMAGE):
        reason = runsc_unusable_reason(client, BASE_IMAGE)
        args = " ".join((info.get("Runtimes") or {}).get("runsc", {}).get("runtimeArgs") or [])
        checks.append(
            EngineCheck(
                "gVisor (runsc)",
                reason is None,
                f"usable ({args})" if reason is None else f"{reason}; runs fall back to hardened runc (weaker)",
                "" if reason is None else gvisor_fix(),
            )
        )
    firewall = network.iptables_available() if os.geteuid() == 0 else "not running as root"
    checks.append(
        EngineCheck(
            "iptables (root)",
            firewall is None,
            "usable" if firewall is None else firewall,
            "" if firewall is None else "run inspector as root with iptables installed (the capture rules need it)",
        )
    )
    recorder = mitmdump_path()
    checks.append(
        EngineCheck(
            "recorder (mitmdump)",
            recorder.exists(),
            str(recorder),
            "" if recorder.exists() else "pip install -e . (mitmproxy in the same venv)",
        )
    )
    missing = [name for name in (BASE_IMAGE, *IMAGES) if not image_present(client, name)]
    checks.append(
        EngineCheck(
            "sandbox images",
            not missing,
            "all built" if not missing else f"missing: {', '.join(missing)}",
            "" if not missing else "inspector images build (run builds them on first use)",
        )
    )
    return checks


def _require_root() -> None:
    if os.geteuid() != 0:
        raise SandboxError(
            "the sandbox's network capture needs root (host iptables rules and a bridge sniffer)",
            fix="run `inspector run` as root (sudo), or use `inspector vet --no-run` for a static scan only",
        )
    reason = network.iptables_available()
    if reason is not None:
        raise SandboxError(reason, fix="apt-get install iptables; run as root")


def _recorder_config(options: SandboxOptions, artifacts: Path) -> dict[str, Any]:
    return {
        "artifacts": str(artifacts),
        "body_cap": BODY_CAP,
        "allow": [host.lower() for host in options.allow],
        "allow_all": options.allow_all,
        "registries": list(REGISTRIES),
        "registry_phases": [PhaseName.INSTALL.value],
        "resolve": {host.lower(): ip for host, ip in options.resolve},
    }


def _policy(options: SandboxOptions) -> str:
    if options.allow_all:
        return "allow-all"
    return "allow-list" if options.allow or options.resolve else "block"


def _phase_status(results: list[CommandResult]) -> PhaseStatus:
    if any(r.status is CommandStatus.ERROR for r in results):
        return PhaseStatus.ERROR
    if any(r.status is CommandStatus.TIMEOUT for r in results):
        return PhaseStatus.TIMEOUT
    if any(r.status is CommandStatus.FAILED for r in results):
        return PhaseStatus.FAILED
    return PhaseStatus.OK


def _project_dir(workspace: Path) -> str:
    name = "".join(ch for ch in workspace.name if ch.isalnum() or ch in "-_.").strip(".")
    return name or "project"


class _Run:
    """One run: everything created is registered for removal as soon as it exists."""

    def __init__(self, client: docker.DockerClient, options: SandboxOptions, run_dir: Path, progress: Progress) -> None:
        self.client = client
        self.options = options
        self.run_dir = run_dir
        self.progress = progress
        self.run_id = secrets.token_hex(4)
        self.cleanup = _Cleanup()
        self.artifacts = run_dir / "artifacts"
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.recorder: Recorder | None = None
        self.sniffer: BridgeSniffer | None = None
        self.sandbox: DockerSandbox | None = None

    def watchdog(self) -> None:
        """Called while commands run: a recorder or sniffer that stopped recording ends the run."""
        if self.recorder is not None:
            self.recorder.check()
        if self.sniffer is not None and self.sniffer.failure is not None:
            raise SandboxError(self.sniffer.failure, fix="check that the run is started as root")

    def build_network(self) -> tuple[str, str, str, str]:
        bridge = f"insp{self.run_id}"
        created = self.client.networks.create(
            f"inspector-{self.run_id}",
            driver="bridge",
            internal=True,
            labels=labels(self.run_id),
            options={"com.docker.network.bridge.name": bridge, "com.docker.network.bridge.enable_icc": "false"},
        )
        self.cleanup.push("network", created.remove)
        created.reload()
        config = created.attrs["IPAM"]["Config"][0]
        return created.name, bridge, config["Gateway"], config["Subnet"]

    def start_capture(self, bridge: str, gateway: str, subnet: str) -> None:
        """Launch the recorder and install the rules; the recorder finishes starting meanwhile.

        Until it listens, steered traffic is refused (fail closed); phases wait for it to be ready.
        """
        self.recorder = Recorder(self.run_dir, gateway, _recorder_config(self.options, self.artifacts))
        self.cleanup.push("recorder", self.recorder.stop)
        self.recorder.launch()
        rules = network.BridgeRules(
            self.run_id, bridge, gateway, subnet, self.recorder.tcp_port, self.recorder.dns_port
        )
        self.cleanup.push("iptables rules", lambda: network.remove_chains(self.run_id))
        rules.install()
        recorder = self.recorder
        self.sniffer = BridgeSniffer(
            bridge,
            recorder.dir / "sniffer.jsonl",
            lambda: recorder.current_phase,
            frozenset({(gateway, recorder.tcp_port), (gateway, recorder.dns_port)}),
        )
        self.cleanup.push("sniffer", self.sniffer.stop)
        self.sniffer.start()

    def run_phase(self, planned: PlannedPhase, sandbox: DockerSandbox) -> PhaseResult:
        assert self.recorder is not None
        self.recorder.set_phase(planned.name.value)
        self.progress.step(f"sandbox: {planned.name.value} phase ({len(planned.commands)} command(s))")
        results: list[CommandResult] = []
        deadline = time.monotonic() + self.options.timeout_s
        for command in planned.commands:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                results.append(CommandResult(CommandStatus.TIMEOUT, None, 0.0, "", ""))
                break
            result = sandbox.run(command, planned.name.value, remaining)
            results.append(result)
            if result.status in (CommandStatus.TIMEOUT, CommandStatus.ERROR):
                break
        errors = [r.error for r in results if r.status is CommandStatus.ERROR]
        if planned.name is PhaseName.START and not errors:
            self.linger(sandbox)
        for error in errors:
            self.progress.step(f"sandbox: {planned.name.value} phase ended by an engine error: {error}")
        return PhaseResult(
            name=planned.name,
            commands=planned.commands,
            status=_phase_status(results),
            exit_code=results[-1].exit_code if results else None,
            duration_s=round(sum(r.duration_s for r in results), 3),
            stdout_tail="".join(r.stdout_tail for r in results)[-4096:],
            stderr_tail="".join(r.stderr_tail for r in results)[-4096:],
            error=errors[0] if errors else "",
        )

    def linger(self, sandbox: DockerSandbox) -> None:
        """Keep the container up while anything the program started still lives (loaders wait)."""
        deadline = time.monotonic() + self.options.linger_s
        while time.monotonic() < deadline and sandbox.user_processes() > 0:
            self.watchdog()
            time.sleep(0.5)
        sandbox.kill_user_processes()


def _missing_trace(phase: PhaseName) -> Skipped:
    return Skipped(
        "sandbox:trace",
        f"no trace of the {phase.value} phase: under runc the trace is written inside the container, and the "
        "program (or its end) removed or never let strace write it; processes, file reads and decoy reads of this "
        "phase are unknown",
        gvisor_fix(),
    )


def _gvisor_traces(sandbox: DockerSandbox, artifacts: Path, skipped: list[Skipped]) -> dict[PhaseName, Path]:
    """Each phase's part of gVisor's own syscall log, written as ``trace-<phase>.log`` (strace syntax)."""
    log_file = runsc_log_for(sandbox.container_id) if sandbox.container_id else None
    if log_file is None:
        skipped.append(
            Skipped(
                "sandbox:trace",
                "gVisor wrote no syscall log for this run: processes and file reads are unknown",
                f"register runsc with {runsc_daemon_json()} (scripts/engine does)",
            )
        )
        return {}
    by_phase, cut = trace.split_gvisor_log(log_file, sandbox.phase_windows)
    if cut:
        skipped.append(Skipped("sandbox:trace", "the gVisor syscall log was cut short", "none needed"))
    traces: dict[PhaseName, Path] = {}
    for phase_value, lines in by_phase.items():
        trace_file = artifacts / f"trace-{phase_value}.log"
        trace_file.write_text("\n".join(lines) + "\n")
        traces[PhaseName(phase_value)] = trace_file
    return traces


def _honeytoken_findings(
    decoys: honeytokens.DecoySet, artifacts: Path, recorder_events: list[dict[str, Any]]
) -> tuple[Finding, ...]:
    messages = (
        exfil.OutboundMessage.from_recorder_event(event, body)
        for event, body in events.outbound_messages(recorder_events, artifacts)
    )
    return exfil.find_exfiltration(decoys, messages)


def execute(
    workspace: Path, plan: RunPlan, options: SandboxOptions, run_dir: Path, progress: Progress
) -> SandboxResult:
    """Run ``plan`` on a copy of ``workspace``; raise SandboxError when the run cannot happen safely.

    Engine errors while a phase runs are that phase's status (``error``); an engine error outside the
    phases (creating the network or the container) is a SandboxError with the engine's words.
    """
    try:
        return _execute(workspace, plan, options, run_dir, progress)
    except docker.errors.DockerException as err:
        raise SandboxError(
            f"the container engine failed outside the program's phases: {str(err).strip()[:400]}",
            fix="run `inspector doctor`; check dockerd's log; retry",
        ) from err


def _execute(
    workspace: Path, plan: RunPlan, options: SandboxOptions, run_dir: Path, progress: Progress
) -> SandboxResult:
    _require_root()
    client = connect()
    removed, _alive = _reap_all(client)
    if removed:
        progress.step(f"sandbox: removed {removed} leftover(s) of earlier runs")
    network.remove_stale_chains(_alive | _live_runs)
    if options.allow_all:
        progress.step("WARNING: --allow-all forwards everything the program sends to the real internet")
    if not image_present(client, plan.image):
        build_images(progress, client=client)
    runtime, runsc_reason = choose_runtime(client, options.runtime, plan.image, options.require_gvisor)
    run = _Run(client, options, run_dir, progress)
    _live_runs.add(run.run_id)
    skipped: list[Skipped] = []
    if runtime == "runc":
        why = f"gVisor not used ({runsc_reason})" if runsc_reason else "gVisor not used (--runtime runc)"
        progress.step(f"WARNING: {why}: {RUNC_IS_WEAKER}. Fix: {gvisor_fix()}")
        skipped.append(Skipped("sandbox:gvisor", f"{why}: {RUNC_IS_WEAKER}", gvisor_fix()))
    started_at = _now()
    limits_hit: list[str] = []
    phases: list[PhaseResult] = []
    traces: dict[PhaseName, Path] = {}
    with _terminate_as_interrupt():
        try:
            progress.step(f"sandbox: creating the network and recorder (run {run.run_id})")
            network_name, bridge, gateway, subnet = run.build_network()
            run.start_capture(bridge, gateway, subnet)
            assert run.recorder is not None
            decoy_home = run_dir / "decoys" / "home"
            sandbox = DockerSandbox(
                client,
                run_id=run.run_id,
                image=plan.image,
                runtime=runtime,
                network=network_name,
                dns=gateway,
                environment={},
                limits=Limits(
                    memory=options.memory,
                    cpus=options.cpus,
                    pids=options.pids,
                    home_size=options.home_size,
                    tmp_size=options.tmp_size,
                ),
                watchdog=run.watchdog,
            )
            decoys = honeytokens.plant_decoys(decoy_home, user=sandbox.user, hostname=sandbox.hostname)
            (run_dir / "decoys" / "manifest.json").write_text(decoys.to_json())
            sandbox.environment.update(decoys.environment_dict())
            if runtime == "runsc":
                # After the container is gone (cleanup runs in reverse): its boot log holds the trace.
                run.cleanup.push("gVisor log", lambda: remove_runsc_logs({str(sandbox.container_id)}))
            run.cleanup.push("container", sandbox.destroy)
            progress.step(f"sandbox: starting the container ({runtime}, {plan.image})")
            sandbox.create()
            sandbox.trust_ca(run.recorder.ca_cert_pem)
            sandbox.copy_in(decoy_home, sandbox.home)
            workdir = f"{sandbox.home}/{_project_dir(workspace)}"
            sandbox.copy_in(workspace, workdir)
            sandbox.workdir = workdir
            run.recorder.wait_ready()
            for index, planned in enumerate(plan.phases):
                phase = run.run_phase(planned, sandbox)
                phases.append(phase)
                run.watchdog()
                for hit in sandbox.disk_limits_hit() if phase.status is not PhaseStatus.ERROR else ():
                    limits_hit.append(f"{hit} during {planned.name.value}")
                    progress.step(f"sandbox: limit reached: {hit}")
                if runtime == "runc":
                    trace_file = run.artifacts / f"trace-{planned.name.value}.log"
                    if phase.status is not PhaseStatus.ERROR and sandbox.copy_out(
                        sandbox.trace_path(planned.name.value), trace_file, TRACE_CAP + 1
                    ):
                        traces[planned.name] = trace_file
                    else:
                        skipped.append(_missing_trace(planned.name))
                if phase.status is PhaseStatus.ERROR:
                    for later in plan.phases[index + 1 :]:
                        phases.append(PhaseResult(later.name, later.commands, PhaseStatus.SKIPPED, None, 0.0))
                    break
            if runtime == "runsc":
                traces = _gvisor_traces(sandbox, run.artifacts, skipped)
            run.recorder.set_phase("done")
            run.watchdog()
        finally:
            failures = run.cleanup.run()
            _live_runs.discard(run.run_id)
            if failures:
                progress.step("sandbox: cleanup problems: " + "; ".join(failures))
    recorder_events = list(events.read_json_lines(run.recorder.events))
    default_phase = plan.phases[0].name if plan.phases else PhaseName.START
    log = events.NetworkLog(default_phase)
    events.add_recorder_events(log, recorder_events)
    events.add_sniffer_events(log, events.read_json_lines(run.recorder.dir / "sniffer.jsonl"))
    processes: list[ProcessRecord] = []
    accesses: list[FileAccess] = []
    findings: list[Finding] = []
    for phase_name, trace_file in traces.items():
        text, cut = trace.read_trace(trace_file)
        summary = trace.parse_strace(text, phase_name, decoys, sandbox.home, workdir)
        processes += summary.processes
        accesses += summary.file_accesses
        findings += summary.findings
        events.add_trace_connects(log, summary.connects, trace_file.stat().st_mtime)
        if cut or summary.truncated:
            skipped.append(Skipped("sandbox:trace", f"the {phase_name.value} trace was cut short", "none needed"))
    findings += _honeytoken_findings(decoys, run.artifacts, recorder_events)
    info = RunInfo(
        image=plan.image,
        runtime=runtime,
        phases=tuple(phases),
        started_at=started_at,
        finished_at=_now(),
        artifacts=str(run.artifacts.relative_to(run_dir)),
        honeytokens=decoys.kinds(),
        processes=tuple(processes),
        file_accesses=tuple(accesses),
        policy=_policy(options),
        allowed_hosts=tuple(sorted({h.lower() for h in options.allow})),
        trace_origin="gvisor-sentry" if runtime == "runsc" else "strace-in-container",
        limits_hit=tuple(limits_hit),
    )
    result = SandboxResult(
        run=info,
        network=log.records(),
        findings=tuple(findings),
        payloads=events.payloads(recorder_events, info.artifacts),
        skipped=tuple(skipped),
    )
    if not options.keep_artifacts:
        for trace_file in traces.values():
            trace_file.unlink()
    return result


__all__ = [
    "EngineCheck",
    "build_images",
    "engine_status",
    "execute",
    "reap_leftovers",
]
