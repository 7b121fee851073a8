"""Score inspector and GuardDog 3.2 on the real-world corpora of issue 10 (a benchmark, not a test).

The corpora are built outside the checkout by ``bench/corpora.py`` (``$INSPECTOR_CORPORA``, default
``~/.cache/inspector-corpora``). For every target of the chosen corpora this runs, in the same run:

- inspector from this checkout: ``inspector scan TARGET --format json --offline --fail-on never --jobs 1``
  (``--no-semgrep`` on request), verdict malicious / suspicious / clean, top finding;
- GuardDog 3.2 from its own venv (``~/.cache/inspector-bench/guarddog-venv``, made on first use):
  ``guarddog pypi|npm scan TARGET --output-format json``; flagged = any ``threat-*`` rule matched
  (its ``capability-*`` rules fire on most benign code and are counted separately).

It prints, per corpus and tool: counts, the flagged ratio, misses (malicious targets called clean /
not flagged) and false positives (benign targets flagged) each with its top finding, and CPU and wall
time; results go, one JSON line per target, to a file outside the repo (``--results``), so an
interrupted run resumes where it stopped (``--resume``) and ``--report`` re-prints a finished one.

    python bench/score.py --corpus pypi-mal-300 --corpus js-replicas [--no-semgrep] [--workers 2]
    python bench/score.py --report RESULTS.jsonl

Corpora: pypi-mal-300 (the fixed 300 of bench/corpus-lists/pypi-malregistry-dev-300.txt), pypi-mal-all
(the whole development split), js-replicas, benign-pypi, benign-npm, benign-repos.

Each scanner runs under ``nice -n 10``; at most ``--workers`` targets at a time (2 by default: the machine
has 2 cores, shared). By default each tool's CLI runs in a resident worker (bench/_resident_cli.py:
imported once, called per target with the same arguments) because one start-up costs about a second of
CPU; ``--mode process`` starts one CLI process per target instead. GuardDog always runs one process per
target (its process loses write access to other files after a scan), so its times include its start-up.
The samples are only handed to the scanners: nothing here unpacks, installs, imports or runs them.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LISTS = REPO / "bench" / "corpus-lists"
BENCH_HOME = Path.home() / ".cache" / "inspector-bench"
GUARDDOG_VENV = BENCH_HOME / "guarddog-venv"
GUARDDOG_SPEC = "guarddog==3.2.*"
INSPECTOR_PYTHON = Path(os.environ.get("INSPECTOR_PYTHON", "/work/main/.venv/bin/python"))
SEVERITY_ORDER = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
ALL_CORPORA = ("pypi-mal-300", "pypi-mal-all", "js-replicas", "benign-pypi", "benign-npm", "benign-repos")


def corpora_root() -> Path:
    return Path(os.environ.get("INSPECTOR_CORPORA", Path.home() / ".cache" / "inspector-corpora")).expanduser()


@dataclass(frozen=True)
class Target:
    corpus: str
    name: str
    path: Path
    label: str  # malicious | benign
    ecosystem: str  # pypi | npm (GuardDog's sub-command)


def _table(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split("\t") for line in path.read_text().splitlines() if line and not line.startswith("#")]


def targets_of(corpus: str) -> list[Target]:
    root = corpora_root()
    if corpus in ("pypi-mal-300", "pypi-mal-all"):
        base = root / "pypi-malregistry-dev"
        archives = dict((row[0], row[1]) for row in _table(base / "packages.tsv"))
        if not archives:
            raise SystemExit(f"{base}/packages.tsv missing: run bench/corpora.py pypi-mal GIT_DIR first")
        names = (
            sorted(archives)
            if corpus == "pypi-mal-all"
            else [r[0] for r in _table(LISTS / "pypi-malregistry-dev-300.txt")]
        )
        return [Target(corpus, n, base / "samples" / archives[n], "malicious", "pypi") for n in names if n in archives]
    if corpus == "js-replicas":
        base = root / "js-replicas"
        return [Target(corpus, p.name, p, "malicious", "npm") for p in sorted(base.iterdir()) if p.is_dir()]
    if corpus == "benign-pypi":
        rows = _table(LISTS / "benign-pypi-300.lock.tsv")
        return [Target(corpus, r[0], root / "benign-pypi" / r[0] / r[2], "benign", "pypi") for r in rows if r[2]]
    if corpus == "benign-npm":
        rows = _table(LISTS / "benign-npm-300.lock.tsv")
        return [
            Target(corpus, r[0], root / "benign-npm" / r[0].replace("/", "+") / r[2], "benign", "npm")
            for r in rows
            if r[2]
        ]
    if corpus == "benign-repos":
        out = []
        for row in _table(LISTS / "benign-repos.txt"):
            folder = root / "benign-repos" / row[0].replace("/", "+")
            if folder.is_dir():
                out.append(Target(corpus, row[0], folder, "benign", repo_ecosystem(folder)))
        return out
    raise SystemExit(f"unknown corpus {corpus!r}; one of {', '.join(ALL_CORPORA)}")


def repo_ecosystem(folder: Path) -> str:
    """GuardDog scans one ecosystem per call: the repo's main language by file count."""
    counts: Counter[str] = Counter()
    for path in folder.rglob("*"):
        if path.suffix == ".py":
            counts["pypi"] += 1
        elif path.suffix in (".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx"):
            counts["npm"] += 1
    return "pypi" if counts["pypi"] > counts["npm"] else "npm"


# ----------------------------------------------------------------------------------------- running


class ResidentWorker:
    """One long-lived CLI worker (bench/_resident_cli.py); restarted after a time-out or a crash."""

    def __init__(self, python: Path, env: dict[str, str], log: Path) -> None:
        self.python, self.env, self.log = python, env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                ["nice", "-n", "10", str(self.python), str(REPO / "bench" / "_resident_cli.py")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log.open("ab"),
                env=self.env,
                start_new_session=True,
            )
        return self.proc

    def call(self, entry: str, args: list[str], stdout: Path, timeout: float, env: dict[str, str]) -> dict[str, Any]:
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        started = time.monotonic()
        request = {"entry": entry, "args": args, "stdout": str(stdout), "env": env}
        proc.stdin.write((json.dumps(request) + "\n").encode())
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        line = proc.stdout.readline() if ready else b""
        if not line:
            self.stop()
            timed_out = not ready
            return {
                "exit": None,
                "error": "timeout" if timed_out else "worker died",
                "wall": time.monotonic() - started,
            }
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        self.proc = None


def run_process(cmd: list[str], stdout: Path, env: dict[str, str], timeout: float) -> dict[str, Any]:
    started = time.monotonic()
    with stdout.open("wb") as out:
        proc = subprocess.Popen(
            ["nice", "-n", "10", *cmd], stdout=out, stderr=subprocess.DEVNULL, env=env, start_new_session=True
        )
        killer = threading.Timer(timeout, lambda: os.killpg(proc.pid, 9))
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except KeyboardInterrupt:
            os.killpg(proc.pid, 9)
            raise
        finally:
            killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    cpu = usage.ru_utime + usage.ru_stime
    if proc.returncode == -9:
        return {"exit": None, "error": "timeout", "wall": wall, "cpu": cpu}
    return {"exit": proc.returncode, "error": "", "wall": wall, "cpu": cpu}


def ensure_guarddog() -> Path:
    binary = GUARDDOG_VENV / "bin" / "guarddog"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(GUARDDOG_VENV)], check=True)
        subprocess.run([str(GUARDDOG_VENV / "bin" / "pip"), "install", "--quiet", GUARDDOG_SPEC], check=True)
    return binary


def as_scannable(target: Path, scratch: Path) -> Path:
    """inspector's acquisition takes .zip/.tar* archives by name; a wheel or egg is a zip under another name,
    and the registry holds some wheels (zip content) named ``*-py3-none-any.tar.gz``: those are handed over
    as ``.zip`` (GuardDog reads them by content)."""
    if not target.is_file():
        return target
    with target.open("rb") as handle:
        is_zip = handle.read(4) == b"PK\x03\x04"
    if (is_zip and target.suffix != ".zip") or target.suffix in (".whl", ".egg"):
        link = scratch / (target.name + ".zip")
        if not link.exists():
            link.symlink_to(target)
        return link
    return target


def top_inspector_finding(report: dict[str, Any]) -> str:
    findings = report.get("findings") or []
    if not findings:
        return ""
    best = max(findings, key=lambda f: SEVERITY_ORDER.get(str(f.get("severity")), -1))
    where = f"{best.get('path')}:{best.get('line')}" if best.get("line") else str(best.get("path"))
    return f"{best.get('severity')} {best.get('rule')} {where}: {str(best.get('message'))[:140]}"


def summarise_guarddog(report: dict[str, Any]) -> tuple[list[str], list[str], str]:
    """(threat rules matched, other rules matched, top threat finding)."""
    threat, other, top = [], [], ""
    for rule, hits in (report.get("results") or {}).items():
        if not hits:
            continue
        (threat if rule.startswith("threat-") else other).append(rule)
        if rule.startswith("threat-") and not top:
            first = hits[0] if isinstance(hits, list) else hits
            location = first.get("location", "") if isinstance(first, dict) else ""
            top = f"{rule} {location}".strip()
    return sorted(threat), sorted(other), top


class Scorer:
    def __init__(self, args: argparse.Namespace, scratch: Path) -> None:
        self.args, self.scratch = args, scratch
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = str(REPO)
        # XDG_CACHE_HOME: a fresh, empty one per target (see inspector()): every scan is cold, as GuardDog's are.
        self.env["TMPDIR"] = str(scratch / "tmp")
        (scratch / "tmp").mkdir(exist_ok=True)
        self.guarddog = ensure_guarddog() if "guarddog" in args.tools else None
        self.local = threading.local()
        self.workers: list[ResidentWorker] = []
        self.lock = threading.Lock()

    def _worker(self, kind: str) -> ResidentWorker:
        worker = getattr(self.local, kind, None)
        if worker is None:
            python = INSPECTOR_PYTHON if kind == "inspector" else GUARDDOG_VENV / "bin" / "python"
            env = dict(self.env)
            if kind == "guarddog":
                env.pop("PYTHONPATH", None)
            log = BENCH_HOME / "logs" / f"{kind}-worker-{threading.get_ident()}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            worker = ResidentWorker(python, env, log)
            setattr(self.local, kind, worker)
            with self.lock:
                self.workers.append(worker)
        return worker

    def inspector(self, target: Target) -> dict[str, Any]:
        scannable = as_scannable(target.path, self.scratch)
        args = ["scan", str(scannable), "--format", "json", "--offline", "--fail-on", "never", "--jobs", "1"]
        if self.args.no_semgrep:
            args.append("--no-semgrep")
        out = Path(tempfile.mkstemp(dir=self.scratch, suffix=".json")[1])
        timeout = self.args.timeout * (3 if target.path.is_dir() else 1)
        # A cold result cache per target (also holds the quarantine an archive is unpacked into): removed after.
        cache = Path(tempfile.mkdtemp(dir=self.scratch, prefix="xdg-"))
        env = {"XDG_CACHE_HOME": str(cache), "XDG_DATA_HOME": str(cache / "data")}
        try:
            if self.args.mode == "resident":
                run = self._worker("inspector").call("inspector.cli:cli", args, out, timeout, env)
            else:
                run = run_process([str(INSPECTOR_PYTHON), "-m", "inspector", *args], out, {**self.env, **env}, timeout)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        result: dict[str, Any] = {"wall": round(run["wall"], 2), "cpu": round(run.get("cpu") or 0, 2)}
        try:
            report = json.loads(out.read_text() or "null")
        except ValueError:
            report = None
        out.unlink(missing_ok=True)
        if isinstance(report, dict) and report.get("verdict"):
            findings = report.get("findings") or []
            result.update(
                verdict=report["verdict"],
                findings=len(findings),
                above_low=sum(1 for f in findings if SEVERITY_ORDER.get(str(f.get("severity")), 0) >= 2),
                top=top_inspector_finding(report),
                skipped=[str(s)[:120] for s in (report.get("skipped") or [])][:5],
            )
        else:
            result.update(verdict="error", error=run.get("error") or f"exit {run.get('exit')}, no report")
        return result

    def guarddog_scan(self, target: Target) -> dict[str, Any]:
        assert self.guarddog is not None
        args = [target.ecosystem, "scan", str(target.path), "--output-format", "json"]
        out = Path(tempfile.mkstemp(dir=self.scratch, suffix=".json")[1])
        timeout = self.args.timeout * (3 if target.path.is_dir() else 1)
        # Always one process per target: after a scan GuardDog's process can no longer open files for
        # writing outside its scan (observed: EACCES as root on the next call), so it cannot stay resident.
        env = {k: v for k, v in self.env.items() if k != "PYTHONPATH"}
        run = run_process([str(self.guarddog), *args], out, env, timeout)
        result: dict[str, Any] = {"wall": round(run["wall"], 2), "cpu": round(run.get("cpu") or 0, 2)}
        text = out.read_text(errors="replace")
        out.unlink(missing_ok=True)
        start = text.find("{")
        try:
            report = json.loads(text[start:]) if start >= 0 else None
        except ValueError:
            report = None
        if isinstance(report, dict) and "results" in report:
            threat, other, top = summarise_guarddog(report)
            errors = report.get("errors") or {}
            result.update(
                flagged=bool(threat),
                threat_rules=threat,
                other_rules=other,
                top=top,
                errors=sorted(errors)[:5] if isinstance(errors, dict) else [],
            )
        else:
            result.update(flagged=None, error=run.get("error") or f"exit {run.get('exit')}, no JSON")
        return result

    def score(self, target: Target) -> dict[str, Any]:
        row: dict[str, Any] = {"corpus": target.corpus, "target": target.name, "label": target.label}
        row["size"] = target.path.stat().st_size if target.path.is_file() else None
        if "inspector" in self.args.tools:
            row["inspector"] = self.inspector(target)
        if "guarddog" in self.args.tools:
            row["guarddog"] = self.guarddog_scan(target)
        return row

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()


# ------------------------------------------------------------------------------------------ report


def report(rows: list[dict[str, Any]], wall_by_corpus: dict[str, float] | None = None, limit: int = 60) -> str:
    lines: list[str] = []
    by_corpus: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_corpus[row["corpus"]].append(row)
    for corpus, items in by_corpus.items():
        label = items[0]["label"]
        lines.append(f"\n=== {corpus}: {len(items)} targets, all {label} ===")
        if wall_by_corpus and corpus in wall_by_corpus:
            lines.append(f"run wall time {wall_by_corpus[corpus]:.0f} s")
        if any("inspector" in r for r in items):
            verdicts = Counter(r["inspector"]["verdict"] for r in items if "inspector" in r)
            n = sum(verdicts.values())
            flagged = verdicts["malicious"] + verdicts["suspicious"]
            cpu = sum(r["inspector"].get("cpu", 0) for r in items if "inspector" in r)
            wall = sum(r["inspector"].get("wall", 0) for r in items if "inspector" in r)
            lines.append(
                f"inspector: malicious {verdicts['malicious']}, suspicious {verdicts['suspicious']}, "
                f"clean {verdicts['clean']}, error {verdicts['error']} | flagged {flagged}/{n} = {pct(flagged, n)}, "
                f"malicious {pct(verdicts['malicious'], n)} | scan time {wall:.1f} s wall, {cpu:.1f} s cpu"
            )
            wrong = [
                r
                for r in items
                if "inspector" in r
                and (
                    (label == "malicious" and r["inspector"]["verdict"] in ("clean", "error"))
                    or (label == "benign" and r["inspector"]["verdict"] not in ("clean",))
                )
            ]
            lines.append(f"  inspector {'misses' if label == 'malicious' else 'false positives'}: {len(wrong)}")
            for r in wrong[:limit]:
                i = r["inspector"]
                detail = (i.get("error") or "").splitlines()[0][:200] if i.get("error") else i.get("top")
                detail = detail or "(no finding)"
                lines.append(f"    {r['target']}: {i['verdict']} - {detail}")
        if any("guarddog" in r for r in items):
            g_rows = [r["guarddog"] for r in items if "guarddog" in r]
            flagged = sum(1 for g in g_rows if g.get("flagged"))
            errors = sum(1 for g in g_rows if g.get("flagged") is None)
            any_rule = sum(1 for g in g_rows if g.get("flagged") or g.get("other_rules"))
            cpu = sum(g.get("cpu", 0) for g in g_rows)
            wall = sum(g.get("wall", 0) for g in g_rows)
            n = len(g_rows)
            lines.append(
                f"guarddog: flagged (threat-*) {flagged}/{n} = {pct(flagged, n)}, any rule {any_rule}, error {errors} "
                f"| scan time {wall:.1f} s wall, {cpu:.1f} s cpu"
            )
            wrong = [
                r
                for r in items
                if "guarddog" in r
                and (
                    (label == "malicious" and not r["guarddog"].get("flagged"))
                    or (label == "benign" and r["guarddog"].get("flagged"))
                )
            ]
            lines.append(f"  guarddog {'misses' if label == 'malicious' else 'false positives'}: {len(wrong)}")
            for r in wrong[:limit]:
                g = r["guarddog"]
                detail = g.get("error") or ", ".join(g.get("threat_rules") or []) or "(no threat rule)"
                lines.append(f"    {r['target']}: {detail}")
    return "\n".join(lines)


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def load_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a results file, the last one per target (a --resume run appends retried targets)."""
    if not path.exists():
        return []
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            rows[(row["corpus"], row["target"])] = row
    return list(rows.values())


def is_error(row: dict[str, Any]) -> bool:
    return row.get("inspector", {}).get("verdict") == "error" or row.get("guarddog", {}).get("flagged", False) is None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", choices=ALL_CORPORA, help="repeatable")
    parser.add_argument("--tools", default="inspector,guarddog")
    parser.add_argument("--no-semgrep", action="store_true", help="inspector --no-semgrep")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300, help="seconds per target (x3 for repositories)")
    parser.add_argument("--limit", type=int, help="only the first N targets of each corpus")
    parser.add_argument("--mode", choices=("resident", "process"), default="resident")
    parser.add_argument("--results", type=Path, help="JSON lines file (default under ~/.cache/inspector-bench/results)")
    parser.add_argument("--resume", action="store_true", help="skip targets already in --results (errors are retried)")
    parser.add_argument("--report", type=Path, help="only print the summary of a results file")
    args = parser.parse_args()
    if args.report:
        print(report(load_rows(args.report)))
        return
    if not args.corpus:
        parser.error("give at least one --corpus")
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    stamp = time.strftime("%Y%m%dT%H%M%S")
    results = args.results or BENCH_HOME / "results" / f"{stamp}-{'+'.join(args.corpus)}.jsonl"
    results.parent.mkdir(parents=True, exist_ok=True)
    done = {(r["corpus"], r["target"]) for r in load_rows(results) if not is_error(r)} if args.resume else set()
    if not args.resume:
        results.write_text("")
    meta = {
        "started": stamp,
        "tools": args.tools,
        "no_semgrep": args.no_semgrep,
        "mode": args.mode,
        "workers": args.workers,
        "load_before": os.getloadavg(),
        "inspector_python": str(INSPECTOR_PYTHON),
        "commit": subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
    }
    with results.with_suffix(".runs.jsonl").open("a") as handle:  # one line per run (a --resume run adds one)
        handle.write(json.dumps(meta) + "\n")
    print(f"results: {results}", file=sys.stderr)
    # SIGTERM ends the run like Ctrl-C, so the finally below stops the workers and removes the scratch dir.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    scratch = Path(tempfile.mkdtemp(prefix="inspector-score-"))
    scorer = Scorer(args, scratch)
    wall_by_corpus: dict[str, float] = {}
    try:
        for corpus in args.corpus:
            targets = [t for t in targets_of(corpus) if (corpus, t.name) not in done][: args.limit]
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=args.workers) as pool:
                futures = {pool.submit(scorer.score, t): t for t in targets}
                for count, future in enumerate(as_completed(futures), 1):
                    row = future.result()
                    with results.open("a") as handle:
                        handle.write(json.dumps(row) + "\n")
                    verdict = row.get("inspector", {}).get("verdict", "-")
                    flagged = row.get("guarddog", {}).get("flagged", "-")
                    print(
                        f"[{corpus} {count}/{len(targets)}] {row['target']}: inspector {verdict}, guarddog {flagged}",
                        file=sys.stderr,
                        flush=True,
                    )
            wall_by_corpus[corpus] = time.monotonic() - started
    finally:
        scorer.close()
        shutil.rmtree(scratch, ignore_errors=True)
    rows = [r for r in load_rows(results) if r["corpus"] in args.corpus]
    print(report(rows, wall_by_corpus))
    print(f"\nresults: {results}")


if __name__ == "__main__":
    main()
