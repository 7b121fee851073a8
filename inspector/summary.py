"""The terminal side of ``inspector scan TARGET...``: a progress bar, one report file per target,
and the summary (a table, or JSON lines with ``--format json``).

The bar goes to stderr and only to a terminal, so stdout stays the summary a script reads.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from inspector.model import Report, Severity
from inspector.pipeline import ScanOutcome
from inspector.textsafe import terminal_safe

_SUFFIX = {"text": "txt", "json": "json", "md": "md", "html": "html", "sarif": "sarif"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class SummaryPrinter:
    """Progress (``step``), per-target report files (``done``) and the summary of a batch."""

    def __init__(self, total: int, fmt: str, output_dir: Path | None, render: Callable[[Report], str]) -> None:
        self.fmt = fmt
        self.output_dir = output_dir
        self.render = render
        self.written: dict[str, Path] = {}
        self.console = Console(stderr=True, highlight=False)
        self.bar: Progress | None = None
        if self.console.is_terminal:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.task = self.bar.add_task("scanning", total=total)

    def __enter__(self) -> SummaryPrinter:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.bar is not None:
            self.bar.stop()

    def step(self, message: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=escape(terminal_safe(message, limit=60)))

    def done(self, outcome: ScanOutcome) -> None:
        if outcome.report is not None and self.output_dir is not None:
            self.written[outcome.target] = self._write(outcome.target, outcome.report)
        if self.bar is not None:
            self.bar.advance(self.task)

    def _write(self, target: str, report: Report) -> Path:
        assert self.output_dir is not None
        self.output_dir.mkdir(parents=True, exist_ok=True)
        slug = _UNSAFE.sub("-", target.rstrip("/").rsplit("/", 1)[-1])[:60].strip(".-") or "target"
        path = self.output_dir / f"{slug}.{_SUFFIX[self.fmt]}"
        number = 2
        while path in self.written.values() or path.exists():
            path = self.output_dir / f"{slug}-{number}.{_SUFFIX[self.fmt]}"
            number += 1
        path.write_text(self.render(report), encoding="utf-8")
        return path

    def summary(self, outcomes: list[ScanOutcome]) -> str:
        if self.fmt == "json":
            return "".join(json.dumps(self._row(o)) + "\n" for o in outcomes)
        table = Table(title=f"{len(outcomes)} targets")
        for column in ("target", "verdict", "critical", "high", "medium", "report / error"):
            table.add_column(column, overflow="fold")
        for outcome in outcomes:
            row = self._row(outcome)
            counts = row["findings"] if isinstance(row["findings"], dict) else {}
            table.add_row(
                escape(terminal_safe(outcome.target, limit=200)),
                str(row["verdict"] or "[red]error[/red]"),
                *(str(counts.get(level, 0)) for level in ("critical", "high", "medium")),
                escape(terminal_safe(" ".join(str(row["report"] or row["error"] or "").split()), limit=300)),
            )
        buffer = io.StringIO()
        Console(file=buffer, highlight=False, width=160).print(table)
        return buffer.getvalue()

    def _row(self, outcome: ScanOutcome) -> dict[str, object]:
        report = outcome.report
        written = self.written.get(outcome.target)
        return {
            "target": outcome.target,
            "verdict": report.verdict.value if report else None,
            "findings": {s.value: sum(f.severity is s for f in report.findings) for s in Severity} if report else None,
            "report": str(written) if written else None,
            "error": outcome.error,
        }


__all__ = ["SummaryPrinter"]
