"""The only module that wires the stages together, in one direction:

acquire -> static -> plan -> sandbox -> correlate -> report -> decide

Each function here is a verb of the command line without the terminal: it takes typed
requests, returns model values, and raises only InspectorError subclasses.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

import platformdirs

from inspector import DISTRIBUTION, acquire, correlate, decide, plan, report, sandbox, static
from inspector.errors import InspectorError, PlanError
from inspector.model import (
    Decision,
    Finding,
    HumanDecision,
    Report,
    RunPlan,
    SandboxResult,
    Skipped,
    SourceView,
    StaticResult,
    Target,
)
from inspector.plan import PlanOptions
from inspector.progress import Progress
from inspector.report import ReportFormat
from inspector.sandbox import SandboxOptions

# Asked before the sandbox runs anything, with the plan and the report of the static scan alone.
ConfirmRun = Callable[[RunPlan, Report], bool]


@dataclass(frozen=True)
class Settings:
    """Where inspector keeps its own files. Nothing here is chosen by the target."""

    workdir: Path  # quarantine for fetched targets
    data_dir: Path  # run directories and the decision ledger
    cache_dir: Path  # static-analysis and RDAP caches

    @property
    def ledger_path(self) -> Path:
        return self.data_dir / "decisions.jsonl"

    @classmethod
    def default(cls, workdir: Path | None = None) -> Settings:
        cache = Path(platformdirs.user_cache_dir("inspector"))
        return cls(
            workdir=workdir or cache / "quarantine",
            data_dir=Path(platformdirs.user_data_dir("inspector")),
            cache_dir=cache,
        )


@dataclass(frozen=True)
class ScanRequest:
    target: str
    paths: tuple[str, ...] = ()  # limit the scan to these files (pre-commit mode)
    depth: int = acquire.DEFAULT_DEPTH
    limits: acquire.Limits = field(default_factory=acquire.Limits)
    jobs: int | None = None
    semgrep: bool = True
    semgrep_all: bool = False  # Semgrep on every file instead of the relevant ones
    offline: bool = False  # no RDAP look-ups


@dataclass(frozen=True)
class RunRequest:
    scan: ScanRequest
    plan: PlanOptions = field(default_factory=PlanOptions)
    sandbox: SandboxOptions = field(default_factory=SandboxOptions)
    run_dir: Path | None = None


@dataclass(frozen=True)
class VetOutcome:
    report: Report
    run_dir: Path
    written: dict[ReportFormat, Path]
    prior_decision: Decision | None  # a decision already recorded for this repo and commit


def fetch(
    target: str,
    settings: Settings,
    progress: Progress,
    depth: int | None = None,
    limits: acquire.Limits | None = None,
) -> acquire.Acquired:
    progress.step(f"fetching {target}")
    options = acquire.AcquireOptions(
        workdir=settings.workdir,
        depth=acquire.DEFAULT_DEPTH if depth is None else depth,
        limits=limits or acquire.Limits(),
        copy_directories=True,
    )
    return acquire.acquire(target, options)


def _scan_options(request: ScanRequest, settings: Settings, paths: tuple[str, ...] = ()) -> static.ScanOptions:
    return static.ScanOptions(
        jobs=request.jobs,
        cache_dir=settings.cache_dir / "static",
        semgrep=request.semgrep,
        semgrep_all=request.semgrep_all,
        only_paths=paths,
    )


def _acquire_and_scan(request: ScanRequest, settings: Settings, progress: Progress) -> tuple[Target, StaticResult]:
    progress.step(f"fetching {request.target}")
    acquired = acquire.acquire(
        target=request.target, options=acquire.AcquireOptions(settings.workdir, request.depth, request.limits)
    )
    target = acquired.target
    paths = tuple(_relative_paths(Path(target.path), request.paths))
    progress.step(f"scanning {target.file_count} files")
    result = static.scan(Path(target.path), _scan_options(request, settings, paths))
    return target, _with_acquired(result, acquired)


def _with_acquired(result: StaticResult, acquired: acquire.Acquired) -> StaticResult:
    # What acquisition found (devices, cut walks) or could not do (history) joins the static result.
    return replace(result, findings=acquired.findings + result.findings, skipped=acquired.skipped + result.skipped)


def _relative_paths(root: Path, paths: tuple[str, ...]) -> list[str]:
    """Pre-commit passes paths relative to the current directory; the scan wants them under root."""
    out = []
    real_root = root.resolve()
    for raw in paths:
        candidate = Path(raw)
        resolved = (candidate if candidate.is_absolute() else Path.cwd() / candidate).resolve()
        if not resolved.is_relative_to(real_root):
            raise InspectorError(f"{raw}: not inside {root}", "list files inside the scanned directory")
        out.append(resolved.relative_to(real_root).as_posix())
    return out


def _correlate_options(settings: Settings, offline: bool) -> correlate.CorrelateOptions:
    return correlate.CorrelateOptions(offline=offline, rdap_cache_dir=settings.cache_dir / "rdap")


def scan(request: ScanRequest, settings: Settings, progress: Progress) -> Report:
    target, static_result = _acquire_and_scan(request, settings, progress)
    progress.step("correlating")
    built = correlate.correlate(target, static_result, None, _correlate_options(settings, request.offline))
    return with_sources(built)


def with_sources(built: Report) -> Report:
    """The report with the code around its findings, read from the target's tree (capped)."""
    return replace(built, sources=static.excerpts(Path(built.target.path), built.findings))


@dataclass(frozen=True)
class ScanOutcome:
    """One target of ``scan_many``: its report, or why it could not be scanned."""

    target: str  # as given
    report: Report | None
    error: str | None  # what happened and how to fix it (an exit-2 kind of error)


def _scan_acquired(
    acquired: acquire.Acquired, options: static.ScanOptions, semgrep_result: static.AnalyzerResult | None,
    correlate_options: correlate.CorrelateOptions,
) -> Report:
    # Module level and plain values in and out: it runs in a worker process of scan_many's pool.
    result = static.scan(Path(acquired.target.path), options, semgrep_result)
    return with_sources(correlate.correlate(acquired.target, _with_acquired(result, acquired), None, correlate_options))


def scan_many(
    requests: list[ScanRequest],
    settings: Settings,
    progress: Progress,
    on_done: Callable[[ScanOutcome], None],
    jobs: int | None = None,
) -> list[ScanOutcome]:
    """Scan many targets in one process: fetch each, one Semgrep process for the relevant files of
    all of them (its start-up paid once), then one worker pool scans the targets side by side (one
    core per target: many small packages keep every core busy). A target that fails is an outcome
    with an error; the others go on. ``on_done`` is told of each outcome as it is ready."""
    outcomes: dict[int, ScanOutcome] = {}
    acquired: dict[int, acquire.Acquired] = {}
    for index, request in enumerate(requests):
        progress.step(f"fetching {request.target}")
        try:
            acquired[index] = acquire.acquire(
                request.target, acquire.AcquireOptions(settings.workdir, request.depth, request.limits)
            )
        except InspectorError as exc:
            outcomes[index] = ScanOutcome(request.target, None, exc.diagnostics())
            on_done(outcomes[index])
    options = {i: replace(_scan_options(requests[i], settings), jobs=1) for i in acquired}
    batched = [i for i in acquired if options[i].semgrep and not options[i].semgrep_all]
    semgrep_results: dict[int, static.AnalyzerResult] = {}
    if batched:
        progress.step(f"semgrep on the relevant files of {len(batched)} targets")
        batch = static.semgrep_batch([Path(acquired[i].target.path) for i in batched], options[batched[0]])
        semgrep_results = dict(zip(batched, batch, strict=True))
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        futures = {
            pool.submit(
                _scan_acquired, acquired[i], options[i], semgrep_results.get(i),
                _correlate_options(settings, requests[i].offline),
            ): i
            for i in acquired
        }
        try:
            for future in as_completed(futures):
                index = futures[future]
                try:
                    outcomes[index] = ScanOutcome(requests[index].target, future.result(), None)
                except InspectorError as exc:
                    outcomes[index] = ScanOutcome(requests[index].target, None, exc.diagnostics())
                except Exception as exc:  # a bug shown on one target must not lose the others
                    outcomes[index] = ScanOutcome(
                        requests[index].target, None, f"internal error: {type(exc).__name__}: {exc}"
                    )
                on_done(outcomes[index])
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [outcomes[i] for i in range(len(requests))]


def make_plan(target: Target, static_result: StaticResult, options: PlanOptions) -> RunPlan:
    return plan.build(target, static_result, options)


def default_run_dir(settings: Settings, target: Target) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", target.source.rstrip("/").rsplit("/", 1)[-1])[:40].strip(".-")
    identity = decide.version_identity(target) or hashlib.sha256(target.source.encode()).hexdigest()
    identity = identity.removeprefix("sha256:")
    return settings.data_dir / "runs" / (slug or "target") / identity[:12]


RUN_DIR_MARKER = ".inspector-run"


def _fresh_run_dir(path: Path) -> Path:
    """Run artifacts are untrusted: start from an empty directory we created.

    A previous run's directory (it carries our marker) is replaced; any other non-empty
    directory is refused rather than emptied: --output must never delete a user's files.
    """
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        if not (path / RUN_DIR_MARKER).is_file():
            raise InspectorError(
                f"{path} exists and is not an inspector run directory",
                "choose a new or empty directory for --output",
            )
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / RUN_DIR_MARKER).write_text("inspector run directory: replaced by the next run\n")
    return path


def _execute(
    target: Target,
    run_plan: RunPlan,
    options: SandboxOptions,
    run_dir: Path,
    progress: Progress,
) -> tuple[SandboxResult, tuple[Finding, ...]]:
    """Run in the sandbox, then rescan what the program downloaded (category payload)."""
    result = sandbox.execute(Path(target.path), run_plan, options, run_dir, progress)
    payload_findings: list[Finding] = []
    for payload in result.payloads:
        data = (run_dir / payload.artifact).read_bytes()
        payload_findings.extend(static.scan_payload(data, Path(payload.artifact).name, payload.url))
    return result, tuple(payload_findings)


def run(request: RunRequest, settings: Settings, progress: Progress) -> tuple[Report, Path]:
    target, static_result = _acquire_and_scan(request.scan, settings, progress)
    run_plan = make_plan(target, static_result, request.plan)
    run_dir = _fresh_run_dir(request.run_dir or default_run_dir(settings, target))
    sandbox_result, payload_findings = _execute(target, run_plan, request.sandbox, run_dir, progress)
    static_result = replace(static_result, findings=static_result.findings + payload_findings)
    progress.step("correlating")
    built = correlate.correlate(
        target, static_result, sandbox_result, _correlate_options(settings, request.scan.offline)
    )
    return with_sources(built), run_dir


def vet(
    request: RunRequest,
    settings: Settings,
    progress: Progress,
    confirm_run: ConfirmRun,
    run: bool = True,
) -> VetOutcome:
    """fetch -> scan -> plan (shown through confirm_run) -> run -> correlate -> write reports."""
    target, static_result = _acquire_and_scan(request.scan, settings, progress)
    ledger = decide.Ledger(settings.ledger_path)
    prior = ledger.find(decide.repo_identity(target), decide.version_identity(target))
    run_dir = _fresh_run_dir(request.run_dir or default_run_dir(settings, target))
    sandbox_result: SandboxResult | None = None
    skipped: list[Skipped] = []
    if not run:
        skipped.append(Skipped("sandbox", "the run was turned off with --no-run", "drop --no-run to run it"))
    else:
        try:
            run_plan: RunPlan | None = make_plan(target, static_result, request.plan)
        except PlanError as exc:
            run_plan = None
            skipped.append(Skipped("sandbox", exc.message, exc.fix))
        if run_plan is not None:
            if not confirm_run(run_plan, _static_preview(target, static_result, settings, request)):
                declined = Skipped("sandbox", "the run was declined at the prompt", "answer yes, or use --no-input")
                skipped.append(declined)
            else:
                sandbox_result, payload_findings = _execute(target, run_plan, request.sandbox, run_dir, progress)
                static_result = replace(static_result, findings=static_result.findings + payload_findings)
    if skipped:
        static_result = replace(static_result, skipped=static_result.skipped + tuple(skipped))
    progress.step("correlating")
    built = correlate.correlate(
        target, static_result, sandbox_result, _correlate_options(settings, request.scan.offline)
    )
    built = with_sources(built)
    if prior is not None:
        built = replace(built, decision=prior)
    written = report.write_reports(built, run_dir)
    return VetOutcome(built, run_dir, written, prior)


def _static_preview(target: Target, static_result: StaticResult, settings: Settings, request: RunRequest) -> Report:
    """What the static scan alone says, for the user deciding whether to run the target."""
    return correlate.correlate(target, static_result, None, _correlate_options(settings, request.scan.offline))


@dataclass(frozen=True)
class ShowRequest:
    scan: ScanRequest  # scan.target may also be a run directory: its report.json is used
    path: str | None = None  # a file, relative to the target's root; None: the tree of files
    line: int | None = None
    finding: str | None = None  # a finding id (or a unique prefix of one): its file at its line


@dataclass(frozen=True)
class ShowOutcome:
    report: Report
    files: tuple[str, ...]  # the target's files, for the tree
    view: SourceView | None  # the file asked for
    focus_line: int | None
    note: str = ""  # what could not be shown, and why


def _is_run_dir(target: str) -> bool:
    path = Path(target)
    return path.is_dir() and (path / RUN_DIR_MARKER).is_file() and (path / "report.json").is_file()


def _find_finding(built: Report, wanted: str) -> Finding:
    matches = [f for f in built.findings if f.id == wanted] or [f for f in built.findings if f.id.startswith(wanted)]
    if len(matches) != 1:
        problem = "no finding has" if not matches else f"{len(matches)} findings have"
        raise InspectorError(
            f"{problem} the id {wanted!r}", "run `inspector show TARGET` (no path) to list the findings and their ids"
        )
    if matches[0].path is None:
        raise InspectorError(
            f"finding {wanted} is about the run as a whole and has no file", "open report.html for run findings"
        )
    return matches[0]


def _relative_to_target(root: Path, raw: str) -> str:
    """PATH as given: relative to the target's root, or a path (from here) inside it."""
    rel = raw.replace("\\", "/").lstrip("/") if not Path(raw).is_absolute() else raw
    if (root / rel).exists() or (root / rel).is_symlink():
        return rel
    resolved = (Path(raw) if Path(raw).is_absolute() else Path.cwd() / raw).resolve()
    if resolved.is_relative_to(root.resolve()):
        return resolved.relative_to(root.resolve()).as_posix()
    return rel


def show(request: ShowRequest, settings: Settings, progress: Progress) -> ShowOutcome:
    """A file of the target (or its tree) with the findings to mark: for ``inspector show``."""
    if _is_run_dir(request.scan.target):
        built = report.load_report(Path(request.scan.target))
    else:
        target, static_result = _acquire_and_scan(request.scan, settings, progress)
        progress.step("correlating")
        built = correlate.correlate(target, static_result, None, _correlate_options(settings, request.scan.offline))
    root = Path(built.target.path)
    path, line = request.path, request.line
    if request.finding is not None:
        finding = _find_finding(built, request.finding)
        path, line = finding.path, finding.line
    if not root.is_dir():
        return _from_saved(built, path, line)
    if path is None:
        files, _notes = static.walk(root)
        return ShowOutcome(built, tuple(f.path for f in files), None, None)
    rel = _relative_to_target(root, path)
    try:
        data, size = static.read_bounded(root, rel)
    except OSError as exc:
        raise InspectorError(
            f"cannot show {rel}: {exc.strerror or exc}",
            "pass a file of the target, relative to its root (see the tree)",
        ) from None
    return ShowOutcome(built, (), static.source_view(rel, data, size, built.findings, line), line)


def _from_saved(built: Report, path: str | None, line: int | None) -> ShowOutcome:
    """The target's tree is gone (a cleaned quarantine): show what report.json kept."""
    gone = f"the target's files are no longer at {built.target.path}"
    if path is None:
        paths = tuple(sorted({f.path for f in built.findings if f.path}))
        return ShowOutcome(built, paths, None, None, f"{gone}; only files with findings are listed")
    saved = [view for view in built.sources if view.path == path]
    covering = [view for view in saved if line is None or view.first_line <= line <= view.last_line]
    if not (covering or saved):
        raise InspectorError(f"{gone}, and the report keeps no excerpt of {path}", "vet the target again")
    return ShowOutcome(built, (), (covering or saved)[0], line, f"{gone}; showing the excerpt saved in the report")


def render(built: Report, fmt: ReportFormat) -> str:
    return report.render(built, fmt)


def load_report(run_dir: Path) -> Report:
    return report.load_report(run_dir)


def record_decision(
    run_dir: Path, settings: Settings, decision: HumanDecision, reviewer: str, note: str
) -> Decision:
    """Append the decision to the hash-chained ledger and write it into the run's reports."""
    loaded = report.load_report(run_dir)
    report_json = run_dir / "report.json"
    digest = hashlib.sha256(report_json.read_bytes()).hexdigest()
    recorded = decide.Ledger(settings.ledger_path).record(loaded, digest, decision, reviewer, note)
    report.write_reports(replace(loaded, decision=recorded), run_dir)
    return recorded


def verify_ledger(settings: Settings) -> list[str]:
    return decide.Ledger(settings.ledger_path).verify()


def build_images(progress: Progress, force: bool = False) -> list[str]:
    return sandbox.build_images(progress, force=force)


@dataclass(frozen=True)
class DoctorCheck:
    name: str
    ok: bool
    detail: str  # version, or what is wrong
    fix: str = ""
    essential: bool = False  # without it even a static scan cannot run


REINSTALL_FIX = f"reinstall {DISTRIBUTION} (`pipx reinstall {DISTRIBUTION}`; in a checkout: scripts/setup)"


def doctor_checks() -> list[DoctorCheck]:
    checks = [_git_check()]
    try:
        grammars = static.grammar_versions()
        checks.append(DoctorCheck("tree-sitter grammars", True, ", ".join(f"{k} {v}" for k, v in grammars.items())))
    except PackageNotFoundError as exc:
        checks.append(DoctorCheck("tree-sitter grammars", False, f"missing: {exc}", REINSTALL_FIX, True))
    version = static.semgrep_version()
    checks.append(
        DoctorCheck("semgrep", True, version)
        if version
        else DoctorCheck("semgrep", False, "missing: the scan runs with tree-sitter only", "pip install semgrep")
    )
    rules = static.semgrep_rules_dir()
    checks.append(
        DoctorCheck("semgrep rule pack", True, str(rules))
        if rules
        else DoctorCheck("semgrep rule pack", False, "missing: Semgrep cannot run", REINSTALL_FIX)
    )
    try:
        checks.append(DoctorCheck("mitmproxy (recorder)", True, package_version("mitmproxy")))
    except PackageNotFoundError:
        checks.append(DoctorCheck("mitmproxy (recorder)", False, "missing: no sandbox runs", REINSTALL_FIX))
    for engine in sandbox.engine_status():
        checks.append(DoctorCheck(engine.name, engine.ok, engine.detail, engine.fix))
    return checks


def _git_check() -> DoctorCheck:
    try:
        return DoctorCheck("git", True, acquire.git_version())
    except InspectorError as exc:
        return DoctorCheck("git", False, exc.message, exc.fix, essential=True)


def show_text(outcome: ShowOutcome, width: int, color: bool) -> tuple[str, int]:
    """The terminal text of ``show`` and the row to open the pager at."""
    if outcome.view is None:
        label = report.views.target_label(outcome.report)
        return report.render_tree(label, outcome.files, outcome.report.findings, width=width, color=color), 0
    rendered = report.render_source(
        outcome.view, outcome.report.findings, width=width, color=color, focus_line=outcome.focus_line
    )
    return rendered.text, rendered.focus_row


Limits = acquire.Limits
Acquired = acquire.Acquired

__all__ = [
    "Acquired",
    "DoctorCheck",
    "Limits",
    "PlanOptions",
    "ReportFormat",
    "RunRequest",
    "SandboxOptions",
    "ScanOutcome",
    "ScanRequest",
    "Settings",
    "ShowOutcome",
    "ShowRequest",
    "VetOutcome",
    "build_images",
    "doctor_checks",
    "fetch",
    "load_report",
    "record_decision",
    "render",
    "run",
    "scan",
    "scan_many",
    "show",
    "show_text",
    "vet",
    "with_sources",
]

