"""Sandbox benchmarks (not a test): warm start and recorder overhead. Needs root and dockerd.

    sudo .venv/bin/python bench/sandbox_bench.py [--runs 5] [--requests 200]

Warm start: from calling ``execute()`` (images present) to the first process of the target
command (first execve in the phase's trace: strace in the container under runc, gVisor's own
log under runsc), per runtime that works here. Both loops run under each runtime. Recorder overhead: the
same download loop (N GETs of a 64 KiB body from a lab server container) run (a) in a plain
container on the lab network, (b) in the sandbox with the lab host allowed through the recorder,
(c) in the sandbox in default block mode (fake answers, nothing leaves).
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import docker

from inspector.model.report import PhaseName
from inspector.model.stages import PlannedPhase, RunPlan
from inspector.progress import SilentProgress
from inspector.sandbox import SandboxOptions, build_images, execute
from inspector.sandbox.docker import choose_runtime, labels
from inspector.sandbox.images import PYTHON_IMAGE

SERVER = """
import http.server
BODY = b"x" * 65536
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", str(len(BODY))); self.end_headers()
        self.wfile.write(BODY)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("0.0.0.0", 8000), H).serve_forever()
"""
LOOP = """
import sys, time, urllib.request
url, n = sys.argv[1], int(sys.argv[2])
start = time.monotonic()
for _ in range(n):
    with urllib.request.urlopen(url, timeout=10) as r:
        r.read()
print(f"LOOP {time.monotonic() - start:.3f}")
"""
FIRST_EXEC = re.compile(r"^\d+\s+(\d\d):(\d\d):(\d\d\.\d+) execve\(", re.MULTILINE)


def _loop_seconds(text: str) -> float:
    match = re.search(r"LOOP ([0-9.]+)", text)
    if match is None:
        raise RuntimeError(f"loop did not finish: {text[-300:]}")
    return float(match.group(1))


def warm_start(runtime: str, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            workspace, run_dir = Path(scratch, "ws"), Path(scratch, "run")
            workspace.mkdir()
            run_dir.mkdir()
            (workspace / "main.py").write_text("print('hi')\n")
            plan = RunPlan("python", PYTHON_IMAGE, (PlannedPhase(PhaseName.START, ("python3 main.py",), "bench"),))
            started = time.time()
            execute(workspace, plan, SandboxOptions(runtime=runtime, linger_s=0), run_dir, SilentProgress())
            trace = (run_dir / "artifacts" / "trace-start.log").read_text()
            hours, minutes, seconds = FIRST_EXEC.search(trace).groups()
            day = datetime.fromtimestamp(started).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
            samples.append(day + int(hours) * 3600 + int(minutes) * 60 + float(seconds) - started)
    return samples


def recorder_overhead(client: docker.DockerClient, requests: int, runtime: str) -> dict[str, float]:
    suffix = secrets.token_hex(3)
    lab = client.networks.create(f"inspector-bench-{suffix}", internal=True, labels=labels("bench"))
    server = client.containers.run(
        PYTHON_IMAGE, ["python3", "-c", SERVER], detach=True, network=lab.name, labels=labels("bench")
    )
    try:
        server.reload()
        ip = server.attrs["NetworkSettings"]["Networks"][lab.name]["IPAddress"]
        time.sleep(1)
        direct = client.containers.run(
            PYTHON_IMAGE,
            ["python3", "-c", LOOP, f"http://{ip}:8000/", str(requests)],
            network=lab.name,
            labels=labels("bench"),
            runtime=runtime,
            remove=True,
        )
        results = {"direct container": _loop_seconds(direct.decode())}
        for name, options in (
            (
                "sandbox, allowed via recorder",
                SandboxOptions(runtime=runtime, allow=("lab.test",), resolve=(("lab.test", ip),)),
            ),
            ("sandbox, blocked (fake answers)", SandboxOptions(runtime=runtime)),
        ):
            with tempfile.TemporaryDirectory() as scratch:
                workspace, run_dir = Path(scratch, "ws"), Path(scratch, "run")
                workspace.mkdir()
                run_dir.mkdir()
                (workspace / "loop.py").write_text(LOOP)
                command = f"python3 loop.py http://lab.test:8000/ {requests}"
                plan = RunPlan("python", PYTHON_IMAGE, (PlannedPhase(PhaseName.START, (command,), "bench"),))
                result = execute(workspace, plan, options, run_dir, SilentProgress())
                results[name] = _loop_seconds(result.run.phases[0].stdout_tail)
        return results
    finally:
        server.remove(force=True)
        lab.remove()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    client = docker.from_env()
    started = time.monotonic()
    built = build_images(SilentProgress(), client=client)
    print(f"images: built {built or 'nothing (all present)'} in {time.monotonic() - started:.1f} s")
    for runtime in ("runc", "runsc"):
        chosen, why = choose_runtime(client, "auto" if runtime == "runsc" else runtime, PYTHON_IMAGE)
        if chosen != runtime:
            print(f"{runtime}: not measured ({why})")
            continue
        samples = warm_start(runtime, args.runs)
        print(
            f"warm start {runtime}: median {statistics.median(samples):.2f} s, "
            f"min {min(samples):.2f} s, max {max(samples):.2f} s over {len(samples)} runs"
        )
        for name, seconds in recorder_overhead(client, args.requests, runtime).items():
            print(
                f"{runtime}: download loop, {args.requests} x 64 KiB, {name}: {seconds:.2f} s "
                f"({seconds / args.requests * 1000:.1f} ms/request)"
            )


if __name__ == "__main__":
    main()
