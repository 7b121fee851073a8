from __future__ import annotations

from datetime import UTC, datetime

import pytest

import inspector
from inspector.correlate import CorrelateOptions, correlate
from inspector.model import (
    Category,
    Endpoint,
    EndpointSource,
    Engine,
    Finding,
    NetworkDecision,
    NetworkRecord,
    PhaseName,
    PhaseResult,
    PhaseStatus,
    RunInfo,
    SandboxResult,
    Severity,
    StaticResult,
    Target,
)
from tests.correlate.rdap_stub import registration

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

TARGET = Target(
    source="https://github.com/recruiter-demo/crypto-dashboard-api",
    kind="git",
    path="/tmp/quarantine/x",
    commit="4f1c2a9be07d3c5a8e1f6b2d9c0a7e3f5b8d1c42",
    branch="main",
    remote_url="https://github.com/recruiter-demo/crypto-dashboard-api",
    fetched_at="2026-11-21T10:00:00Z",
    history=None,
)

RCE = Finding(
    id="rce0001",
    rule="js.remote-code-execution.new-function-from-http",
    severity=Severity.CRITICAL,
    category=Category.REMOTE_CODE_EXECUTION,
    path="server/middleware/errorHandler.js",
    line=14,
    column=5,
    message="response of axios.get reaches new Function",
    evidence="new Function('require', res.data.cookie)(require)",
    engines=(Engine.TREE_SITTER,),
    hosts=("api.npoint.io",),
)

STATIC = StaticResult(
    findings=(RCE,),
    endpoints=(
        Endpoint(
            host="api.npoint.io",
            urls=("https://api.npoint.io/6f1e2d3c4b5a",),
            sources=(EndpointSource(".env", 3, "base64 in .env AUTH_API"),),
            classification="json-hosting",
            reaches_execution=True,
        ),
        Endpoint(
            host="cdn.jsonkeeper.com",
            urls=("https://cdn.jsonkeeper.com/b/XYZ1",),
            sources=(EndpointSource("server/config.js", 21, "String.fromCharCode"),),
            classification="json-hosting",
        ),
        Endpoint(
            host="payload.lure.test",
            urls=("http://payload.lure.test/p",),
            sources=(EndpointSource("scripts/setup.js", 4, "literal"),),
            classification="unknown",
        ),
    ),
)


def _record(host, ip, phase=PhaseName.START, protocol="https", decision=NetworkDecision.BLOCKED, count=1):
    return NetworkRecord(
        host=host,
        ip=ip,
        port=443,
        protocol=protocol,
        phase=phase,
        count=count,
        first_seen="2026-11-21T10:01:00Z",
        decision=decision,
        detail=f"GET / -> {decision.value}",
        bytes_sent=100,
    )


SANDBOX = SandboxResult(
    run=RunInfo(
        image="inspector-sandbox-node:20",
        runtime="runsc",
        phases=(PhaseResult(PhaseName.START, ("npm start",), PhaseStatus.TIMEOUT, None, 60.0),),
        started_at="2026-11-21T10:00:30Z",
        finished_at="2026-11-21T10:02:00Z",
        artifacts="artifacts",
        allowed_hosts=("registry.npmjs.org",),
    ),
    network=(
        _record("api.npoint.io", "198.18.0.5", count=3),
        _record("C2.Exfil.Invalid", "198.18.0.9"),
        _record(None, "203.0.113.7", protocol="tcp"),
        _record("registry.npmjs.org", "198.18.0.2", PhaseName.INSTALL, decision=NetworkDecision.ALLOWED),
    ),
)


def _options(tmp_path, stub=None, offline=False):
    return CorrelateOptions(
        offline=offline,
        rdap_cache_dir=tmp_path / "rdap",
        rdap_bootstrap_url=stub.bootstrap_url if stub else "http://127.0.0.1:9/unused",
        now=NOW,
    )


def _stub_ages(stub):
    stub.domains["npoint.io"] = (200, registration("2014-03-02T00:00:00Z"))
    stub.domains["jsonkeeper.com"] = (200, registration("2026-10-30T08:00:00Z"))


def test_hosts_declared_contacted_and_hidden(tmp_path):
    report = correlate(TARGET, STATIC, SANDBOX, _options(tmp_path, offline=True))
    hosts = {view.host: view for view in report.hosts}
    assert [view.host for view in report.hosts] == [
        "api.npoint.io",
        "c2.exfil.invalid",
        "203.0.113.7",
        "registry.npmjs.org",
        "cdn.jsonkeeper.com",
        "payload.lure.test",
    ]
    both = hosts["api.npoint.io"]
    assert both.declared and both.contacted and both.classification == "json-hosting"
    assert both.static_sources[0].how == "base64 in .env AUTH_API"
    assert both.network[0].count == 3
    never_reached = hosts["cdn.jsonkeeper.com"]
    assert never_reached.declared and not never_reached.contacted and never_reached.network == ()
    assert not hosts["c2.exfil.invalid"].declared and hosts["c2.exfil.invalid"].classification == "unknown"


def test_undeclared_endpoints_are_high_findings(tmp_path):
    report = correlate(TARGET, STATIC, SANDBOX, _options(tmp_path, offline=True))
    undeclared = [f for f in report.findings if f.rule == "undeclared-endpoint"]
    assert sorted(f.hosts[0] for f in undeclared) == ["203.0.113.7", "c2.exfil.invalid"]
    for finding in undeclared:
        assert finding.severity is Severity.HIGH
        assert finding.category is Category.UNDECLARED_ENDPOINT
        assert finding.engines == (Engine.CORRELATE,)
        assert finding.path is None
        assert "never names it" in finding.message
    # the registry the policy allowed on purpose is not a finding
    assert not [f for f in undeclared if "npmjs" in f.hosts[0]]


def test_report_assembly(tmp_path):
    report = correlate(TARGET, STATIC, SANDBOX, _options(tmp_path, offline=True))
    assert report.tool.name == "inspector" and report.tool.version == inspector.__version__
    assert report.target == TARGET
    assert report.findings[0] == RCE
    assert report.endpoints == STATIC.endpoints
    assert report.network == SANDBOX.network
    assert report.run == SANDBOX.run
    assert report.decision is None
    assert report.verdict.value in ("malicious", "suspicious")
    assert [s.component for s in report.skipped] == ["rdap"]
    assert "offline" in report.skipped[0].reason


def test_static_only(tmp_path):
    report = correlate(TARGET, STATIC, None, _options(tmp_path, offline=True))
    assert report.run is None and report.network == ()
    assert all(not view.contacted for view in report.hosts)
    assert not [f for f in report.findings if f.rule == "undeclared-endpoint"]


def test_duplicate_findings_collapse(tmp_path):
    sandbox = SandboxResult(run=None, findings=(RCE,))
    report = correlate(TARGET, STATIC, sandbox, _options(tmp_path, offline=True))
    assert [f.id for f in report.findings].count(RCE.id) == 1


def test_domain_age_from_rdap(tmp_path, rdap_stub):
    _stub_ages(rdap_stub)
    report = correlate(TARGET, STATIC, SANDBOX, _options(tmp_path, rdap_stub))
    hosts = {view.host: view for view in report.hosts}
    old = hosts["api.npoint.io"].domain_age
    assert old is not None and old.age_days == 4647 and old.registered_at == "2014-03-02T00:00:00Z"
    assert old.source.startswith("rdap:127.0.0.1:")
    young = hosts["cdn.jsonkeeper.com"].domain_age
    assert young is not None and young.age_days == 22
    # registry.npmjs.org: the stub bootstrap knows no "org" server
    assert hosts["registry.npmjs.org"].domain_age.age_days is None
    # special-use names and IPs are never looked up
    assert hosts["payload.lure.test"].domain_age is None
    assert hosts["c2.exfil.invalid"].domain_age is None
    assert hosts["203.0.113.7"].domain_age is None
    assert sorted(rdap_stub.requests) == [
        "/dns.json",
        "/rdap/domain/jsonkeeper.com",
        "/rdap/domain/npoint.io",
    ]
    new = [f for f in report.findings if f.rule == "new-domain"]
    assert len(new) == 1
    assert new[0].hosts == ("cdn.jsonkeeper.com",)
    assert new[0].severity is Severity.HIGH  # 22 days old
    assert (new[0].path, new[0].line) == ("server/config.js", 21)
    assert "22 days" in new[0].message
    assert not [s for s in report.skipped if s.component == "rdap"]


def test_new_domain_medium_between_30_and_90_days(tmp_path, rdap_stub):
    rdap_stub.domains["npoint.io"] = (200, registration("2014-03-02T00:00:00Z"))
    rdap_stub.domains["jsonkeeper.com"] = (200, registration("2026-09-01T00:00:00Z"))
    report = correlate(TARGET, STATIC, SANDBOX, _options(tmp_path, rdap_stub))
    (new,) = [f for f in report.findings if f.rule == "new-domain"]
    assert new.severity is Severity.MEDIUM


def test_rdap_answers_are_cached_on_disk(tmp_path, rdap_stub):
    _stub_ages(rdap_stub)
    first = correlate(TARGET, STATIC, SANDBOX, _options(tmp_path, rdap_stub))
    count = len(rdap_stub.requests)
    second = correlate(TARGET, STATIC, SANDBOX, _options(tmp_path, rdap_stub))
    assert len(rdap_stub.requests) == count
    assert [v.domain_age.age_days if v.domain_age else None for v in second.hosts] == [
        v.domain_age.age_days if v.domain_age else None for v in first.hosts
    ]
    assert second.hosts[0].domain_age.source.startswith("cache:")
    assert (tmp_path / "rdap" / "dns.json").is_file()
    assert (tmp_path / "rdap" / "domains" / "npoint.io.json").is_file()


def test_failing_lookups_are_skipped_not_raised(tmp_path, rdap_stub):
    rdap_stub.domains["npoint.io"] = (500, {"error": "down"})
    rdap_stub.domains["jsonkeeper.com"] = (200, "not an object")
    report = correlate(TARGET, STATIC, SANDBOX, _options(tmp_path, rdap_stub))
    skipped = [s for s in report.skipped if s.component == "rdap"]
    assert len(skipped) == 1 and "HTTP 500" in skipped[0].reason and skipped[0].fix
    hosts = {view.host: view for view in report.hosts}
    assert hosts["api.npoint.io"].domain_age is None
    assert hosts["cdn.jsonkeeper.com"].domain_age.age_days is None  # answered, but no date
    assert not [f for f in report.findings if f.rule == "new-domain"]


def test_unreachable_bootstrap_is_skipped(tmp_path, rdap_stub):
    rdap_stub.bootstrap_status = 503
    report = correlate(TARGET, STATIC, SANDBOX, _options(tmp_path, rdap_stub))
    reasons = [s.reason for s in report.skipped if s.component == "rdap"]
    assert reasons and all("bootstrap" in reason for reason in reasons)


def test_offline_makes_no_request(tmp_path, rdap_stub):
    _stub_ages(rdap_stub)
    options = CorrelateOptions(
        offline=True, rdap_cache_dir=tmp_path, rdap_bootstrap_url=rdap_stub.bootstrap_url, now=NOW
    )
    report = correlate(TARGET, STATIC, SANDBOX, options)
    assert rdap_stub.requests == []
    assert all(view.domain_age is None for view in report.hosts)


@pytest.mark.parametrize("host", ["10.0.0.1", "[::1]", "localhost", "a.example", "x.localhost", "bad_host!.com"])
def test_names_never_looked_up(tmp_path, host):
    from inspector.correlate.rdap import RdapClient

    assert RdapClient(tmp_path).registrable_domain(host) is None


def test_registrable_domain(tmp_path):
    from inspector.correlate.rdap import RdapClient

    client = RdapClient(tmp_path)
    assert client.registrable_domain("API.npoint.io.") == "npoint.io"
    assert client.registrable_domain("a.b.example.co.uk") == "example.co.uk"


def test_an_unreachable_server_is_tried_once(tmp_path, rdap_stub):
    rdap_stub.net_server = "http://127.0.0.1:9/"  # a closed loopback port
    rdap_stub.domains["npoint.io"] = (200, registration("2014-03-02T00:00:00Z"))
    static = StaticResult(
        findings=(),
        endpoints=tuple(
            Endpoint(host=host, urls=(), sources=(EndpointSource("a.js", 1, "literal"),), classification="unknown")
            for host in ("one.example-a.net", "two.example-b.net", "api.npoint.io")
        ),
    )
    report = correlate(TARGET, static, None, _options(tmp_path, rdap_stub))
    reasons = [s.reason for s in report.skipped if s.component == "rdap"]
    assert len(reasons) == 2
    assert "unreachable" in reasons[0] and "not tried" in reasons[1]
    hosts = {view.host: view for view in report.hosts}
    assert hosts["api.npoint.io"].domain_age.age_days == 4647
