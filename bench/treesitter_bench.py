"""Tree-sitter stage throughput in CPU time per core (a benchmark, not a test).

For each corpus (real checkouts and a generated repository) it measures, in one process
(``time.process_time``, so other load on the machine does not count):

- parse alone (``treesitter.parse`` of every JS/TS/Python file the scan would parse);
- each visitor's ``visit`` on those trees (flow, endpoints);
- the whole stage, ``TreeSitterAnalyzer([FlowVisitor(), EndpointVisitor()], jobs=1)``, which
  parses, visits and links (files are read into memory first: disk time is not the stage's).

MB/s is source bytes per CPU second. ``--dump DIR`` writes each corpus's findings and endpoints
as JSON, to check that an optimisation changed no result. ``--write`` replaces the
"## Tree-sitter stage" section of docs/benchmarks.md (other sections are kept).

    .venv/bin/python bench/treesitter_bench.py [--corpus NAME=DIR ...] [--generated-mb 8]
        [--repeat 1] [--dump DIR] [--write]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
SECTION = "## Tree-sitter stage"
DEFAULT_CORPORA = (
    ("express", Path("/tmp/fp/express")),
    ("hackathon-starter", Path("/tmp/fp/hackathon-starter")),
    ("lodash", Path("/tmp/fp/lodash")),
    ("ejs", Path("/tmp/fp/ejs")),
    ("npm (bundled)", Path("/usr/lib/node_modules/npm")),
    ("freqtrade", Path("/tmp/fp/freqtrade")),
)


@dataclass
class Measure:
    name: str
    files: int = 0
    bytes: int = 0
    parse: float = 0.0
    flow: float = 0.0
    endpoints: float = 0.0
    stage: float = 0.0
    findings: int = 0
    endpoint_count: int = 0

    def mbps(self, seconds: float) -> str:
        return f"{self.bytes / seconds / 1e6:.2f}" if seconds > 0 else "-"


def _load(root: Path) -> tuple[object, list[tuple[str, str, bytes]]]:
    from inspector.static import walk
    from inspector.static.interface import RepoView
    from inspector.static.treesitter import DEFAULT_MAX_PARSE_BYTES, language_for

    files, _ = walk(root)
    view = RepoView(root, files)
    sources: list[tuple[str, str, bytes]] = []
    for file in files:
        language = language_for(file.path)
        if language is None or file.is_link or file.size > DEFAULT_MAX_PARSE_BYTES:
            continue
        sources.append((file.path, language, view.read(file.path)))
    return view, sources


def measure(name: str, root: Path, repeat: int, dump: Path | None) -> Measure:
    from inspector.static.endpoints import EndpointVisitor
    from inspector.static.flow import FlowVisitor
    from inspector.static.treesitter import TreeSitterAnalyzer, parse

    view, sources = _load(root)
    result = Measure(name, len(sources), sum(len(s) for _, _, s in sources))
    flow, endpoints = FlowVisitor(), EndpointVisitor()
    # The best of `repeat` runs: other load on a shared machine only ever adds CPU time.
    best = {"parse": float("inf"), "flow": float("inf"), "endpoints": float("inf"), "stage": float("inf")}
    for _ in range(repeat):
        spent = dict.fromkeys(best, 0.0)
        for path, language, source in sources:
            start = time.process_time()
            tree = parse(source, language)
            parsed = time.process_time()
            flow.visit(path, language, tree, source)
            flowed = time.process_time()
            endpoints.visit(path, language, tree, source)
            done = time.process_time()
            spent["parse"] += parsed - start
            spent["flow"] += flowed - parsed
            spent["endpoints"] += done - flowed
        analyzer = TreeSitterAnalyzer([FlowVisitor(), EndpointVisitor()], jobs=1, cache_dir=None)
        start = time.process_time()
        outcome = analyzer.analyze(view)  # type: ignore[arg-type]
        spent["stage"] = time.process_time() - start
        best = {key: min(best[key], spent[key]) for key in best}
    for key, seconds in best.items():
        setattr(result, key, seconds)
    result.findings = len(outcome.findings)
    result.endpoint_count = len(outcome.endpoints)
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)
        record = {
            "findings": sorted(
                [f.rule, f.severity.value, f.path, f.line, f.column, f.message, f.evidence] for f in outcome.findings
            ),
            "endpoints": sorted(json.dumps(e, default=_plain, sort_keys=True) for e in outcome.endpoints),
        }
        (dump / f"{name.split()[0]}.json").write_text(json.dumps(record, indent=1, default=_plain))
    return result


def _plain(value: object) -> object:
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}  # type: ignore[attr-defined]
    if hasattr(value, "value"):
        return value.value  # type: ignore[attr-defined]
    return str(value)


def generated_corpus(size_mb: float, workdir: Path) -> Path:
    """The synthetic repository of bench/static_bench.py (ordinary modules plus a few loaders)."""
    spec = importlib.util.spec_from_file_location("static_bench", REPO / "bench" / "static_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["static_bench"] = module
    spec.loader.exec_module(module)
    root = workdir / "generated"
    module.generate(root, size_mb)
    return root


def table(results: list[Measure]) -> str:
    lines = [
        "| corpus | files | MB | parse | flow visit | endpoints visit | whole stage (parse+visits+link) |"
        " findings | endpoints |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.files} | {r.bytes / 1e6:.1f} | {r.mbps(r.parse)} | {r.mbps(r.flow)} | "
            f"{r.mbps(r.endpoints)} | {r.mbps(r.stage)} | {r.findings} | {r.endpoint_count} |"
        )
    total = Measure("all", sum(r.files for r in results), sum(r.bytes for r in results))
    for field in ("parse", "flow", "endpoints", "stage"):
        setattr(total, field, sum(getattr(r, field) for r in results))
    lines.append(
        f"| **all** | {total.files} | {total.bytes / 1e6:.1f} | {total.mbps(total.parse)} | "
        f"{total.mbps(total.flow)} | {total.mbps(total.endpoints)} | **{total.mbps(total.stage)}** | | |"
    )
    return "\n".join(lines)


def write_section(body: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    start = text.find(f"\n{SECTION}\n")
    section = f"\n{SECTION}\n\n{body.rstrip()}\n"
    if start < 0:
        text = text.rstrip("\n") + "\n" + section
    else:
        following = text.find("\n## ", start + len(SECTION) + 2)
        text = text[:start] + section + (text[following:] if following >= 0 else "")
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", default=[], help="NAME=DIR (default: the checkouts in /tmp/fp)")
    parser.add_argument("--generated-mb", type=float, default=8.0, help="0 to skip the generated repository")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dump", type=Path, help="write each corpus's findings and endpoints here as JSON")
    parser.add_argument("--write", action="store_true", help="replace the section in docs/benchmarks.md")
    args = parser.parse_args()

    corpora = [(n, Path(p)) for n, p in (c.split("=", 1) for c in args.corpus)] or [
        (n, p) for n, p in DEFAULT_CORPORA if p.is_dir()
    ]
    results: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="inspector-tsbench-") as workdir:
        if args.generated_mb > 0:
            corpora.append((f"generated {args.generated_mb:g} MB", generated_corpus(args.generated_mb, Path(workdir))))
        for name, root in corpora:
            results.append(measure(name, root, args.repeat, args.dump))
            print(table(results[-1:]).splitlines()[-2], flush=True)
    body = (
        "CPU seconds in one process (`time.process_time`, jobs=1), so the numbers are MB/s **per core**;"
        f" best of {args.repeat} run(s) per corpus.\nColumns are source MB per CPU second. Reproduce with"
        f" `.venv/bin/python bench/treesitter_bench.py --repeat {args.repeat}`.\n\n"
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python"
        f" {platform.python_version()}.\n\n{table(results)}\n"
    )
    print()
    print(body)
    if args.write:
        write_section(body)


if __name__ == "__main__":
    main()
