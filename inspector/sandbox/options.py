"""What the user chooses about a sandboxed run; light to import (no engine, no SDK)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxOptions:
    runtime: str = "auto"  # "auto" | "runc" | "runsc"
    timeout_s: float = 120.0  # wall clock per phase, enforced from outside
    linger_s: float = 45.0  # after start, while the program's processes live (loaders wait to call home)
    allow: tuple[str, ...] = ()  # hosts forwarded for real
    allow_all: bool = False  # forward everything (loudly labelled live mode)
    resolve: tuple[tuple[str, str], ...] = ()  # (host, ip): where an allowed host really goes
    memory: str = "2g"
    cpus: float = 1.0
    pids: int = 512
    keep_artifacts: bool = True  # False: delete traces and bodies from the run dir after the report
