"""The output formats as a choice enum; ``renderer()`` is exhaustive (``assert_never``)."""

from __future__ import annotations

import enum
from typing import assert_never

from inspector.report.interface import Renderer
from inspector.report.json import JsonRenderer
from inspector.report.markdown import MarkdownRenderer
from inspector.report.sarif import SarifRenderer
from inspector.report.text import TextRenderer


class ReportFormat(enum.Enum):
    TEXT = "text"
    JSON = "json"
    MD = "md"
    HTML = "html"
    SARIF = "sarif"

    def renderer(self) -> Renderer:
        if self is ReportFormat.TEXT:
            return TextRenderer()
        if self is ReportFormat.JSON:
            return JsonRenderer()
        if self is ReportFormat.MD:
            return MarkdownRenderer()
        if self is ReportFormat.HTML:
            from inspector.report.html import HtmlRenderer  # jinja2: only when HTML is asked for

            return HtmlRenderer()
        if self is ReportFormat.SARIF:
            return SarifRenderer()
        assert_never(self)

    @property
    def file_name(self) -> str:
        """The name of this format's file in a run directory (``report.md``)."""
        return f"report.{self.value}"


# The files ``write_reports`` leaves in a run directory; the terminal summary is printed instead.
WRITTEN_FORMATS = (ReportFormat.JSON, ReportFormat.MD, ReportFormat.HTML, ReportFormat.SARIF)
