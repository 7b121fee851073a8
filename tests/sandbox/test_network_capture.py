"""The sandbox's network: every attempt recorded, blocked by default, forwarded only when asked."""

from __future__ import annotations

import hashlib

import pytest

from inspector.model.report import Category, NetworkDecision, PhaseName, PhaseStatus
from inspector.model.stages import PlannedPhase
from inspector.sandbox import SandboxOptions
from inspector.sandbox.images import NODE_IMAGE
from inspector.static import scan_payload

from .conftest import C2_PAYLOAD, both_runtimes

pytestmark = pytest.mark.sandbox


def _rows(result, host=None, protocol=None):
    return [
        r for r in result.network if (host is None or r.host == host) and (protocol is None or r.protocol == protocol)
    ]


def test_allowed_fetch_from_c2_is_logged_saved_and_rescanned(run_sample, fake_c2):
    options = SandboxOptions(timeout_s=60, linger_s=1, allow=("c2.test",), resolve=(("c2.test", fake_c2.ip),))
    run = run_sample(("fetch_stage2.py",), ("python3 fetch_stage2.py",), options)

    (row,) = _rows(run.result, "c2.test", "http")
    assert row.decision is NetworkDecision.ALLOWED
    assert row.port == 8000 and row.phase is PhaseName.START
    assert "GET /pdown -> 200" in row.detail and "(fake)" not in row.detail
    (payload,) = run.result.payloads
    saved = (run.run_dir / payload.artifact).read_bytes()
    assert saved == C2_PAYLOAD
    assert payload.sha256 == hashlib.sha256(C2_PAYLOAD).hexdigest()
    assert payload.url == "http://c2.test:8000/pdown"
    findings = scan_payload(saved, payload.artifact.rsplit("/", 1)[-1], payload.url)
    assert any(f.category is Category.PAYLOAD for f in findings)
    assert fake_c2.requests_seen() == ["REQUEST /pdown"]
    assert run.result.run.policy == "allow-list"


@both_runtimes
def test_default_mode_blocks_the_fetch_and_delivers_nothing(run_sample, fake_c2, runtime):
    before = len(fake_c2.requests_seen())
    run = run_sample(("fetch_stage2.py",), ("python3 fetch_stage2.py",), SandboxOptions(timeout_s=60, linger_s=1))

    (row,) = _rows(run.result, "c2.test", "http")
    assert row.decision is NetworkDecision.BLOCKED
    assert "GET /pdown -> 200 (fake)" in row.detail
    (dns,) = _rows(run.result, "c2.test", "dns")
    assert dns.ip is not None and dns.ip.startswith("198.1")
    assert run.result.payloads == ()
    assert len(fake_c2.requests_seen()) == before
    assert all(e["sink"] for e in run.events("upstream"))
    assert run.result.run.policy == "block"
    # The report says which runtime ran; under runc it says loudly what is weaker and how to fix it.
    assert run.result.run.runtime == runtime
    assert (runtime == "runsc") != any(s.component == "sandbox:gvisor" for s in run.result.skipped)
    assert run.result.run.trace_origin == ("gvisor-sentry" if runtime == "runsc" else "strace-in-container")


@both_runtimes
def test_raw_tcp_loader_name_and_port_logged(run_sample, runtime):
    run = run_sample(
        ("raw_loader.js",), ("node raw_loader.js",), SandboxOptions(timeout_s=60, linger_s=1), image=NODE_IMAGE
    )

    (row,) = _rows(run.result, "loader.test", "tcp")
    assert row.port == 1224
    assert row.decision is NetworkDecision.BLOCKED
    assert "hid=103_workstation" in row.detail
    assert _rows(run.result, "loader.test", "dns")
    assert any(p.argv[:2] == ("node", "raw_loader.js") for p in run.result.run.processes)


@both_runtimes
def test_probes_end_recorded_as_blocked_and_nothing_leaves(run_sample, fake_c2, runtime):
    before = len(fake_c2.requests_seen())
    hang = PlannedPhase(PhaseName.TEST, ("sleep 600",), "test: a command that outlives its limit")
    run = run_sample(
        ("probes.py",),
        (f"python3 probes.py {fake_c2.ip}",),
        SandboxOptions(timeout_s=8, linger_s=1),
        extra_phases=(hang,),
    )
    result = run.result
    network = result.network

    def blocked(predicate, what):
        rows = [r for r in network if predicate(r)]
        assert rows, f"{what} was not recorded: {network}"
        assert all(r.decision is NetworkDecision.BLOCKED for r in rows), what

    gateway = run.events("refused")[0]["ip"]
    blocked(lambda r: r.protocol == "unix" and "docker.sock" in (r.host or ""), "docker socket")
    blocked(lambda r: r.ip == gateway and r.port == 22, "host bridge address")
    blocked(lambda r: r.ip == fake_c2.ip and r.port == 8000, "other container")
    blocked(lambda r: r.ip == "169.254.169.254" and r.protocol == "http", "metadata address")
    blocked(lambda r: r.ip == "198.18.200.1" and r.port == 1224, "raw IP literal")
    blocked(lambda r: r.protocol == "ipv6" and r.ip == "2001:db8::10", "IPv6")
    blocked(lambda r: r.protocol == "dns" and r.host == "exfil-probe.tunnel.test" and "TXT" in r.detail, "DNS TXT")
    blocked(lambda r: r.protocol == "udp" and r.ip == "198.18.9.9", "other UDP")
    assert all(r.decision is NetworkDecision.BLOCKED for r in network)
    # Nothing left the machine: every connection the recorder opened went to its own sink,
    # and the lab container (reachable from the host) saw no request.
    assert run.events("upstream") and all(e["sink"] for e in run.events("upstream"))
    assert len(fake_c2.requests_seen()) == before
    start, hung = result.run.phases
    assert start.status is PhaseStatus.OK
    assert hung.status is PhaseStatus.TIMEOUT and hung.exit_code is None
