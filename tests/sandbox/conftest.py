"""Fixtures for tests that need the real container engine, the host firewall and root.

Without them the tests skip loudly with the reason; with INSPECTOR_REQUIRE_SANDBOX=1 (CI) they
fail instead, so a CI machine that lost its engine cannot pass by skipping.

Runtime: every test runs under gVisor (``runsc``) when the engine has it registered, and fails
(rather than quietly using runc) when gVisor was expected: INSPECTOR_REQUIRE_SANDBOX=1, or
INSPECTOR_SANDBOX_RUNTIME=runsc. Tests that matter under both runtimes take ``runtime`` as a
parameter (``@both_runtimes``); INSPECTOR_SANDBOX_RUNTIME=runc runs the rest under runc.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors
import docker.models.containers
import pytest

from inspector.errors import SandboxError
from inspector.model.report import PhaseName
from inspector.model.stages import PlannedPhase, RunPlan, SandboxResult
from inspector.progress import SilentProgress
from inspector.sandbox import SandboxOptions, build_images, execute, network
from inspector.sandbox.docker import LABEL, RUN_LABEL, labels, runsc_processes
from inspector.sandbox.images import PYTHON_IMAGE

SAMPLES = Path(__file__).parent / "samples"
C2_RUN = "test-c2"
# The stand-in C2 answers /pdown with a harmless "second stage" that only logs "stage2", written
# the way loaders hide code (base64 then eval) so the static rescan has something to find.
C2_PAYLOAD = b"const s = Buffer.from('Y29uc29sZS5sb2coJ3N0YWdlMicp', 'base64').toString();\neval(s);\n"
C2_SERVER = f"""
import http.server, sys
PAYLOAD = {C2_PAYLOAD!r}
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("REQUEST", self.path, flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "application/javascript")
        self.end_headers()
        self.wfile.write(PAYLOAD)
http.server.HTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
"""


both_runtimes = pytest.mark.parametrize("runtime", ["runsc", "runc"])


def expected_runtime(client: docker.DockerClient) -> str:
    chosen = os.environ.get("INSPECTOR_SANDBOX_RUNTIME")
    if chosen:
        return chosen
    if os.environ.get("INSPECTOR_REQUIRE_SANDBOX") == "1":
        return "runsc"
    return "runsc" if "runsc" in (client.info().get("Runtimes") or {}) else "runc"


@pytest.fixture
def runtime(engine: docker.DockerClient) -> str:
    """The runtime a test runs under (parametrized to both by ``both_runtimes``)."""
    return expected_runtime(engine)


def _why_no_engine() -> str | None:
    if os.geteuid() != 0:
        return "not running as root (the capture needs host iptables rules and a bridge sniffer)"
    if network.iptables_available() is not None:
        return str(network.iptables_available())
    try:
        docker.from_env(timeout=10).ping()
    except docker.errors.DockerException as err:
        return f"no container engine reachable ({err}); start dockerd"
    return None


@pytest.fixture(scope="session")
def engine() -> Iterator[docker.DockerClient]:
    reason = _why_no_engine()
    if reason is not None:
        if os.environ.get("INSPECTOR_REQUIRE_SANDBOX") == "1":
            pytest.fail(f"INSPECTOR_REQUIRE_SANDBOX=1 but the sandbox cannot run: {reason}")
        print(f"\n*** SANDBOX TESTS SKIPPED: {reason} ***")
        pytest.skip(f"SANDBOX TESTS SKIPPED: {reason}")
    client = docker.from_env(timeout=120)
    build_images(SilentProgress(), client=client)
    yield client
    # After the whole suite (the lab C2 is torn down before this): nothing of ours remains.
    remaining = leftovers(client, keep_run=None)
    assert remaining == [], f"left behind after the sandbox tests: {remaining}"


@dataclass(frozen=True)
class FakeC2:
    ip: str
    container: docker.models.containers.Container

    def requests_seen(self) -> list[str]:
        logs = self.container.logs().decode(errors="replace")
        return [line for line in logs.splitlines() if line.startswith("REQUEST")]


@pytest.fixture(scope="session")
def fake_c2(engine: docker.DockerClient) -> Iterator[FakeC2]:
    """A lab 'C2' this test owns, on its own internal network: only the host can reach it."""
    suffix = secrets.token_hex(3)
    lab = engine.networks.create(f"inspector-test-c2-{suffix}", driver="bridge", internal=True, labels=labels(C2_RUN))
    container = engine.containers.run(
        PYTHON_IMAGE,
        ["python3", "-u", "-c", C2_SERVER],
        detach=True,
        name=f"inspector-test-c2-{suffix}",
        network=lab.name,
        labels=labels(C2_RUN),
        cap_drop=["ALL"],
        security_opt=["no-new-privileges:true"],
        read_only=True,
    )
    try:
        container.reload()
        ip = container.attrs["NetworkSettings"]["Networks"][lab.name]["IPAddress"]
        for _ in range(100):
            if "Serving" in container.logs().decode() or _port_open(ip, 8000):
                break
            time.sleep(0.1)
        yield FakeC2(ip=ip, container=container)
    finally:
        container.remove(force=True)
        lab.remove()


def _port_open(ip: str, port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((ip, port)) == 0


def leftovers(client: docker.DockerClient, keep_run: str | None = C2_RUN) -> list[str]:
    """Labelled resources (but those of ``keep_run``, the lab C2 by default), and our iptables chains."""
    found = [
        f"container {c.name}"
        for c in client.containers.list(all=True, filters={"label": LABEL})
        if keep_run is None or c.labels.get(RUN_LABEL) != keep_run
    ]
    found += [
        f"network {n.name}"
        for n in client.networks.list(filters={"label": LABEL})
        if keep_run is None or (n.attrs.get("Labels") or {}).get(RUN_LABEL) != keep_run
    ]
    found += [f"volume {v.name}" for v in client.volumes.list(filters={"label": LABEL})]
    found += [f"iptables chain {name}" for name in network.chains_of_ours()]
    found += [f"runsc process {pid} of container {cid[:12]}" for pid, cid in runsc_processes().items()]
    found += [f"containerd-shim {pid} without a container" for pid in orphan_shims(client)]
    return found


def orphan_shims(client: docker.DockerClient) -> list[int]:
    """containerd-shim processes serving no container dockerd knows (a leak; zombies excluded)."""
    known = {c.id for c in client.containers.list(all=True)}
    orphans: list[int] = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if not args or not args[0].endswith(b"containerd-shim-runc-v2"):
            continue
        ids = [a.decode() for a in args if len(a) == 64]
        if ids and not set(ids) & known:
            orphans.append(int(proc.name))
    return orphans


@dataclass(frozen=True)
class Run:
    result: SandboxResult
    run_dir: Path

    def events(self, kind: str) -> list[dict[str, object]]:
        import json

        lines = (self.run_dir / "recorder" / "events.jsonl").read_text().splitlines()
        return [e for e in map(json.loads, lines) if e.get("event") == kind]


@pytest.fixture
def run_sample(engine: docker.DockerClient, tmp_path: Path, runtime: str):
    """Copy samples into a fresh workspace, execute commands as the start phase, check cleanup."""

    def go(
        samples: tuple[str, ...],
        commands: tuple[str, ...],
        options: SandboxOptions,
        image: str = PYTHON_IMAGE,
        extra_phases: tuple[PlannedPhase, ...] = (),
    ) -> Run:
        workspace = tmp_path / "workspace"
        workspace.mkdir()
        for name in samples:
            shutil.copy(SAMPLES / name, workspace / name)
        run_dir = tmp_path / "run"
        run_dir.mkdir()
        plan = RunPlan(
            ecosystem="generic",
            image=image,
            phases=(PlannedPhase(PhaseName.START, commands, "test"), *extra_phases),
        )
        # An explicit runtime: a gVisor that does not start fails the test instead of falling back.
        options = dataclasses.replace(options, runtime=runtime)
        try:
            result = execute(workspace, plan, options, run_dir, SilentProgress())
        finally:
            assert leftovers(engine) == []
        assert result.run.runtime == runtime
        return Run(result, run_dir)

    return go


__all__ = ["C2_PAYLOAD", "FakeC2", "Run", "SandboxError", "both_runtimes", "leftovers"]
