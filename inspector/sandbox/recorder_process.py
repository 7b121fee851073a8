"""Runs the recorder (``mitmdump`` with our addon) on the host, for one run, and watches it.

The recorder binds only to the run's bridge gateway address. Its CA is created per run in the
run directory (the key never enters the sandbox) with an ordinary-looking corporate name,
because malware looks for "mitmproxy" in the trust store. If mitmdump exits, the run stops
(fail closed): its listeners vanish with it, so nothing can pass while it is down.
"""

from __future__ import annotations

import ctypes
import json
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from mitmproxy.certs import CertStore

from inspector.errors import SandboxError

ADDON = Path(__file__).parent / "recorder" / "addon.py"
PR_SET_PDEATHSIG = 1
CA_BASENAME = "mitmproxy"  # mitmproxy's file naming in its confdir; not what the certificate says
_CA_NAMES = (
    ("Northwind Systems", "Northwind Systems Root CA"),
    ("Contoso IT", "Contoso Internal Root CA 2"),
    ("Fabrikam Corp", "Fabrikam Enterprise Root CA"),
)


def _die_with_parent() -> None:
    """Runs in the child before exec: if inspector is killed outright, the recorder goes too."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def mitmdump_path() -> Path:
    """mitmdump from the same environment as inspector."""
    return Path(sys.executable).parent / "mitmdump"


def free_port(host: str, kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class Recorder:
    def __init__(self, run_dir: Path, listen_ip: str, config: dict[str, Any]) -> None:
        self.dir = run_dir / "recorder"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.listen_ip = listen_ip
        self.tcp_port = free_port(listen_ip, socket.SOCK_STREAM)
        self.dns_port = free_port(listen_ip, socket.SOCK_DGRAM)
        self.events = self.dir / "events.jsonl"
        self.phase_file = self.dir / "phase"
        self.confdir = self.dir / "conf"
        self.config = {
            **config,
            "events": str(self.events),
            "phase_file": str(self.phase_file),
            "recorder_ips": [listen_ip],
            "dns_listen": [listen_ip, self.dns_port],
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.dir / "mitmdump.log"
        self.current_phase = "setup"

    @property
    def ca_cert_pem(self) -> str:
        return (self.confdir / f"{CA_BASENAME}-ca-cert.pem").read_text()

    def set_phase(self, phase: str) -> None:
        self.current_phase = phase
        temporary = self.phase_file.with_suffix(".tmp")
        temporary.write_text(phase)
        temporary.replace(self.phase_file)

    def launch(self) -> None:
        """Create the CA and start mitmdump; ``wait_ready`` before the sandbox may send anything."""
        binary = mitmdump_path()
        if not binary.exists():
            raise SandboxError(
                f"mitmdump not found next to the Python running inspector ({binary})",
                fix="install inspector with its dependencies (pip install -e .) so mitmproxy is in the same venv",
            )
        organization, common_name = secrets.choice(_CA_NAMES)
        CertStore.create_store(self.confdir, CA_BASENAME, 2048, organization=organization, cn=common_name)
        config_path = self.dir / "config.json"
        config_path.write_text(json.dumps(self.config))
        self.set_phase("setup")
        command = [
            str(binary),
            "--quiet",
            "--mode",
            f"transparent@{self.listen_ip}:{self.tcp_port}",
            "--set",
            f"confdir={self.confdir}",
            "--set",
            "connection_strategy=lazy",
            "--set",
            "upstream_cert=false",
            "--set",
            "termlog_verbosity=warn",
            "-s",
            str(ADDON),
            "--set",
            f"inspector_config={config_path}",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent
            )

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.check()
            if self.events.exists() and '"recorder-ready"' in self.events.read_text():
                return
            time.sleep(0.1)
        raise SandboxError(
            f"the recorder did not start within {timeout_s:.0f} s (log: {self.log})",
            fix="check that mitmproxy works: .venv/bin/mitmdump --version",
        )

    def check(self) -> None:
        """Raise when the recorder is no longer recording."""
        if self.process is None:
            raise SandboxError("the recorder is not running", fix="this is a bug in inspector; report it")
        code = self.process.poll()
        if code is not None:
            tail = self.log.read_text(errors="replace")[-800:] if self.log.exists() else ""
            raise SandboxError(
                f"the recorder stopped (exit {code}); the run was aborted so nothing went unrecorded: {tail}",
                fix=f"see {self.log}; check free disk space in the run directory",
            )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
