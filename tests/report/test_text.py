from __future__ import annotations

import re

from inspector.report import ReportFormat, TextRenderer, render

# Any C0/C1 control other than newline, and the bidi/invisible format characters.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def test_summary_has_verdict_why_hosts(malicious_report):
    text = render(malicious_report, ReportFormat.TEXT)
    assert "MALICIOUS" in text
    assert "server/middleware/errorHandler.js:14:5" in text
    assert "api.npoint.io" in text and "c2.exfil.invalid" in text
    assert "⟨380 spaces⟩" in text
    assert "Not done" in text and "rdap" in text
    assert "\n    fix: retry, or pass --offline\n" in text


def test_hostile_strings_are_shown_never_emitted(hostile_report):
    text = render(hostile_report, ReportFormat.TEXT)
    assert RAW_CONTROL.search(text) is None
    assert "\\x1b]0;owned\\x07" in text
    assert "<U+202E>" in text
    # rich would have styled and swallowed this if it were parsed as markup
    assert "[bold red]rich markup[/]" in text


def test_color_styles_are_ours_only(hostile_report):
    text = TextRenderer(color=True).render(hostile_report)
    assert "\x1b[" in text  # our own styling is there
    assert "\x1b]0;owned" not in text
    assert "\u202e" not in text
    without_sgr = re.sub("\x1b\\[[0-9;]*m", "", text)
    assert RAW_CONTROL.search(without_sgr) is None


def test_report_paths_listed(malicious_report, tmp_path):
    text = TextRenderer(report_paths={"html": tmp_path / "report.html"}).render(malicious_report)
    assert str(tmp_path / "report.html") in text


def test_clean_report(clean_report):
    text = render(clean_report, ReportFormat.TEXT)
    assert "CLEAN" in text and "nothing found" in text
