"""`inspector scan` (default engines) against GuardDog 3.2 on the same trees, in one run (a benchmark, not a test).

Each repetition runs the tools back to back on the same input (paired, so both see the same
machine load), cold: every inspector run gets a fresh XDG_CACHE_HOME and XDG_DATA_HOME. Medians
of ``--repeat`` runs; wall time and the CPU time of the process and its children.

Inputs live outside the repository (nothing from them is committed):

- ``TREES/freqtrade`` and ``TREES/rainbowkit``: ``git archive`` of pinned commits (TREES/PINNED);
- ``PACKAGES/*``: unpacked wheels of small popular PyPI packages (``pip download --no-deps``);
- GuardDog in its own venv: ``python -m venv ~/.cache/inspector-bench/guarddog-venv &&
  ~/.cache/inspector-bench/guarddog-venv/bin/pip install 'guarddog==3.2.*'``.

    nice -n 5 .venv/bin/python bench/guarddog_bench.py [--repeat 3] [--write]

``--write`` replaces the "## Default scan against GuardDog" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
SECTION = "## Default scan against GuardDog"
BENCH = Path.home() / ".cache" / "inspector-bench"
INSPECTOR = str(Path(sys.executable).parent / "inspector")


@dataclass(frozen=True)
class Timing:
    wall_s: float
    cpu_s: float
    exit_codes: tuple[int, ...]


def _run(commands: list[list[str]], env: dict[str, str]) -> Timing:
    """Run the commands one after another; wall and CPU time (children included) of them all."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    codes = []
    for command in commands:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        codes.append(completed.returncode)
        if completed.returncode not in (0, 1):
            print(f"  ! {' '.join(command[:3])}... exit {completed.returncode}: {completed.stderr[-300:]}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu, tuple(codes))


def _cold(command: list[str]) -> Timing:
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as home:
        env = {**os.environ, "XDG_CACHE_HOME": f"{home}/cache", "XDG_DATA_HOME": f"{home}/data"}
        return _run([command], env)


def _inspector(args: list[str]) -> Timing:
    return _cold([INSPECTOR, "scan", *args, "--offline", "--format", "json", "--fail-on", "never"])


def _guarddog(guarddog: str, ecosystem: str, targets: list[Path]) -> Timing:
    with tempfile.TemporaryDirectory(prefix="guarddog-bench-") as temp:
        env = {**os.environ, "TMPDIR": temp}
        return _run([[guarddog, ecosystem, "scan", str(t)] for t in targets], env)


def _median(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall_s for t in timings),
        statistics.median(t.cpu_s for t in timings),
        timings[0].exit_codes,
    )


def _files(root: Path) -> tuple[int, float]:
    paths = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    return len(paths), sum(p.stat().st_size for p in paths) / 1e6


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trees", type=Path, default=BENCH / "trees")
    parser.add_argument("--packages", type=Path, default=BENCH / "pkgs")
    parser.add_argument("--guarddog", default=str(BENCH / "guarddog-venv" / "bin" / "guarddog"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not Path(args.guarddog).exists():
        sys.exit(f"GuardDog not found at {args.guarddog}: see this script's docstring")
    load_before = _uptime()
    rows: list[str] = []

    def row(label: str, ours: Timing, theirs: Timing | None, note: str = "") -> None:
        ratio = f"{ours.wall_s / theirs.wall_s:.2f}" if theirs else "-"
        theirs_text = f"{theirs.wall_s:.1f} s wall, {theirs.cpu_s:.1f} s cpu" if theirs else "-"
        rows.append(
            f"| {label} | {ours.wall_s:.1f} s wall, {ours.cpu_s:.1f} s cpu | {theirs_text} | {ratio} | {note} |"
        )
        print(rows[-1], flush=True)

    for name, ecosystem in (("freqtrade", "pypi"), ("rainbowkit", "npm")):
        tree = args.trees / name
        count, megabytes = _files(tree)
        pairs = [(_inspector([str(tree)]), _guarddog(args.guarddog, ecosystem, [tree])) for _ in range(args.repeat)]
        ours, theirs = _median([p[0] for p in pairs]), _median([p[1] for p in pairs])
        row(f"{name} ({count} files, {megabytes:.1f} MB), default", ours, theirs)
        off = _median([_inspector([str(tree), "--semgrep", "off"]) for _ in range(args.repeat)])
        row(f"{name}, `--semgrep=off`", off, theirs)
        exhaustive = _inspector([str(tree), "--semgrep", "all"])
        row(f"{name}, `--semgrep=all` (1 run)", exhaustive, theirs)

    packages = sorted(p for p in args.packages.iterdir() if p.is_dir())
    pairs = [
        (_inspector([str(p) for p in packages]), _guarddog(args.guarddog, "pypi", packages))
        for _ in range(args.repeat)
    ]
    ours, theirs = _median([p[0] for p in pairs]), _median([p[1] for p in pairs])
    label = f"{len(packages)} small PyPI packages: one `inspector scan` call vs {len(packages)} GuardDog runs"
    row(label, ours, theirs)

    tree = args.trees / "freqtrade"
    changed = sorted(str(p) for p in (tree / "freqtrade" / "rpc").glob("*.py"))[:5]
    hook = [INSPECTOR, "scan", "--offline", "--no-semgrep", "--fail-on", "suspicious", str(tree), *changed]
    precommit = _median([_cold(hook) for _ in range(args.repeat)])
    with_semgrep = _median([_cold(hook[:3] + hook[4:]) for _ in range(args.repeat)])
    row("pre-commit hook entry, 5 files of freqtrade/rpc (`--no-semgrep`)", precommit, None)
    row("the same 5 files with the default (relevant-only) Semgrep", with_semgrep, None)
    load_after = _uptime()

    lines = [
        SECTION,
        "",
        f"Generated by `nice -n 5 bench/guarddog_bench.py --repeat {args.repeat}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}; GuardDog 3.2 "
        "in its own venv. Medians of paired runs (inspector, then GuardDog, on the same input), cold "
        "cache (fresh XDG_CACHE_HOME per inspector run), `--offline --format json`. "
        f"Load before: `{load_before}`; after: `{load_after}` (a shared machine: other jobs ran beside it, "
        "so absolute times are pessimistic; the ratios come from paired runs).",
        "",
        "| target | inspector | GuardDog | ratio (wall) | note |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]
    print("\n".join(lines))
    if args.write:
        text = DOC.read_text()
        if SECTION in text:
            head, _, rest = text.partition(SECTION)
            tail = rest[rest.find("\n## ") :] if "\n## " in rest else ""
            text = head + "\n".join(lines) + tail
        else:
            text = text.rstrip("\n") + "\n\n" + "\n".join(lines)
        DOC.write_text(text)


if __name__ == "__main__":
    main()
