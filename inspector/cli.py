"""Command line: parse options -> pipeline -> render -> exit code. Nothing else lives here.

Exit codes: 0 verdict below --fail-on; 1 at or above it; 2 usage or operational error (one
line of what happened, one of how to fix it, no traceback); 128 + N when signal N (SIGINT,
SIGTERM, SIGHUP) stopped the run, after cleaning up.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from inspector import DISTRIBUTION, __version__, pipeline
from inspector.errors import InspectorError, Interrupted
from inspector.model import HumanDecision, PhaseName, Report, RunPlan, Verdict, to_dict
from inspector.pipeline import PlanOptions, ReportFormat, SandboxOptions
from inspector.scratch import scratch_space
from inspector.textsafe import terminal_safe

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = [f.value for f in ReportFormat]
FAIL_ON = {"malicious": Verdict.MALICIOUS, "suspicious": Verdict.SUSPICIOUS, "never": None}
PHASES = [p.value for p in PhaseName]
SEMGREP_MODES = ["relevant", "all", "off"]


class StepPrinter:
    """Progress for long steps on stderr; silent for JSON output or when stderr is not a TTY."""

    def __init__(self, enabled: bool) -> None:
        self.console = Console(stderr=True, highlight=False)
        self.enabled = enabled and self.console.is_terminal

    def step(self, message: str) -> None:
        if self.enabled:
            self.console.print(f"[dim]→ {escape(terminal_safe(message))}[/dim]")


def _settings(workdir: Path | None) -> pipeline.Settings:
    return pipeline.Settings.default(workdir)


def _exit_code(report: Report, fail_on: str) -> int:
    threshold = FAIL_ON[fail_on]
    return 1 if threshold is not None and report.verdict.rank >= threshold.rank else 0


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")


def _render(report: Report, fmt: str) -> str:
    return pipeline.render(report, ReportFormat(fmt))


def output_options(func: F) -> F:
    func = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)(func)
    func = click.option("--output", type=click.Path(path_type=Path), help="Write the report here.")(func)
    return click.option(
        "--fail-on", type=click.Choice(list(FAIL_ON)), default="malicious", show_default=True,
        help="Exit 1 when the verdict is at or above this.",
    )(func)


def limit_options(func: F) -> F:
    """Caps on what a fetch may bring in; going over one stops with exit 2 naming the option."""
    defaults = pipeline.Limits()
    func = click.option(
        "--max-file-size", type=click.IntRange(min=1), default=defaults.max_file_bytes, show_default=True,
        help="Largest single file copied or unpacked, in bytes.",
    )(func)
    func = click.option(
        "--max-files", type=click.IntRange(min=1), default=defaults.max_files, show_default=True,
        help="Most files, directories and links taken from a target.",
    )(func)
    return click.option(
        "--max-size", type=click.IntRange(min=1), default=defaults.max_bytes, show_default=True,
        help="Most bytes taken from a target (clone, archive content or directory).",
    )(func)


def _limits(kw: dict[str, Any]) -> pipeline.Limits:
    return pipeline.Limits(max_bytes=kw["max_size"], max_files=kw["max_files"], max_file_bytes=kw["max_file_size"])


def scan_options(func: F) -> F:
    func = limit_options(func)
    func = click.option("--workdir", type=click.Path(path_type=Path), help="Quarantine for fetched targets.")(func)
    func = click.option("--depth", type=int, default=50, show_default=True, help="Clone depth (0 = all).")(func)
    func = click.option("--jobs", type=int, help="Worker processes for the static scan (default: all cores).")(func)
    func = click.option(
        "--semgrep", "semgrep_mode", type=click.Choice(SEMGREP_MODES), default="relevant", show_default=True,
        help="relevant: Semgrep on the files that can hold one of its findings; all: on every file; off.",
    )(func)
    func = click.option("--no-semgrep", is_flag=True, help="Skip the Semgrep engine (--semgrep=off).")(func)
    return click.option("--offline", is_flag=True, help="No domain-age (RDAP) look-ups.")(func)


def run_options(func: F) -> F:
    options = [
        click.option("--cmd", "commands", multiple=True, help="Command to start it (repeatable); replaces the plan's."),
        click.option("--no-install", is_flag=True, help="Skip the install phase."),
        click.option("--phase", "phases", multiple=True, type=click.Choice(PHASES), help="Phases to run (repeatable)."),
        click.option(
            "--runtime", type=click.Choice(["auto", "runc", "runsc"]), default="auto", show_default=True,
            help="auto: gVisor (runsc) when it works here, else hardened runc with a warning.",
        ),
        click.option("--require-gvisor", is_flag=True, help="Refuse to run unless gVisor (runsc) can be used."),
        click.option("--timeout", type=float, default=120.0, show_default=True, help="Seconds per phase."),
        click.option("--linger", type=float, default=45.0, show_default=True, help="Seconds watched after start."),
        click.option("--allow", multiple=True, help="Forward traffic to this host (repeatable)."),
        click.option("--allow-all", is_flag=True, help="UNSAFE: forward everything (still recorded)."),
        click.option("--resolve", multiple=True, help="HOST=IP: answer HOST with an address you control."),
        click.option("--run-dir", type=click.Path(path_type=Path), help="Where run artifacts and reports go."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _scan_request(target: str, paths: tuple[str, ...], kw: dict[str, Any]) -> pipeline.ScanRequest:
    semgrep = not kw["no_semgrep"] and kw["semgrep_mode"] != "off"
    return pipeline.ScanRequest(
        target=target, paths=paths, depth=kw["depth"], limits=_limits(kw), jobs=kw["jobs"], semgrep=semgrep,
        semgrep_all=semgrep and kw["semgrep_mode"] == "all", offline=kw["offline"],
    )


def _run_request(target: str, kw: dict[str, Any]) -> pipeline.RunRequest:
    resolve = []
    for item in kw["resolve"]:
        host, sep, address = item.partition("=")
        if not sep or not host or not address:
            raise click.BadParameter(f"{item!r} is not HOST=IP", param_hint="--resolve")
        resolve.append((host.lower(), address))
    phases = tuple(PhaseName(p) for p in kw["phases"]) or PlanOptions().phases
    return pipeline.RunRequest(
        scan=_scan_request(target, (), kw),
        plan=PlanOptions(commands=tuple(kw["commands"]), install=not kw["no_install"], phases=phases),
        sandbox=SandboxOptions(
            runtime=kw["runtime"], require_gvisor=kw["require_gvisor"], timeout_s=kw["timeout"],
            linger_s=kw["linger"], allow=tuple(kw["allow"]),
            allow_all=kw["allow_all"], resolve=tuple(resolve),
        ),
        run_dir=kw["run_dir"],
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name=DISTRIBUTION, message="%(prog)s %(version)s")
def cli() -> None:
    """Vet a repository a stranger sent you: fetch it without running it, scan it, run it in a
    recorded sandbox, and decide."""


@cli.command()
@click.argument("target")
@click.option("--no-run", is_flag=True, help="Scan only; do not run it in the sandbox.")
@click.option("--no-input", is_flag=True, help="Never prompt (automation): run, and leave the decision pending.")
@output_options
@scan_options
@run_options
def vet(target: str, no_run: bool, no_input: bool, fmt: str, output: Path | None, fail_on: str, **kw: Any) -> None:
    """The whole flow: fetch, scan, show the plan, run, correlate, report, decide."""
    settings = _settings(kw["workdir"])
    request = _run_request(target, {**kw, "run_dir": output or kw["run_dir"]})
    console = Console(stderr=fmt == "json", highlight=False)
    outcome = pipeline.vet(
        request, settings, StepPrinter(fmt != "json"), _confirm_run(console, no_input), run=not no_run
    )
    if outcome.prior_decision is not None:
        prior = outcome.prior_decision
        console.print(
            f"[bold]Already decided[/bold] for this commit: {prior.decision.value} by "
            f"{escape(terminal_safe(prior.reviewer))} at {prior.decided_at}"
        )
    click.echo(_render(outcome.report, fmt), nl=False)
    if fmt != "json":
        console.print(f"\nReports written to {escape(str(outcome.run_dir))}: " + ", ".join(
            p.name for p in outcome.written.values()))
    if not no_input and fmt != "json" and outcome.prior_decision is None and sys.stdin.isatty():
        _ask_decision(console, outcome.run_dir, settings)
    sys.exit(_exit_code(outcome.report, fail_on))


def _confirm_run(console: Console, no_input: bool) -> Callable[[RunPlan, Report], bool]:
    def confirm(run_plan: RunPlan, static_report: Report) -> bool:
        asking = not no_input and sys.stdin.isatty()
        if asking:
            # The user decides whether to run it: first what the code already gave away.
            console.print("\n[bold]Static scan[/bold] (nothing has run yet):")
            console.print(_render(static_report, "text"), end="", markup=False, highlight=False)
        console.print(f"\n[bold]Run plan[/bold] ({run_plan.ecosystem}, image {run_plan.image}):")
        for phase in run_plan.phases:
            console.print(f"  [cyan]{phase.name.value}[/cyan]  ({escape(terminal_safe(phase.why))})")
            for command in phase.commands:
                console.print(f"      $ {escape(terminal_safe(command, limit=300))}")
        for note in run_plan.notes:
            console.print(f"  note: {escape(note)}")
        if not asking:
            return True
        return click.confirm("Run this in the disposable sandbox (network recorded and blocked)?", default=True)

    return confirm


def _ask_decision(console: Console, run_dir: Path, settings: pipeline.Settings) -> None:
    choice = click.prompt(
        "Decision", type=click.Choice(["approve", "reject", "pending"]), default="pending", show_default=True
    )
    if choice == "pending":
        console.print(f"Left pending. Later: inspector decide {escape(str(run_dir))} --approve|--reject")
        return
    note = click.prompt("Note", default="", show_default=False)
    recorded = pipeline.record_decision(run_dir, settings, HumanDecision(choice), _reviewer(), note)
    console.print(f"Recorded: {recorded.decision.value} (ledger entry {recorded.ledger_entry})")


@cli.command()
@click.argument("target")
@click.option("--workdir", type=click.Path(path_type=Path), help="Quarantine directory.")
@click.option("--depth", type=int, default=50, show_default=True, help="Clone depth (0 = full history).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@limit_options
def fetch(target: str, workdir: Path | None, depth: int, fmt: str, **kw: Any) -> None:
    """Fetch TARGET into the quarantine without running any of it (no hooks, no submodules, no LFS)."""
    acquired = pipeline.fetch(target, _settings(workdir), StepPrinter(fmt != "json"), depth, _limits(kw))
    fetched = acquired.target
    if fmt == "json":
        click.echo(json.dumps(to_dict(fetched), indent=2))
        return
    console = Console(highlight=False)
    console.print(f"Fetched into [bold]{escape(fetched.path)}[/bold]")
    for key, value in asdict(fetched).items():
        if key not in ("path", "links", "submodules") and value is not None:
            console.print(f"  {key}: {escape(terminal_safe(str(value), limit=400))}")
    for link in fetched.links:
        where = "[red]outside the repository[/red]" if link.escapes else "inside"
        console.print(f"  link {escape(terminal_safe(link.path))} -> {escape(terminal_safe(link.points_to))} ({where})")
    for sub in fetched.submodules:
        console.print(f"  submodule {escape(terminal_safe(sub.path))}: {escape(terminal_safe(sub.url))} (not fetched)")
    for finding in acquired.findings:
        console.print(f"  [yellow]{escape(finding.rule)}[/yellow]: {escape(terminal_safe(finding.message, limit=400))}")
    for skipped in acquired.skipped:
        console.print(f"  [yellow]not done[/yellow] ({escape(skipped.component)}): "
                      f"{escape(terminal_safe(skipped.reason, limit=400))}")


@cli.command()
@click.argument("targets", nargs=-1)
@click.option(
    "--targets-file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Scan the targets listed in this file, one per line (# comments and blank lines ignored).",
)
@click.option(
    "--output-dir", type=click.Path(path_type=Path, file_okay=False),
    help="With many targets: write one report per target here, in --format.",
)
@output_options
@scan_options
def scan(
    targets: tuple[str, ...], targets_file: Path | None, output_dir: Path | None, fmt: str, output: Path | None,
    fail_on: str, **kw: Any,
) -> None:
    """Scan TARGETS statically (tree-sitter and Semgrep).

    One target: its report. `inspector scan DIR FILE...` with files inside DIR scans only those
    files (pre-commit mode). Several targets (or --targets-file): one process scans them all and
    prints a summary table (JSON lines with --format json); exit 1 when any verdict is at or above
    --fail-on, 2 when a target could not be scanned.
    """
    listed = _read_targets(targets_file) if targets_file else []
    if not targets and not listed:
        raise click.UsageError("give a TARGET (a path, git URL or archive) or --targets-file")
    everything = [*targets, *listed]
    if len(everything) > 1 and (listed or not _is_precommit(targets)):
        sys.exit(_scan_many(everything, output_dir, fmt, output, fail_on, kw))
    request = _scan_request(everything[0], tuple(everything[1:]), kw)
    report = pipeline.scan(request, _settings(kw["workdir"]), StepPrinter(fmt != "json"))
    _emit(_render(report, fmt), output)
    sys.exit(_exit_code(report, fail_on))


def _read_targets(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _is_precommit(targets: tuple[str, ...]) -> bool:
    """DIR FILE...: every further argument an existing file inside the first, a directory."""
    if len(targets) < 2 or not Path(targets[0]).is_dir():
        return False
    root = Path(targets[0]).resolve()
    return all(Path(t).is_file() and Path(t).resolve().is_relative_to(root) for t in targets[1:])


def _scan_many(targets: list[str], output_dir: Path | None, fmt: str, output: Path | None, fail_on: str,
               kw: dict[str, Any]) -> int:
    from inspector.summary import SummaryPrinter

    printer = SummaryPrinter(len(targets), fmt, output_dir, lambda report: _render(report, fmt))
    with printer:
        outcomes = pipeline.scan_many(
            [_scan_request(t, (), kw) for t in targets], _settings(kw["workdir"]), printer, printer.done,
            jobs=kw["jobs"],
        )
    _emit(printer.summary(outcomes), output)
    reports = [o.report for o in outcomes if o.report is not None]
    if any(_exit_code(r, fail_on) for r in reports):
        return 1
    return 2 if any(o.error for o in outcomes) else 0


@cli.command()
@click.argument("target")
@output_options
@scan_options
@run_options
def run(target: str, fmt: str, output: Path | None, fail_on: str, **kw: Any) -> None:
    """Run TARGET in a disposable container whose only network is a recorder."""
    report, _run_dir = pipeline.run(_run_request(target, kw), _settings(kw["workdir"]), StepPrinter(fmt != "json"))
    _emit(_render(report, fmt), output)
    sys.exit(_exit_code(report, fail_on))


def _location(location: str | None) -> tuple[str | None, int | None]:
    if location is None:
        return None, None
    path, sep, line = location.rpartition(":")
    if sep and path and line.isdigit():
        return path, int(line)
    return location, None


def _page(text: str, start_row: int) -> None:
    """Through less, opened at ``start_row``; its shell escapes, editor and input filters off."""
    pager = shutil.which("less")
    if pager is None:
        click.echo(text, nl=False)
        return
    env = {k: v for k, v in os.environ.items() if k not in ("LESSOPEN", "LESSCLOSE", "LESSEDIT", "LESSKEY")}
    env["LESSSECURE"] = "1"
    # Open with the focus line third from the top, unless the text ends within the first screen.
    top = max(0, min(start_row - 2, text.count("\n") - (shutil.get_terminal_size().lines - 1)))
    command = [pager, "-R", "-F", *([f"+{top + 1}"] if top else [])]
    try:
        subprocess.run(command, input=text.encode("utf-8"), env=env, check=False)
    except OSError:
        click.echo(text, nl=False)


@cli.command()
@click.argument("target")
@click.argument("location", required=False, metavar="[PATH[:LINE]]")
@click.option("--finding", "finding_id", help="Show the file of this finding, at its line.")
@click.option("--no-pager", is_flag=True, help="Print instead of paging (always so when stdout is not a terminal).")
@click.option("--width", type=int, help="Wrap at this many columns (default: the terminal's width).")
@scan_options
def show(
    target: str, location: str | None, finding_id: str | None, no_pager: bool, width: int | None, **kw: Any
) -> None:
    """Show a file of TARGET safely: nothing hidden, findings in the margin. No PATH: the file tree.

    TARGET is what vet takes (URL, directory, archive) or a run directory. Long runs of blanks
    and blank lines become markers ([412 spaces]), invisible and look-alike characters are named,
    control bytes are never printed, and a file is shown as what it really is.
    """
    path, line = _location(location)
    request = pipeline.ShowRequest(_scan_request(target, (), kw), path, line, finding_id)
    outcome = pipeline.show(request, _settings(kw["workdir"]), StepPrinter(True))
    tty = sys.stdout.isatty()
    columns = width or (shutil.get_terminal_size().columns if tty else 100)
    text, row = pipeline.show_text(outcome, max(40, columns), color=tty)
    if outcome.note:
        click.echo(f"note: {terminal_safe(outcome.note)}", err=True)
    if tty and not no_pager:
        _page(text, row)
    else:
        click.echo(text, nl=False)


@cli.command("report")
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False))
@output_options
def report_cmd(run_dir: Path, fmt: str, output: Path | None, fail_on: str) -> None:
    """Re-render the report of RUN_DIR from its report.json, without scanning again."""
    loaded = pipeline.load_report(run_dir)
    _emit(_render(loaded, fmt), output)
    sys.exit(_exit_code(loaded, fail_on))


def _reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--approve", "decision", flag_value="approve", help="Trust this commit.")
@click.option("--reject", "decision", flag_value="reject", help="Do not run this commit.")
@click.option("--pending", "decision", flag_value="pending", help="Record that it is still undecided.")
@click.option("--note", default="", help="Why.")
@click.option("--reviewer", default=None, help="Who decides (default: your user name).")
def decide(run_dir: Path, decision: str | None, note: str, reviewer: str | None) -> None:
    """Record a decision for the report in RUN_DIR in the hash-chained ledger."""
    if decision is None:
        raise click.UsageError("choose one of --approve, --reject or --pending")
    settings = _settings(None)
    recorded = pipeline.record_decision(run_dir, settings, HumanDecision(decision), reviewer or _reviewer(), note)
    click.echo(f"recorded {recorded.decision.value} for commit {recorded.commit or '(no commit)'} "
               f"in {settings.ledger_path} (entry {recorded.ledger_entry})")


@cli.group()
def images() -> None:
    """Sandbox images."""


@images.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if present.")
def images_build(force: bool) -> None:
    """Build the sandbox images locally (no registry needed)."""
    for name in pipeline.build_images(StepPrinter(True), force=force):
        click.echo(f"built {name}")


@cli.command()
def doctor() -> None:
    """Check what this machine has: git, container engine and runtimes, Semgrep, grammars."""
    console = Console(highlight=False)
    python = f"Python {sys.version.split()[0]}, {sys.prefix}"
    console.print(f"[bold]{DISTRIBUTION} {__version__}[/bold] ({escape(python)})")
    missing_essential = False
    for check in pipeline.doctor_checks():
        colour = "green" if check.ok else ("red" if check.essential else "yellow")
        mark = f"[{colour}]{'ok' if check.ok else 'missing'}[/{colour}]"
        console.print(f"{mark:>22}  [bold]{escape(check.name)}[/bold]: {escape(check.detail)}")
        if not check.ok and check.fix:
            console.print(f"{'':>9}fix: {escape(check.fix)}")
        missing_essential |= check.essential and not check.ok
    sys.exit(2 if missing_essential else 0)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def _raise_interrupted(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


def _interrupted(signum: int) -> None:
    # Further signals during clean-up are ignored: the clean-up itself must finish.
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    click.echo(f"interrupted by {signal.Signals(signum).name}", err=True)
    sys.exit(128 + signum)


def main() -> None:
    for sig in STOP_SIGNALS:
        signal.signal(sig, _raise_interrupted)
    # Inside the signal handlers: a stop signal unwinds through the scratch dir's removal.
    with scratch_space():
        _main()


def _main() -> None:
    try:
        cli.main(standalone_mode=False)
    except Interrupted as exc:
        _interrupted(exc.signum)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(2)
    except InspectorError as exc:
        click.echo(f"error: {terminal_safe(exc.diagnostics(), keep_newlines=True)}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _interrupted(signal.SIGINT)
    except Exception as exc:
        # A bug in inspector, not in the user's input: one line, the traceback only on request.
        if os.environ.get("INSPECTOR_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {terminal_safe(str(exc), limit=300)}", err=True)
        click.echo("  fix: rerun with INSPECTOR_DEBUG=1 for the traceback, and report it", err=True)
        sys.exit(2)
