"""Terminal summary: verdict, why, hosts, skipped work, where the reports are.

Every string from the target passes through :func:`inspector.textsafe.terminal_safe` and is
wrapped in a :class:`rich.text.Text`, which rich never parses as markup: a file named
``[red]x`` or one holding ``\\x1b]0;pwned\\x07`` prints as those characters, visibly.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from inspector.model import Report, Severity, Verdict
from inspector.report import views
from inspector.report.interface import Renderer
from inspector.textsafe import terminal_safe

_VERDICT_STYLE = {
    Verdict.MALICIOUS: "bold white on red",
    Verdict.SUSPICIOUS: "bold black on yellow",
    Verdict.CLEAN: "bold white on green",
}
_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
_EVIDENCE_LIMIT = 160


def untrusted(text: str, style: str = "", limit: int | None = None) -> Text:
    """A rich Text of ``text`` with control, bidi and invisible characters made visible."""
    return Text(terminal_safe(text, limit=limit), style=style)


def summary(report: Report, report_paths: Mapping[str, Path] | None = None) -> RenderableType:
    """The terminal summary as a rich renderable, for a CLI that prints with its own Console."""
    parts: list[RenderableType] = [_banner(report), _why(report)]
    if report.hosts:
        parts.append(_hosts(report))
    if report.run is not None:
        parts.append(_run(report))
    if report.decision is not None:
        decision = report.decision
        line = Text("Decision: ", style="bold")
        line.append(decision.decision.value.upper(), style="bold")
        line.append_text(untrusted(f" by {decision.reviewer} at {decision.decided_at}"))
        if decision.note:
            line.append_text(untrusted(f" - {decision.note}", limit=200))
        parts.append(line)
    if report.skipped:
        parts.append(_skipped(report))
    if report_paths:
        reports = Text("Reports:\n", style="bold")
        for name, path in report_paths.items():
            reports.append_text(untrusted(f"  {name:<6} {path}"))
            reports.append("\n")
        parts.append(reports)
    return Group(*parts)


def _banner(report: Report) -> RenderableType:
    counts = views.severity_counts(report)
    banner = Text(f" {report.verdict.value.upper()} ", style=_VERDICT_STYLE[report.verdict])
    banner.append("  ")
    banner.append_text(untrusted(views.target_label(report), style="bold"))
    tally = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    banner.append(f"\n{len(report.findings)} findings" + (f" ({tally})" if tally else ""))
    return Group(Rule(style="dim"), banner)


def _why(report: Report) -> RenderableType:
    why = Text("Why\n", style="bold")
    for reason in report.verdict_reasons:
        why.append("  - ")
        why.append_text(untrusted(reason))
        why.append("\n")
    for finding in views.top_findings(report):
        why.append(f"  {finding.severity.value.upper():<8} ", style=_SEVERITY_STYLE[finding.severity])
        why.append_text(untrusted(views.location(finding), style="bold"))
        why.append("  ")
        why.append_text(untrusted(finding.message))
        why.append(f"  [{finding.rule}]\n", style="dim")
        if finding.evidence:
            why.append("           ")
            evidence = views.collapse_blanks(finding.evidence.strip())
            why.append_text(untrusted(evidence, style="dim", limit=_EVIDENCE_LIMIT))
            why.append("\n")
    hidden = len(report.findings) - len(views.top_findings(report))
    if hidden > 0:
        why.append(f"  ... {hidden} more in the full report\n", style="dim")
    if not report.verdict_reasons and not report.findings:
        why.append("  nothing found\n")
    return why


def _hosts(report: Report) -> RenderableType:
    table = Table(title="Hosts", title_justify="left", expand=False)
    for column in ("host", "in code", "contacted", "how hidden", "phase", "decision", "domain age"):
        table.add_column(column)
    for host in report.hosts:
        table.add_row(
            untrusted(host.host, style="bold"),
            "yes" if host.declared else Text("no", style="red"),
            Text("yes", style="red") if host.contacted else "no",
            untrusted(views.how_hidden(host), limit=60),
            views.host_phases(host),
            views.host_decisions(host),
            untrusted(views.domain_age(host)),
        )
    return table


def _run(report: Report) -> RenderableType:
    assert report.run is not None
    text = Text("Run\n", style="bold")
    for phase in report.run.phases:
        exit_code = "" if phase.exit_code is None else f" (exit {phase.exit_code})"
        text.append(f"  {phase.name.value}: {phase.status.value}{exit_code}, {phase.duration_s:.1f} s\n")
    for note in views.run_notes(report.run):
        text.append("  ")
        text.append_text(untrusted(note, limit=300))
        text.append("\n")
    return text


def _skipped(report: Report) -> RenderableType:
    text = Text("Not done (the report is incomplete here)\n", style="bold yellow")
    for skipped in report.skipped:
        text.append_text(untrusted(f"  {skipped.component}: {skipped.reason}", style="yellow"))
        text.append("\n")
        text.append_text(untrusted(f"    fix: {skipped.fix}", style="dim"))
        text.append("\n")
    return text


class TextRenderer(Renderer):
    """Plain text by default (pipes, logs); ``color=True`` adds ANSI styling of our own only."""

    def __init__(
        self, *, width: int = 110, color: bool = False, report_paths: Mapping[str, Path] | None = None
    ) -> None:
        self.width = width
        self.color = color
        self.report_paths = report_paths

    def render(self, report: Report) -> str:
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=self.width,
            force_terminal=self.color,
            color_system="standard" if self.color else None,
            markup=False,
            emoji=False,
            highlight=False,
        )
        console.print(summary(report, self.report_paths))
        return buffer.getvalue()
