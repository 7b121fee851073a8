"""Shared fixtures. Tests that need the container engine use ``sandbox_ready``: without an engine
they skip loudly with the reason; with INSPECTOR_REQUIRE_SANDBOX=1 (CI) they fail instead."""

from __future__ import annotations

import os

import pytest


def sandbox_unavailable_reason() -> str | None:
    import docker
    import docker.errors

    from inspector.sandbox import network

    if os.geteuid() != 0:
        return "not running as root (the capture needs host iptables rules and a bridge sniffer)"
    problem = network.iptables_available()
    if problem is not None:
        return str(problem)
    try:
        docker.from_env(timeout=10).ping()
    except docker.errors.DockerException as err:
        return f"no container engine reachable ({err}); start dockerd (scripts/engine)"
    return None


@pytest.fixture(scope="session")
def sandbox_ready() -> None:
    reason = sandbox_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("INSPECTOR_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"INSPECTOR_REQUIRE_SANDBOX=1 but the sandbox cannot run: {reason}")
    print(f"\n*** SANDBOX TESTS SKIPPED: {reason} ***")
    pytest.skip(f"SANDBOX TESTS SKIPPED: {reason}")
