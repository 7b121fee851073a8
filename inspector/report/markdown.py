"""report.md, for tickets: GitHub-flavoured Markdown in which target text stays text.

Target strings are made visible with ``terminal_safe`` (no bidi control or escape byte reaches
the ticket), then either backslash-escaped with ``<``/``>``/``&`` as entities (prose) or put in
code spans and fenced blocks, where Markdown and HTML are not interpreted. Hosts and URLs are
always code, so a hostile host never becomes a live link.
"""

from __future__ import annotations

import re

from inspector.model import Finding, Report
from inspector.report import views
from inspector.report.interface import Renderer
from inspector.textsafe import terminal_safe

# ``.`` and ``:`` too, so ``www.x`` and ``https://x`` in prose never become autolinks.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")
_BACKTICK_RUN = re.compile(r"`+")
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_EVIDENCE_LIMIT = 2000


def md_text(text: str, limit: int | None = 500) -> str:
    """Prose from the target: every Markdown and HTML metacharacter neutralised."""
    safe = _MARKDOWN_PUNCTUATION.sub(r"\\\1", terminal_safe(text, limit=limit))
    return "".join(_HTML_ENTITIES.get(ch, ch) for ch in safe)


def md_code(text: str, limit: int | None = 300) -> str:
    """An inline code span that no content can close early; safe inside table cells."""
    safe = terminal_safe(text, limit=limit)
    longest = max((len(run) for run in _BACKTICK_RUN.findall(safe)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {safe} {fence}".replace("|", "\\|")


def md_block(text: str, limit: int = _EVIDENCE_LIMIT) -> str:
    """A fenced block longer than any backtick run inside, so the content cannot end it."""
    safe = terminal_safe(views.collapse_blanks(text), keep_newlines=True, limit=limit)
    longest = max((len(run) for run in _BACKTICK_RUN.findall(safe)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{safe}\n{fence}"


class MarkdownRenderer(Renderer):
    def render(self, report: Report) -> str:
        out: list[str] = []
        target = report.target
        out.append(f"# inspector report: **{report.verdict.value.upper()}**\n")
        out.append(f"- Target: {md_code(target.source)} ({target.kind})")
        if target.commit:
            out.append(f"- Commit: {md_code(target.commit)}")
        if target.remote_url:
            out.append(f"- Remote: {md_code(target.remote_url)}")
        out.append(f"- Fetched: {md_text(target.fetched_at)}")
        out.append(f"- Tool: inspector {md_text(report.tool.version)}")
        counts = ", ".join(f"{n} {s.value}" for s, n in views.severity_counts(report).items() if n)
        out.append(f"- Findings: {len(report.findings)}" + (f" ({counts})" if counts else ""))
        out.append("")
        out.extend(self._why(report))
        out.extend(self._hosts(report))
        out.extend(self._findings(report))
        out.extend(self._run(report))
        out.extend(self._decision(report))
        out.extend(self._skipped(report))
        return "\n".join(out).rstrip() + "\n"

    def _why(self, report: Report) -> list[str]:
        out = ["## Why", ""]
        out.extend(f"- {md_text(reason)}" for reason in report.verdict_reasons)
        for finding in views.top_findings(report):
            out.append(
                f"- **{finding.severity.value}** {md_code(views.location(finding))}: "
                f"{md_text(finding.message)} ({md_code(finding.rule)})"
            )
        if len(out) == 2:
            out.append("Nothing found.")
        out.append("")
        return out

    def _hosts(self, report: Report) -> list[str]:
        if not report.hosts:
            return []
        out = [
            "## Hosts",
            "",
            "| Host | In code | Contacted | How hidden | Phase | Decision | Attempts | Domain age |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for host in report.hosts:
            cells = [
                md_code(host.host),
                "yes" if host.declared else "**no**",
                "**yes**" if host.contacted else "no",
                md_text(views.how_hidden(host), limit=120).replace("|", "\\|"),
                views.host_phases(host),
                views.host_decisions(host),
                str(views.host_attempts(host)),
                md_text(views.domain_age(host)),
            ]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        return out

    def _findings(self, report: Report) -> list[str]:
        if not report.findings:
            return []
        out = ["## Findings", ""]
        for number, finding in enumerate(views.findings_by_severity(report), 1):
            out.extend(self._finding(number, finding))
        return out

    def _finding(self, number: int, finding: Finding) -> list[str]:
        out = [
            f"### {number}. {finding.severity.value.upper()}: {md_text(finding.message, limit=200)}",
            "",
            f"- Rule: {md_code(finding.rule)} ({finding.category.value}, {views.engines(finding)})",
            f"- Where: {md_code(views.location(finding))}",
        ]
        if finding.hosts:
            out.append("- Hosts: " + ", ".join(md_code(host) for host in finding.hosts))
        if finding.reachable_from:
            out.append("- Runs from: " + ", ".join(md_code(entry) for entry in finding.reachable_from))
        if finding.trace:
            out.append("- Trace:")
            out.extend(
                f"  {index}. {md_code(f'{step.path}:{step.line}:{step.column}')} {md_text(step.note)}"
                for index, step in enumerate(finding.trace, 1)
            )
        out.append("")
        if finding.evidence:
            out.extend([md_block(finding.evidence), ""])
        return out

    def _run(self, report: Report) -> list[str]:
        run = report.run
        if run is None:
            return ["## Run", "", "The target was not run in the sandbox.", ""]
        out = [
            "## Run",
            "",
            f"Image {md_code(run.image)} on {md_code(run.runtime)}, network policy {md_code(run.policy)}, "
            f"{md_text(run.started_at)} to {md_text(run.finished_at)}.",
            "",
            *(f"- {md_text(note)}" for note in views.run_notes(run)),
            "",
            "| Phase | Status | Exit | Seconds | Commands |",
            "|---|---|---|---|---|",
        ]
        for phase in run.phases:
            exit_code = "" if phase.exit_code is None else str(phase.exit_code)
            commands = "<br>".join(md_code(command) for command in phase.commands)
            out.append(
                f"| {phase.name.value} | {phase.status.value} | {exit_code} | {phase.duration_s:.1f} | {commands} |"
            )
        out.append("")
        return out

    def _decision(self, report: Report) -> list[str]:
        decision = report.decision
        if decision is None:
            return ["## Decision", "", "No decision recorded yet.", ""]
        return [
            "## Decision",
            "",
            f"**{decision.decision.value}** by {md_text(decision.reviewer)} at {md_text(decision.decided_at)}",
            "",
            f"> {md_text(decision.note)}" if decision.note else "",
            "",
        ]

    def _skipped(self, report: Report) -> list[str]:
        if not report.skipped:
            return []
        out = ["## Not done", ""]
        out.extend(f"- {md_code(s.component)}: {md_text(s.reason)} (fix: {md_text(s.fix)})" for s in report.skipped)
        out.append("")
        return out
