"""Fuzz the static engine: bytes -> one file (.js, .py, package.json, .env, tasks.json, text, .woff2,
.ts; the first byte picks the name) -> the per-file checks a scan runs, in process: the text checks,
the tree-sitter visitors (flow and endpoints), the auto-run surfaces and the module graph.

Any exception escaping them is a crash: the stage promises a finding, never a traceback.

    python tests/fuzz/fuzz_static.py -max_total_time=600 CORPUS_DIR   # atheris (libFuzzer flags)
    FUZZ_SECONDS=60 python tests/fuzz/fuzz_static.py                   # without atheris: a
        bounded random-mutation loop over the seed corpus (printed loudly)

The seed corpus is tests/fuzz/corpus/static (one small defanged file per name, hosts under .test).
Give libFuzzer a copy of it: it writes new inputs into that directory.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from fuzzloop import WORK, fuzz

try:
    import atheris
except ImportError:  # pragma: no cover - the fallback is exercised where atheris is missing
    atheris = None

if atheris is not None:
    with atheris.instrument_imports(include=["inspector.static"]):
        from inspector.static.autorun import find_surfaces
        from inspector.static.endpoints import EndpointVisitor
        from inspector.static.flow import FlowVisitor, module_graph
        from inspector.static.interface import RepoFile, RepoView
        from inspector.static.text import check_bytes
        from inspector.static.treesitter import TreeSitterAnalyzer
else:
    from inspector.static.autorun import find_surfaces
    from inspector.static.endpoints import EndpointVisitor
    from inspector.static.flow import FlowVisitor, module_graph
    from inspector.static.interface import RepoFile, RepoView
    from inspector.static.text import check_bytes
    from inspector.static.treesitter import TreeSitterAnalyzer

NAMES = ("app.js", "main.py", "package.json", ".env", ".vscode/tasks.json", "notes.txt", "fonts/x.woff2", "a.ts")
SEEDS = Path(__file__).parent / "corpus" / "static"


def one_input(data: bytes) -> None:
    if not data:
        return
    name = NAMES[data[0] % len(NAMES)]
    body = data[1:]
    root = Path(tempfile.mkdtemp(prefix="inspector-fuzz-static-", dir=WORK))
    try:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        repo = RepoView(root, (RepoFile(name, len(body), False),))
        check_bytes(name, body, budget_s=2.0)
        TreeSitterAnalyzer([FlowVisitor(), EndpointVisitor()], jobs=1).analyze(repo)
        find_surfaces(repo)
        module_graph(repo)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(fuzz(one_input, SEEDS, atheris))
