"""Render a report as text, JSON, Markdown, HTML or SARIF; write and read run directories."""

from inspector.report import views
from inspector.report.formats import WRITTEN_FORMATS, ReportFormat
from inspector.report.interface import Renderer
from inspector.report.source import Rendered, render_source, render_tree
from inspector.report.store import load_report, render, write_reports
from inspector.report.text import TextRenderer, summary

__all__ = [
    "WRITTEN_FORMATS",
    "Rendered",
    "Renderer",
    "ReportFormat",
    "TextRenderer",
    "load_report",
    "render",
    "render_source",
    "render_tree",
    "summary",
    "views",
    "write_reports",
]
