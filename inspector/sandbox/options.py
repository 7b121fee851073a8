"""What the user chooses about a sandboxed run; light to import (no engine, no SDK)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxOptions:
    runtime: str = "auto"  # "auto" (gVisor when its probe passes, else runc with a loud warning) | "runc" | "runsc"
    require_gvisor: bool = False  # refuse to run when gVisor cannot be used
    timeout_s: float = 120.0  # wall clock per phase, enforced from outside
    linger_s: float = 45.0  # after start, while the program's processes live (loaders wait to call home)
    allow: tuple[str, ...] = ()  # hosts forwarded for real
    allow_all: bool = False  # forward everything (loudly labelled live mode)
    resolve: tuple[tuple[str, str], ...] = ()  # (host, ip): where an allowed host really goes
    memory: str = "2g"
    cpus: float = 1.0
    pids: int = 512
    home_size: str = "1g"  # the sandbox home and workspace: a tmpfs of this size (a hard limit)
    tmp_size: str = "512m"  # /tmp and /var/tmp, each
    keep_artifacts: bool = True  # False: delete traces and bodies from the run dir after the report
