"""Reports on disk: write the four files of a run directory, read report.json back."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from inspector.errors import ReportError
from inspector.model import SCHEMA_ID, Report, ReportFormatError, from_dict
from inspector.report.formats import WRITTEN_FORMATS, ReportFormat

REPORT_JSON = ReportFormat.JSON.file_name


def render(report: Report, fmt: ReportFormat) -> str:
    return fmt.renderer().render(report)


def _write_atomically(path: Path, text: str) -> None:
    # A half-written report.json would be read back as corrupt, or hashed into a decision.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_reports(report: Report, out_dir: Path) -> dict[ReportFormat, Path]:
    """Write report.json, report.md, report.html and report.sarif into ``out_dir``."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written: dict[ReportFormat, Path] = {}
        for fmt in WRITTEN_FORMATS:
            path = out_dir / fmt.file_name
            _write_atomically(path, render(report, fmt))
            written[fmt] = path
    except OSError as exc:
        raise ReportError(
            f"cannot write the reports into {out_dir}: {exc.strerror or exc}",
            fix="choose a writable directory with --output",
        ) from exc
    return written


def load_report(run_dir: Path) -> Report:
    """Read ``run_dir/report.json`` back into a :class:`Report` (``inspector report RUN_DIR``)."""
    path = run_dir / REPORT_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(
            f"no {REPORT_JSON} in {run_dir}",
            fix="pass the directory given to --output of `inspector vet` or `inspector run`",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(
            f"{path} cannot be read as JSON: {exc}",
            fix="re-create it with `inspector vet TARGET --output DIR`",
        ) from None
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema != SCHEMA_ID:
        raise ReportError(
            f"{path} has schema {schema!r}, this inspector reads {SCHEMA_ID!r}",
            fix="re-render it with the inspector version that wrote it, or vet the target again",
        )
    try:
        return from_dict(Report, data)
    except ReportFormatError as exc:
        raise ReportError(
            f"{path} is not an inspector.report/1 report: {exc}",
            fix="re-create it with the installed inspector: `inspector vet TARGET --output DIR`",
        ) from None
