"""The Docker engine implementation of :class:`Sandbox` (through the Docker Engine API).

The container is hardened the way OWASP's Docker cheat sheet says: a non-root user, every
capability dropped, ``no-new-privileges``, a read-only root, pids, memory and CPU limits, IPv6
off, no host mounts (the workspace is streamed in) and no Docker socket. Every writable place (the
home with the workspace, /tmp, /var/tmp) is a size-capped tmpfs owned by the sandbox user, so a
program can fill them but never the host's disk. Every phase runs as an ``exec`` in the same
container (state carries over), with the wall-clock limit enforced from outside; under runc inside
``strace``, under gVisor traced by the sentry itself from outside (the registered runtime's
``--strace`` log, see :data:`RUNSC_ARGS`). Also here: registering and probing gVisor, and finding
and killing the runsc processes a failed container leaves behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import docker.errors

from inspector.errors import SandboxError
from inspector.sandbox.interface import CommandResult, CommandStatus, Sandbox
from inspector.sandbox.trace import STRACE_ARGS

LABEL = "inspector"
RUN_LABEL = "inspector.run"
PID_LABEL = "inspector.pid"  # "<pid>:<start time>" of the process that owns the resource
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
TAIL_BYTES = 4096
_HOST_SUFFIXES = ("thinkpad", "xps", "laptop", "desktop", "dev", "workstation", "precision")
_runtime_probe: dict[str, str | None] = {}  # engine identity -> why runsc cannot be used (None: usable)
_CONTAINER_ID_RE = re.compile(r"/moby/([0-9a-f]{64})")


def connect() -> docker.DockerClient:
    """A client for the local engine, or a SandboxError saying how to get one."""
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except docker.errors.DockerException as err:
        raise SandboxError(
            f"no container engine is reachable: {err}",
            fix="install docker.io (apt-get install docker.io) and start dockerd (systemctl start docker, or "
            "`dockerd &` as root), then retry",
        ) from err
    return client


def _process_identity(pid: int) -> str | None:
    """ "<pid>:<start time>", which a recycled pid does not repeat; None when no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name (which may hold spaces) start at the last ')'.
    return f"{pid}:{stat.rsplit(')', 1)[1].split()[19]}"


def owner_label() -> str:
    identity = _process_identity(os.getpid())
    return identity if identity is not None else str(os.getpid())


def labels(run_id: str) -> dict[str, str]:
    return {LABEL: "1", RUN_LABEL: run_id, PID_LABEL: owner_label()}


RUNSC_TRACE_DIR = Path("/var/log/inspector-runsc")  # where the registered runsc writes its boot logs
PROBE_CACHE = Path("/var/cache/inspector/runsc-probe.json")
# What scripts/engine registers; `inspector doctor` prints it for the user's own daemon.json.
RUNSC_ARGS: tuple[str, ...] = (
    "--network=host",
    "--platform=ptrace",
    "--strace",
    "--strace-syscalls=execve,execveat,open,openat,creat,connect,clone,fork,vfork",
    "--strace-log-size=256",
    f"--debug-log={RUNSC_TRACE_DIR}/",
    "--debug-command=boot",
)
RUNC_IS_WEAKER = (
    "the program ran under runc, which shares the host kernel (a kernel bug is an escape) and traces it "
    "with strace inside the container, where the program can see and empty its own trace"
)


def runsc_daemon_json(runsc_path: str = "/usr/bin/runsc") -> str:
    """The daemon.json entry that registers gVisor the way inspector needs it."""
    entry = {"runtimes": {"runsc": {"path": runsc_path, "runtimeArgs": list(RUNSC_ARGS)}}}
    return json.dumps(entry)


def _runsc_config_problem(runtime: dict[str, Any]) -> str | None:
    """Why a registered runsc entry cannot give inspector a traced gVisor run, or None."""
    args = [str(a) for a in runtime.get("runtimeArgs") or []]
    if "--network=host" not in args:
        return (
            "runsc is registered without --network=host, so gVisor's own netstack refuses to start in "
            "Docker's network namespace"
        )
    if "--strace" not in args or not any(a.startswith(f"--debug-log={RUNSC_TRACE_DIR}") for a in args):
        return f"runsc is registered without --strace and --debug-log={RUNSC_TRACE_DIR}/ (no outside trace)"
    return None


def _engine_identity(client: docker.DockerClient, runtime: dict[str, Any]) -> str:
    info = client.info()
    path = str(runtime.get("path") or "runsc")
    binary = shutil.which(path) or path
    try:
        stamp = Path(binary).stat().st_mtime_ns
    except OSError:
        stamp = 0
    parts = [str(info.get("ID")), str(info.get("ServerVersion")), json.dumps(runtime, sort_keys=True), str(stamp)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _read_probe_cache() -> dict[str, str | None]:
    try:
        loaded = json.loads(PROBE_CACHE.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): (None if v is None else str(v)) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _write_probe_cache(cache: dict[str, str | None]) -> None:
    with contextlib.suppress(OSError):
        PROBE_CACHE.parent.mkdir(parents=True, exist_ok=True)
        PROBE_CACHE.write_text(json.dumps(cache))


def _probe_runsc(client: docker.DockerClient, probe_image: str) -> str | None:
    container = None
    try:
        container = client.containers.create(
            probe_image, ["true"], runtime="runsc", network_mode="none", labels=labels("runsc-probe")
        )
        container.start()
        status = container.wait(timeout=60)
        if status.get("StatusCode") != 0:
            return f"a probe container exited {status.get('StatusCode')} under runsc"
        return None
    except (docker.errors.DockerException, OSError) as err:
        return f"a probe container failed under runsc: {str(err).strip()[:500]}"
    finally:
        if container is not None:
            with contextlib.suppress(docker.errors.DockerException):
                container.remove(force=True)
            kill_orphan_runsc({container.id})
            remove_runsc_logs({container.id})


def runsc_unusable_reason(client: docker.DockerClient, probe_image: str) -> str | None:
    """None when a traced container starts under runsc here; else why not.

    Cached per engine identity (daemon id and version, the runsc entry, the runsc binary) in this
    process and on disk, so the probe runs once per engine, not once per run.
    """
    runtime = (client.info().get("Runtimes", {}) or {}).get("runsc")
    if runtime is None:
        return "runsc is not registered with dockerd"
    problem = _runsc_config_problem(runtime)
    if problem is not None:
        return problem
    key = _engine_identity(client, runtime)
    if key not in _runtime_probe:
        cache = _read_probe_cache()
        if key not in cache:
            cache = {key: _probe_runsc(client, probe_image)}
            if cache[key] is None:  # a failure may be passing (an engine hiccup): probe again next time
                _write_probe_cache(cache)
        _runtime_probe[key] = cache[key]
    return _runtime_probe[key]


def gvisor_fix() -> str:
    return (
        "install gVisor (apt-get install runsc) and run scripts/engine as root, or add to /etc/docker/daemon.json "
        f"{runsc_daemon_json()} and restart dockerd"
    )


def choose_runtime(
    client: docker.DockerClient, requested: str, probe_image: str, require_gvisor: bool = False
) -> tuple[str, str | None]:
    """(runtime to use, why runsc was not used or None)."""
    if requested == "runc":
        if require_gvisor:
            raise SandboxError("--require-gvisor and --runtime runc contradict each other", fix="drop one of them")
        return "runc", None
    reason = runsc_unusable_reason(client, probe_image)
    if reason is None:
        return "runsc", None
    if requested == "runsc" or require_gvisor:
        asked = "--runtime runsc" if requested == "runsc" else "--require-gvisor"
        raise SandboxError(f"{asked} was asked for but gVisor cannot be used: {reason}", fix=gvisor_fix())
    return "runc", reason


def _runsc_container_id(cmdline: list[str]) -> str | None:
    """The container id a runsc-sandbox/runsc-gofer process serves (the last argument), or None."""
    if not cmdline or not Path(cmdline[0]).name.startswith(("runsc-sandbox", "runsc-gofer", "runsc")):
        return None
    if not any(arg.startswith("--root=/var/run/docker/") for arg in cmdline):
        return None  # not dockerd's runsc: someone else's sandbox
    last = cmdline[-1]
    return last if len(last) == 64 and all(c in "0123456789abcdef" for c in last) else None


def runsc_processes() -> dict[int, str]:
    """pid -> container id of dockerd's runsc sandbox and gofer processes."""
    found: dict[int, str] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = [a.decode(errors="replace") for a in (proc / "cmdline").read_bytes().split(b"\0") if a]
        except OSError:
            continue
        container_id = _runsc_container_id(cmdline)
        if container_id is not None:
            found[int(proc.name)] = container_id
    return found


def kill_orphan_runsc(container_ids: set[str] | None = None, known: set[str] | None = None) -> int:
    """Kill runsc processes left by containers that are gone (a failed create leaves a pair).

    ``container_ids``: only these (a probe or run that just ended); None: every dockerd runsc
    process whose container dockerd no longer knows (``known``: the ids it knows).
    """
    killed = 0
    for pid, container_id in runsc_processes().items():
        if container_ids is not None and container_id not in container_ids:
            continue
        if known is not None and container_id in known:
            continue
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            killed += 1
    return killed


def runsc_log_for(container_id: str) -> Path | None:
    """The boot log (with the gVisor strace) of one container, found by its id in the header."""
    try:
        candidates = sorted(RUNSC_TRACE_DIR.glob("runsc.log.*boot*"))
    except OSError:
        return None
    needle = f"/{container_id}".encode()
    for candidate in candidates:
        try:
            with candidate.open("rb") as handle:
                head = handle.read(16384)
        except OSError:
            continue
        if needle in head:
            return candidate
    return None


def remove_runsc_logs(container_ids: set[str] | None = None, known: set[str] | None = None) -> int:
    """Delete the boot logs of these containers (or of every container dockerd no longer knows)."""
    removed = 0
    try:
        candidates = sorted(RUNSC_TRACE_DIR.glob("runsc.log.*"))
    except OSError:
        return 0
    for candidate in candidates:
        try:
            with candidate.open("rb") as handle:
                head = handle.read(16384).decode(errors="replace")
        except OSError:
            continue
        owner = next((cid for cid in _CONTAINER_ID_RE.findall(head)), None)
        if owner is None:
            continue
        wanted = owner in container_ids if container_ids is not None else known is not None and owner not in known
        if wanted:
            with contextlib.suppress(OSError):
                candidate.unlink()
                removed += 1
    return removed


def _tail(chunks: list[bytes]) -> str:
    return b"".join(chunks)[-TAIL_BYTES:].decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Limits:
    memory: str = "2g"
    cpus: float = 1.0
    pids: int = 512
    home_size: str = "1g"  # the home (and the workspace inside it): a size-capped tmpfs, never host disk
    tmp_size: str = "512m"  # /tmp and /var/tmp each


ENGINE_CALL_S = 120.0  # an exec into a container that died can leave dockerd's stream open forever
GVISOR_OWN_PIDS = 128  # the sentry's and gofer's own host threads count in the container's pids limit


def _bounded(call: Callable[[], Any], what: str, seconds: float = ENGINE_CALL_S) -> Any:
    """Run one engine call in a helper thread; an engine that never answers becomes an error."""
    outcome: list[Any] = []
    failure: list[BaseException] = []

    def go() -> None:
        try:
            outcome.append(call())
        except BaseException as err:  # re-raised in the caller's thread
            failure.append(err)

    worker = threading.Thread(target=go, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise docker.errors.DockerException(f"the engine did not finish {what} within {seconds:.0f} s")
    if failure:
        raise failure[0]
    return outcome[0] if outcome else None


class _SocketWriter:
    """A write-only file object over a socket, so a tar is streamed, never held in memory."""

    def __init__(self, raw: socket.socket) -> None:
        self.raw = raw

    def write(self, data: bytes) -> int:
        self.raw.sendall(data)
        return len(data)

    def flush(self) -> None:
        return None


class DockerSandbox(Sandbox):
    def __init__(
        self,
        client: docker.DockerClient,
        *,
        run_id: str,
        image: str,
        runtime: str,
        network: str,
        dns: str,
        environment: dict[str, str],
        limits: Limits,
        watchdog: Callable[[], None] = lambda: None,
    ) -> None:
        self.client = client
        self.run_id = run_id
        self.image = image
        self.runtime = runtime
        self.network = network
        self.dns = dns
        self.limits = limits
        self.watchdog = watchdog  # raises when the run must stop (the recorder died)
        image_labels = client.images.get(image).labels or {}
        self.user = image_labels.get("inspector.user", "dev")
        self.uid = image_labels.get("inspector.uid", "1000")
        self.home = f"/home/{self.user}"
        self.hostname = f"{self.user}-{secrets.choice(_HOST_SUFFIXES)}"
        self.workdir = self.home
        self.environment = {
            "HOME": self.home,
            "USER": self.user,
            "LOGNAME": self.user,
            "SHELL": "/bin/bash",
            "LANG": "en_US.UTF-8",
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games",
            "NODE_EXTRA_CA_CERTS": CA_BUNDLE,
            "REQUESTS_CA_BUNDLE": CA_BUNDLE,
            "SSL_CERT_FILE": CA_BUNDLE,
            **environment,
        }
        self.container: Any = None
        self.container_id: str | None = None
        self.phase_windows: list[tuple[str, float, float]] = []  # (phase, wall-clock start, end)
        self.trace_dir = f"/var/tmp/{secrets.token_hex(4)}"

    # ------------------------------------------------------------------ lifecycle

    def create(self) -> None:
        nano_cpus = int(self.limits.cpus * 1_000_000_000)
        try:
            self.container = self.client.containers.create(
                self.image,
                ["sleep", "infinity"],
                name=f"inspector-{self.run_id}",
                hostname=self.hostname,
                user=self.user,
                labels=labels(self.run_id),
                runtime=self.runtime,
                network=self.network,
                dns=[self.dns],
                # Parallel A/AAAA from one socket race in conntrack through the DNS redirect and one
                # is dropped (the "5 s DNS delay" Kubernetes knows); sequential lookups avoid it.
                dns_opt=["single-request-reopen"],
                environment=self.environment,
                working_dir=self.home,
                read_only=True,
                tmpfs={
                    # Every writable place is a size-capped tmpfs: a program filling them hits ENOSPC
                    # (recorded as a limit event), never the host's disk. The root is read-only.
                    self.home: f"rw,nosuid,nodev,size={self.limits.home_size},uid={self.uid},gid={self.uid},mode=755",
                    "/tmp": f"rw,nosuid,nodev,size={self.limits.tmp_size},mode=1777",
                    "/var/tmp": f"rw,nosuid,nodev,size={self.limits.tmp_size},mode=1777",
                    # The trust store is rebuilt per run with this run's CA (see trust_ca).
                    "/etc/ssl/certs": "rw,nosuid,nodev,noexec,size=8m,mode=755",
                    "/usr/local/share/ca-certificates": "rw,nosuid,nodev,noexec,size=1m,mode=755",
                },
                cap_drop=["ALL"],
                security_opt=["no-new-privileges:true"],
                # Under gVisor the sentry's own threads are host tasks of the container too.
                pids_limit=self.limits.pids + (GVISOR_OWN_PIDS if self.runtime == "runsc" else 0),
                mem_limit=self.limits.memory,
                memswap_limit=self.limits.memory,
                nano_cpus=nano_cpus,
                sysctls={"net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1"},
                ulimits=[docker.types.Ulimit(name="nofile", soft=4096, hard=4096)],
                stop_signal="SIGKILL",
            )
            self.container_id = self.container.id
            self.container.start()
        except docker.errors.DockerException as err:
            raise SandboxError(
                f"the sandbox container could not be created: {err}",
                fix="run `inspector doctor`; rebuild images with `inspector images build --force`",
            ) from err

    def destroy(self) -> None:
        if self.container is not None:
            with contextlib.suppress(docker.errors.NotFound):
                self.container.remove(force=True, v=True)
            self.container = None
        if self.runtime == "runsc" and self.container_id is not None:
            kill_orphan_runsc({self.container_id})

    def diagnose(self) -> str:
        """What happened to the container, in words (after an engine error)."""
        try:
            self.container.reload()
        except docker.errors.NotFound:
            return "the sandbox container is gone (removed or crashed)"
        except docker.errors.DockerException as err:
            return f"the engine does not answer about the sandbox container: {err}"
        state = self.container.attrs.get("State") or {}
        if state.get("OOMKilled"):
            return f"the sandbox was killed when it ran out of memory (limit {self.limits.memory})"
        if not state.get("Running"):
            return (
                f"the sandbox container stopped ({state.get('Status', '?')}, exit code {state.get('ExitCode')}"
                f"{', ' + str(state.get('Error')) if state.get('Error') else ''}); under gVisor a fork bomb or "
                f"a memory balloon ends the whole sandbox (limits: {self.limits.pids} processes, {self.limits.memory})"
            )
        return "the engine refused a request while the container was running"

    def alive(self) -> bool:
        try:
            self.container.reload()
        except docker.errors.DockerException:
            return False
        return bool((self.container.attrs.get("State") or {}).get("Running"))

    # ------------------------------------------------------------------ setup as root

    def _exec(self, command: list[str], user: str, environment: dict[str, str] | None = None) -> Any:
        """``exec_run`` bounded in time: a sandbox that died must not hang the run."""
        return _bounded(lambda: self.container.exec_run(command, user=user, environment=environment), f"`{command[0]}`")

    def _root_exec(self, command: list[str], environment: dict[str, str] | None = None) -> None:
        try:
            result = self._exec(command, "0", environment)
        except docker.errors.DockerException as err:
            raise SandboxError(
                f"sandbox setup step failed ({command[0]}): {self.diagnose()} ({err})",
                fix="run `inspector doctor`; retry with --runtime runc to compare",
            ) from err
        if result.exit_code != 0:
            raise SandboxError(
                f"sandbox setup step failed ({command[0]}): {result.output.decode(errors='replace')[-300:]}",
                fix="rebuild the sandbox images: inspector images build --force",
            )

    def trust_ca(self, certificate_pem: str) -> None:
        """Put the run's CA in the system store, where ordinary tools and the env vars look.

        The bundle and the CA's hash link are written directly (what update-ca-certificates would
        produce for these files): one shell instead of a script that forks per certificate, which
        took 22 s under gVisor's ptrace platform.
        """
        local = "/usr/local/share/ca-certificates/corporate-root.crt"
        self._root_exec(
            [
                "sh",
                "-c",
                f'printf "%s\\n" "$CA_PEM" > {local}'
                f" && cat /usr/share/ca-certificates/*/*.crt {local} > {CA_BUNDLE}"
                f' && ln -s {local} "/etc/ssl/certs/$(openssl x509 -hash -noout -in {local}).0"'
                f" && mkdir -p -m 1777 {self.trace_dir}",
            ],
            environment={"CA_PEM": certificate_pem, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        )

    # ------------------------------------------------------------------ files

    def copy_in(self, source: Path, destination: str) -> None:
        made = self._exec(["mkdir", "-p", "--", destination], self.uid)
        if made.exit_code != 0:
            raise SandboxError(f"cannot create {destination} in the sandbox", fix="inspector images build --force")
        # Unpacked by the sandbox user itself, so the files are the user's (Docker 20.10's
        # archive API cannot chown to a container user) and nothing is written as root.
        api = self.client.api
        exec_id = api.exec_create(
            self.container.id, ["tar", "-x", "-p", "-f", "-", "-C", destination], user=self.uid, stdin=True
        )["Id"]
        stream = api.exec_start(exec_id, socket=True)
        raw = stream._sock
        raw.settimeout(ENGINE_CALL_S)  # a sandbox that died mid-copy: an error, not a hang
        try:
            # Streamed ("w|"): file by file, in 10 KiB blocks, whatever the workspace's size.
            with tarfile.open(fileobj=_SocketWriter(raw), mode="w|") as archive:  # type: ignore[call-overload]
                _archive_tree(archive, source)
            raw.shutdown(socket.SHUT_WR)
            while raw.recv(65536):
                pass
        except OSError as err:
            raise SandboxError(
                f"copying files into the sandbox failed: {err} (the home directory holds {self.limits.home_size})",
                fix="retry; a workspace larger than the sandbox home does not fit",
            ) from err
        finally:
            stream.close()
        code = api.exec_inspect(exec_id).get("ExitCode")
        if code != 0:
            raise SandboxError(
                f"copying files into the sandbox failed (tar exit {code}; the home holds {self.limits.home_size})",
                fix="retry; a workspace larger than the sandbox home does not fit",
            )

    def copy_out(self, source: str, destination: Path, limit_bytes: int) -> bool:
        """False when the file is not there or the engine cannot run ``cat`` (container gone, no pids left)."""
        written = 0
        try:
            exec_id = self.client.api.exec_create(self.container.id, ["cat", "--", source], user=self.uid)["Id"]
            with destination.open("wb") as out:
                for stdout, _stderr in self.client.api.exec_start(exec_id, stream=True, demux=True):
                    if stdout and written < limit_bytes:
                        out.write(stdout[: limit_bytes - written])
                        written += len(stdout)
            return bool(self.client.api.exec_inspect(exec_id).get("ExitCode") == 0)
        except (docker.errors.DockerException, OSError):
            destination.unlink(missing_ok=True)
            return False

    def trace_path(self, phase: str) -> str:
        return f"{self.trace_dir}/{phase}.log"

    # ------------------------------------------------------------------ commands

    def run(self, command: str, phase: str, timeout_s: float) -> CommandResult:
        """Run one command as the sandbox user; engine errors become an ``error`` result, not an exception."""
        shell = ["/bin/sh", "-c", command]
        # Under gVisor the sentry traces from outside (the runtime's --strace); under runc, strace
        # runs inside the container, where the program can see it.
        traced = ["strace", *STRACE_ARGS, "-o", self.trace_path(phase), "--", *shell]
        argv = shell if self.runtime == "runsc" else traced
        stdout: list[bytes] = []
        stderr: list[bytes] = []
        failure: list[BaseException] = []
        wall_start = time.time()
        started = time.monotonic()

        def error(err: BaseException) -> CommandResult:
            self.phase_windows.append((phase, wall_start, time.time()))
            detail = f"{self.diagnose()} ({str(err).strip()[:300]})"
            return CommandResult(
                CommandStatus.ERROR, None, time.monotonic() - started, _tail(stdout), _tail(stderr), detail
            )

        try:
            exec_id = self.client.api.exec_create(self.container.id, argv, user=self.uid, workdir=self.workdir)["Id"]
            stream = self.client.api.exec_start(exec_id, stream=True, demux=True)
        except docker.errors.DockerException as err:
            return error(err)

        def pump(stream: Iterator[tuple[bytes | None, bytes | None]]) -> None:
            try:
                for out, err in stream:
                    if out:
                        stdout.append(out)
                        del stdout[:-64]
                    if err:
                        stderr.append(err)
                        del stderr[:-64]
            except (docker.errors.DockerException, OSError) as err:
                failure.append(err)

        reader = threading.Thread(target=pump, args=(stream,), daemon=True)
        reader.start()
        deadline = started + timeout_s
        next_check = started + 2.0
        try:
            while reader.is_alive() and time.monotonic() < deadline:
                self.watchdog()
                reader.join(min(0.5, max(0.0, deadline - time.monotonic())))
                if time.monotonic() >= next_check:
                    # A sandbox that died (OOM-killed, gVisor ended by a fork bomb) may never close the stream.
                    next_check = time.monotonic() + 2.0
                    if not self.alive():
                        return error(docker.errors.DockerException("the container stopped during the command"))
        except BaseException:
            self.kill_user_processes()
            raise
        duration = time.monotonic() - started
        if reader.is_alive():
            self.kill_user_processes()
            reader.join(10)
            self.phase_windows.append((phase, wall_start, time.time()))
            return CommandResult(CommandStatus.TIMEOUT, None, duration, _tail(stdout), _tail(stderr))
        if failure:
            return error(failure[0])
        try:
            exit_code = self.client.api.exec_inspect(exec_id).get("ExitCode")
        except docker.errors.DockerException as err:
            return error(err)
        self.phase_windows.append((phase, wall_start, time.time()))
        if not self.alive():
            return CommandResult(
                CommandStatus.ERROR, exit_code, duration, _tail(stdout), _tail(stderr), self.diagnose()
            )
        status = CommandStatus.OK if exit_code == 0 else CommandStatus.FAILED
        return CommandResult(status, exit_code, duration, _tail(stdout), _tail(stderr))

    def disk_limits_hit(self) -> list[str]:
        """The capped writable places that are (nearly) full: each a recorded limit event."""
        places = [self.home, "/tmp", "/var/tmp"]
        try:
            result = self._exec(["df", "-P", "-k", *places], "0")
        except docker.errors.DockerException:
            return []
        if result.exit_code != 0:
            return []
        full: list[str] = []
        for line in result.output.decode(errors="replace").splitlines()[1:]:
            fields = line.split()
            if len(fields) < 6 or not fields[1].isdigit() or not fields[3].isdigit():
                continue
            total_k, available_k, mount = int(fields[1]), int(fields[3]), fields[5]
            if total_k and available_k * 100 < total_k:  # under 1 % left
                size = self.limits.home_size if mount == self.home else self.limits.tmp_size
                full.append(f"{mount} is full ({size} limit reached)")
        return full

    def kill_user_processes(self) -> None:
        """Kill everything the target started (kill -1 spares the container's init)."""
        with contextlib.suppress(docker.errors.DockerException):
            self._exec(["kill", "-KILL", "-1"], self.uid)

    def user_processes(self) -> int:
        """Processes the program left running (the container's own init not counted); 0 when it is gone."""
        try:
            listing = self.container.top(ps_args="-o pid,comm")
        except docker.errors.DockerException:
            return 0
        return max(0, len(listing.get("Processes") or []) - 1)


def reap(client: docker.DockerClient, live_runs: set[str]) -> tuple[int, set[str]]:
    """Remove labelled containers, networks and volumes whose run is dead.

    Returns (how many were removed, run ids still alive). A run is alive while the process that
    created it (label ``inspector.pid``) exists.
    """
    removed = 0
    alive = set(live_runs)

    def dead(resource_labels: dict[str, str]) -> bool:
        run = resource_labels.get(RUN_LABEL, "")
        if run in live_runs:
            return False
        owner = resource_labels.get(PID_LABEL, "")
        pid = owner.split(":", 1)[0]
        if pid.isdigit() and _process_identity(int(pid)) == owner:
            alive.add(run)
            return False
        return True

    for container in client.containers.list(all=True, filters={"label": LABEL}):
        if dead(container.labels):
            container.remove(force=True, v=True)
            removed += 1
    for network in client.networks.list(filters={"label": LABEL}):
        if dead(network.attrs.get("Labels") or {}):
            network.reload()
            for attached in network.containers:
                network.disconnect(attached, force=True)
            network.remove()
            removed += 1
    for volume in client.volumes.list(filters={"label": LABEL}):
        if dead(volume.attrs.get("Labels") or {}):
            volume.remove(force=True)
            removed += 1
    return removed, alive


def _archive_tree(archive: tarfile.TarFile, root: Path) -> None:
    """Add ``root``'s contents to ``archive``: regular files, directories and links only.

    The tree may be a stranger's directory read in place, so the walk is iterative (a 20,000-deep
    tree must not exhaust the stack), links are archived as links and never followed, and devices,
    FIFOs and sockets are left out (opening one could block or read forever). Each file is opened
    without following a link and checked again after opening, so an entry swapped for a FIFO or a
    link between listing and reading is skipped; its size is the one fstat gave, so a file that
    grows meanwhile adds no more than that.
    """
    pending = [(root, "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            names = sorted(entry.name for entry in directory.iterdir())
        except OSError:
            continue
        for name in names:
            path = directory / name
            arcname = f"{prefix}{name}"
            try:
                info = archive.gettarinfo(str(path), arcname=arcname)
            except OSError:
                continue
            if info.issym() or info.islnk() or info.isdir():
                archive.addfile(info)
                if info.isdir():
                    pending.append((path, f"{arcname}/"))
            elif info.isreg():
                _add_regular_file(archive, path, info)


def _add_regular_file(archive: tarfile.TarFile, path: Path, info: tarfile.TarInfo) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            return
        info.size = status.st_size
        archive.addfile(info, handle)
