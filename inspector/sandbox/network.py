"""The sandbox's one way out: an internal bridge whose every packet is steered to the recorder.

All enforcement lives on the host, outside the sandbox's reach, on the host side of the bridge,
so it holds for runc and for gVisor (whose netstack bypasses iptables inside its own netns):

* nat PREROUTING on the bridge: all TCP (any port) -> the recorder's transparent listener,
  UDP 53 -> the recorder's DNS listener;
* INPUT from the bridge: only those two listeners, everything else dropped (Docker >= 25 lets
  ``--internal`` networks reach the host, moby#47481);
* FORWARD to or from the bridge: dropped (no other container, no LAN, no internet);
* IPv6 on the bridge: dropped.

Rules live in chains named after the run id, so removing a run's rules is exact and a killed
run's chains are found and removed by :func:`remove_stale_chains`.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
from dataclasses import dataclass

from inspector.errors import SandboxError

CHAIN_PREFIX = "INSP-"
_CHAIN_RE = re.compile(r"^-N (INSP-([0-9a-f]{8})-[A-Z0-9]+)$", re.MULTILINE)

# (table, built-in chain, our chain suffix, match on the bridge)
_HOOKS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("nat", "PREROUTING", "PRE", ("-i",)),
    ("filter", "INPUT", "IN", ("-i",)),
    ("filter", "FORWARD", "FWD", ("-i", "-o")),
)
_HOOKS6: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("filter", "INPUT", "IN6", ("-i",)),
    ("filter", "FORWARD", "FWD6", ("-i", "-o")),
)


def _iptables(binary: str, *args: str) -> str:
    result = subprocess.run([binary, "-w", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SandboxError(
            f"{binary} {' '.join(args)} failed: {result.stderr.strip()}",
            fix="run inspector as root on a host with iptables (apt-get install iptables)",
        )
    return result.stdout


def iptables_available() -> str | None:
    """None when iptables can be used here, else why not."""
    if shutil.which("iptables") is None:
        return "iptables is not installed"
    result = subprocess.run(["iptables", "-w", "-S", "INPUT"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return f"iptables cannot be used: {result.stderr.strip() or 'permission denied (run as root)'}"
    return None


@dataclass(frozen=True)
class BridgeRules:
    """The host-side rules for one run's bridge."""

    run_id: str
    bridge: str
    gateway: str
    subnet: str
    tcp_port: int  # recorder's transparent listener
    dns_port: int  # recorder's DNS listener

    def chain(self, suffix: str) -> str:
        return f"{CHAIN_PREFIX}{self.run_id}-{suffix}"

    def install(self) -> None:
        ipaddress.ip_network(self.subnet)  # refuse anything that is not a network before touching rules
        pre, inp, fwd = self.chain("PRE"), self.chain("IN"), self.chain("FWD")
        _iptables("iptables", "-t", "nat", "-N", pre)
        _iptables("iptables", "-t", "nat", "-A", pre, "-p", "tcp", "-j", "REDIRECT", "--to-ports", str(self.tcp_port))
        _iptables(
            "iptables",
            "-t",
            "nat",
            "-A",
            pre,
            "-p",
            "udp",
            "--dport",
            "53",
            "-j",
            "REDIRECT",
            "--to-ports",
            str(self.dns_port),
        )
        _iptables("iptables", "-N", inp)
        _iptables("iptables", "-A", inp, "-p", "tcp", "-d", self.gateway, "--dport", str(self.tcp_port), "-j", "ACCEPT")
        _iptables("iptables", "-A", inp, "-p", "udp", "-d", self.gateway, "--dport", str(self.dns_port), "-j", "ACCEPT")
        _iptables("iptables", "-A", inp, "-j", "DROP")
        _iptables("iptables", "-N", fwd)
        _iptables("iptables", "-A", fwd, "-j", "DROP")
        for table, builtin, suffix, directions in _HOOKS:
            for direction in directions:
                _iptables("iptables", "-t", table, "-I", builtin, "1", direction, self.bridge, "-j", self.chain(suffix))
        if shutil.which("ip6tables") is not None:
            for _table, builtin, suffix, directions in _HOOKS6:
                _iptables("ip6tables", "-N", self.chain(suffix))
                _iptables("ip6tables", "-A", self.chain(suffix), "-j", "DROP")
                for direction in directions:
                    _iptables("ip6tables", "-I", builtin, "1", direction, self.bridge, "-j", self.chain(suffix))


def _remove_chains(binary: str, run_ids: set[str] | None) -> int:
    """Unhook and delete our chains (those of ``run_ids``, or all of ours when None)."""
    removed = 0
    for table in ("nat", "filter"):
        listing = _iptables(binary, "-t", table, "-S")
        ours = {name for name, run in _CHAIN_RE.findall(listing) if run_ids is None or run in run_ids}
        if not ours:
            continue
        for line in listing.splitlines():
            parts = line.split()
            if len(parts) > 2 and parts[0] == "-A" and parts[-2] == "-j" and parts[-1] in ours:
                if parts[1] in ours:
                    continue
                _iptables(binary, "-t", table, "-D", *parts[1:])
        for name in sorted(ours):
            _iptables(binary, "-t", table, "-F", name)
            _iptables(binary, "-t", table, "-X", name)
            removed += 1
    return removed


def remove_chains(run_id: str) -> None:
    _remove_chains("iptables", {run_id})
    if shutil.which("ip6tables") is not None:
        _remove_chains("ip6tables", {run_id})


def remove_stale_chains(live_run_ids: set[str]) -> int:
    """Remove chains of runs that are no longer alive; returns how many chains went."""
    removed = 0
    for binary in ("iptables", "ip6tables"):
        if shutil.which(binary) is None:
            continue
        listing = _iptables(binary, "-t", "nat", "-S") + _iptables(binary, "-t", "filter", "-S")
        stale = {run for _name, run in _CHAIN_RE.findall(listing) if run not in live_run_ids}
        if stale:
            removed += _remove_chains(binary, stale)
    return removed


def chains_of_ours() -> list[str]:
    """Every chain inspector created that still exists (for checks after a run)."""
    names: list[str] = []
    for binary in ("iptables", "ip6tables"):
        if shutil.which(binary) is None:
            continue
        for table in ("nat", "filter"):
            names += [name for name, _run in _CHAIN_RE.findall(_iptables(binary, "-t", table, "-S"))]
    return names
