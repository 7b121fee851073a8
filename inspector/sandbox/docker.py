"""The Docker engine implementation of :class:`Sandbox` (through the Docker Engine API).

The container is hardened the way OWASP's Docker cheat sheet says: a non-root user, every
capability dropped, ``no-new-privileges``, a read-only root with tmpfs scratch dirs, pids, memory
and CPU limits, IPv6 off, no host mounts (the workspace is copied in) and no Docker socket. The
home directory is a labelled volume so files can be copied in with the right owner while the
root stays read-only. Every phase runs as an ``exec`` in the same container (state carries over)
under ``strace``, with the wall-clock limit enforced from outside.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import socket
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import docker.errors
from docker.types import Mount

from inspector.errors import SandboxError
from inspector.sandbox.interface import CommandResult, CommandStatus, Sandbox
from inspector.sandbox.trace import STRACE_ARGS

LABEL = "inspector"
RUN_LABEL = "inspector.run"
PID_LABEL = "inspector.pid"  # "<pid>:<start time>" of the process that owns the resource
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
TAIL_BYTES = 4096
_HOST_SUFFIXES = ("thinkpad", "xps", "laptop", "desktop", "dev", "workstation", "precision")
_runtime_probe: dict[str, str | None] = {}


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


def runsc_unusable_reason(client: docker.DockerClient, probe_image: str) -> str | None:
    """None when a container starts under runsc here; else why not (cached per process)."""
    if "runsc" not in _runtime_probe:
        runtimes = client.info().get("Runtimes", {}) or {}
        if "runsc" not in runtimes:
            _runtime_probe["runsc"] = "runsc is not registered with dockerd (runsc install; restart dockerd)"
        else:
            try:
                client.containers.run(
                    probe_image,
                    ["true"],
                    runtime="runsc",
                    network_mode="none",
                    remove=True,
                    labels=labels("runsc-probe"),
                )
                _runtime_probe["runsc"] = None
            except docker.errors.DockerException as err:
                _runtime_probe["runsc"] = f"a probe container failed under runsc: {str(err).strip()[:500]}"
                for leftover in client.containers.list(all=True, filters={"label": f"{RUN_LABEL}=runsc-probe"}):
                    leftover.remove(force=True)
    return _runtime_probe["runsc"]


def choose_runtime(client: docker.DockerClient, requested: str, probe_image: str) -> tuple[str, str | None]:
    """(runtime to use, why runsc was not used or None)."""
    if requested == "runc":
        return "runc", None
    reason = runsc_unusable_reason(client, probe_image)
    if reason is None:
        return "runsc", None
    if requested == "runsc":
        raise SandboxError(
            f"--runtime runsc was asked for but cannot be used: {reason}",
            fix="use --runtime runc (hardened runc), or install gVisor so containers start under it",
        )
    return "runc", reason


def _tail(chunks: list[bytes]) -> str:
    return b"".join(chunks)[-TAIL_BYTES:].decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Limits:
    memory: str = "2g"
    cpus: float = 1.0
    pids: int = 512


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
        self.volume: Any = None
        self.trace_dir = f"/var/tmp/{secrets.token_hex(4)}"

    # ------------------------------------------------------------------ lifecycle

    def create(self) -> None:
        self.volume = self.client.volumes.create(name=f"inspector-{self.run_id}-home", labels=labels(self.run_id))
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
                    "/tmp": "rw,nosuid,nodev,size=1g,mode=1777",
                    "/var/tmp": "rw,nosuid,nodev,size=512m,mode=1777",
                    # The trust store is rebuilt per run with this run's CA (update-ca-certificates).
                    "/etc/ssl/certs": "rw,nosuid,nodev,noexec,size=8m,mode=755",
                    "/usr/local/share/ca-certificates": "rw,nosuid,nodev,noexec,size=1m,mode=755",
                },
                mounts=[Mount(target=self.home, source=self.volume.name, type="volume")],
                cap_drop=["ALL"],
                security_opt=["no-new-privileges:true"],
                pids_limit=self.limits.pids,
                mem_limit=self.limits.memory,
                memswap_limit=self.limits.memory,
                nano_cpus=nano_cpus,
                sysctls={"net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1"},
                ulimits=[docker.types.Ulimit(name="nofile", soft=4096, hard=4096)],
                stop_signal="SIGKILL",
            )
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
        if self.volume is not None:
            with contextlib.suppress(docker.errors.NotFound):
                self.volume.remove(force=True)
            self.volume = None

    # ------------------------------------------------------------------ setup as root

    def _root_exec(self, command: list[str], environment: dict[str, str] | None = None) -> None:
        result = self.container.exec_run(command, user="0", environment=environment)
        if result.exit_code != 0:
            raise SandboxError(
                f"sandbox setup step failed ({command[0]}): {result.output.decode(errors='replace')[-300:]}",
                fix="rebuild the sandbox images: inspector images build --force",
            )

    def trust_ca(self, certificate_pem: str) -> None:
        """Put the run's CA in the system store, where ordinary tools and the env vars look."""
        self._root_exec(
            [
                "sh",
                "-c",
                'printf "%s\\n" "$CA_PEM" > /usr/local/share/ca-certificates/corporate-root.crt'
                " && update-ca-certificates --fresh >/dev/null 2>&1",
            ],
            environment={"CA_PEM": certificate_pem, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        )
        self._root_exec(["mkdir", "-p", "-m", "1777", self.trace_dir])

    # ------------------------------------------------------------------ files

    def copy_in(self, source: Path, destination: str) -> None:
        made = self.container.exec_run(["mkdir", "-p", "--", destination], user=self.uid)
        if made.exit_code != 0:
            raise SandboxError(f"cannot create {destination} in the sandbox", fix="inspector images build --force")
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            for entry in sorted(source.iterdir()):
                # Links are archived as links, never followed: nothing outside ``source`` is read.
                archive.add(entry, arcname=entry.name, recursive=True)
        # Unpacked by the sandbox user itself, so the files are the user's (Docker 20.10's
        # archive API cannot chown to a container user) and nothing is written as root.
        api = self.client.api
        exec_id = api.exec_create(
            self.container.id, ["tar", "-x", "-p", "-f", "-", "-C", destination], user=self.uid, stdin=True
        )["Id"]
        stream = api.exec_start(exec_id, socket=True)
        raw = stream._sock
        raw.sendall(buffer.getvalue())
        raw.shutdown(socket.SHUT_WR)
        while raw.recv(65536):
            pass
        stream.close()
        code = api.exec_inspect(exec_id).get("ExitCode")
        if code != 0:
            raise SandboxError(
                f"copying files into the sandbox failed (tar exit {code})", fix="retry; check disk space"
            )

    def copy_out(self, source: str, destination: Path, limit_bytes: int) -> bool:
        exec_id = self.client.api.exec_create(self.container.id, ["cat", "--", source], user=self.uid)["Id"]
        written = 0
        with destination.open("wb") as out:
            for stdout, _stderr in self.client.api.exec_start(exec_id, stream=True, demux=True):
                if stdout and written < limit_bytes:
                    out.write(stdout[: limit_bytes - written])
                    written += len(stdout)
        return bool(self.client.api.exec_inspect(exec_id).get("ExitCode") == 0)

    def trace_path(self, phase: str) -> str:
        return f"{self.trace_dir}/{phase}.log"

    # ------------------------------------------------------------------ commands

    def run(self, command: str, phase: str, timeout_s: float) -> CommandResult:
        argv = ["strace", *STRACE_ARGS, "-o", self.trace_path(phase), "--", "/bin/sh", "-c", command]
        exec_id = self.client.api.exec_create(self.container.id, argv, user=self.uid, workdir=self.workdir)["Id"]
        stdout: list[bytes] = []
        stderr: list[bytes] = []
        failure: list[BaseException] = []

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

        started = time.monotonic()
        stream = self.client.api.exec_start(exec_id, stream=True, demux=True)
        reader = threading.Thread(target=pump, args=(stream,), daemon=True)
        reader.start()
        deadline = started + timeout_s
        try:
            while reader.is_alive() and time.monotonic() < deadline:
                self.watchdog()
                reader.join(min(0.5, max(0.0, deadline - time.monotonic())))
        except BaseException:
            self.kill_user_processes()
            raise
        duration = time.monotonic() - started
        if reader.is_alive():
            self.kill_user_processes()
            reader.join(10)
            return CommandResult(CommandStatus.TIMEOUT, None, duration, _tail(stdout), _tail(stderr))
        if failure:
            raise SandboxError(f"lost the connection to the sandbox: {failure[0]}", fix="check that dockerd is running")
        exit_code = self.client.api.exec_inspect(exec_id).get("ExitCode")
        status = CommandStatus.OK if exit_code == 0 else CommandStatus.FAILED
        return CommandResult(status, exit_code, duration, _tail(stdout), _tail(stderr))

    def kill_user_processes(self) -> None:
        """Kill everything the target started (kill -1 spares the container's init)."""
        self.container.exec_run(["kill", "-KILL", "-1"], user=self.uid)

    def user_processes(self) -> int:
        """Processes the program left running (the container's own init not counted)."""
        listing = self.container.top(ps_args="-o pid,comm")
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
