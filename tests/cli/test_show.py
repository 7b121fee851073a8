"""``inspector show`` on every malicious example: the hidden loader is on the first screen of its line.

Each example's expected.json names the places a loader hides (after 380 spaces, behind bidi
controls, as invisible variation selectors, in a ``.woff2``). The example is scanned once into a
run directory; ``show RUN_DIR --finding ID`` (or ``PATH:LINE``) then renders the file at 80x24 as
the pager would open it, and the code rows of that first screen must hold the loader's text and a
visible marker for whatever hid it. The terminal output must carry no raw control byte.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from inspector import pipeline
from inspector.model import Report
from inspector.progress import SilentProgress
from inspector.report import write_reports
from inspector.static.source import BLANK_RUN, is_hidden_char
from tests.cli.conftest import EXAMPLES
from tests.report.test_source import assert_terminal_safe

MALICIOUS = sorted(p for p in (EXAMPLES / "malicious").iterdir() if (p / "expected.json").is_file())
COLUMNS, ROWS = 80, 23  # an 80x24 terminal, less's prompt on the last row
_CODE_ROW = re.compile(r"^ *\d* (?:▶| |↪)│ ?(.*)$")
_SGR = re.compile(r"\x1b\[[0-9;]*m")
_BADGE = re.compile(r"<(?:U\+[0-9A-F]{4,6}|\d+invisiblecharacters:)[^<>]*>")  # with whitespace removed
_LONG_BLANKS = re.compile("[ \t\u00a0\u3000]{" + str(BLANK_RUN + 1) + ",}")


def _settings(tmp: Path) -> pipeline.Settings:
    return pipeline.Settings(workdir=tmp / "quarantine", data_dir=tmp / "data", cache_dir=tmp / "cache")


def _run_dir(example: Path, tmp: Path) -> tuple[Path, Report]:
    request = pipeline.ScanRequest(str(example), semgrep=False, offline=True, jobs=1)
    report = pipeline.scan(request, _settings(tmp), SilentProgress())
    run_dir = tmp / "run"
    write_reports(report, run_dir)
    (run_dir / pipeline.RUN_DIR_MARKER).write_text("test run directory\n")
    return run_dir, report


def _first_screen(text: str, focus_row: int) -> str:
    """The code on screen when the pager opens where ``inspector show`` asks it to (``+row-2``)."""
    rows = _SGR.sub("", text).split("\n")
    top = max(0, focus_row - 3)
    code = [m.group(1) for row in rows[top : top + ROWS] if (m := _CODE_ROW.match(row))]
    return re.sub(r"\s", "", "".join(code))


def _loader_text(raw: str) -> str:
    """What the line says once hiding is undone: the part after the last long run of blanks."""
    shown = "".join(ch for ch in raw if not is_hidden_char(ch) or ch in " \t")
    tail = _LONG_BLANKS.split(shown)[-1].strip() or shown.strip()
    return re.sub(r"\s", "", tail)[:60]


def _finding_at(report: Report, path: str, line: int) -> str | None:
    for finding in report.findings:
        if finding.path == path and finding.line == line:
            return finding.id
    return None


@pytest.mark.parametrize("example", MALICIOUS, ids=[p.name for p in MALICIOUS])
def test_show_puts_the_hidden_loader_on_the_first_screen(example, tmp_path):
    expected = json.loads((example / "expected.json").read_text())
    run_dir, report = _run_dir(example, tmp_path)
    settings = _settings(tmp_path)
    for location in expected["locations"]:
        path, line = location["path"], location["line"]
        finding_id = _finding_at(report, path, line)
        request = pipeline.ShowRequest(
            pipeline.ScanRequest(str(run_dir)),
            path=None if finding_id else path,
            line=None if finding_id else line,
            finding=finding_id,
        )
        outcome = pipeline.show(request, settings, SilentProgress())
        assert outcome.view is not None and outcome.view.path == path
        text, row = pipeline.show_text(outcome, COLUMNS, color=True)
        assert_terminal_safe(text)
        screen = _first_screen(text, row)
        raw = (example / path).read_text(encoding="utf-8", errors="replace").split("\n")[line - 1]
        loader = _loader_text(raw)
        assert loader and loader in _BADGE.sub("", screen), (path, line, loader, screen[:400])
        if _LONG_BLANKS.search(raw):
            assert re.search(r"\[\d+(spaces|tabs|blanks)\]", screen), screen[:400]
        if any(is_hidden_char(ch) for ch in raw.rstrip("\r") if ch != "\t"):
            assert "<U+" in screen or "invisiblecharacters" in screen, screen[:400]


def test_tree_lists_files_with_finding_counts(inspector):
    shown = inspector("show", str(EXAMPLES / "malicious" / "vite-cookie-whitespace"), "--no-semgrep", "--offline")
    assert shown.returncode == 0, shown.stderr
    assert "vite.cookie.js  2 findings (critical)" in shown.stdout
    assert "vite.config.js" in shown.stdout and "--finding ID" in shown.stdout
    assert_terminal_safe(shown.stdout)


def test_show_path_and_line_and_finding_through_the_console_script(inspector):
    target = str(EXAMPLES / "malicious" / "vite-cookie-whitespace")
    shown = inspector("show", target, "public/vite.cookie.js:8", "--no-semgrep", "--offline", "--width", "90")
    assert shown.returncode == 0, shown.stderr
    assert_terminal_safe(shown.stdout)
    flat = _first_screen(shown.stdout, 0)
    assert "[380spaces]fetch('https://jsonkeeper.com/b/Q0Q0Z')" in flat
    assert max(len(row) for row in shown.stdout.split("\n")) <= 90

    finding_id = re.search(r"\[([0-9a-f]{16})\]", shown.stdout)
    assert finding_id
    jumped = inspector("show", target, "--finding", finding_id.group(1)[:8], "--no-semgrep", "--offline")
    assert jumped.returncode == 0, jumped.stderr
    assert "public/vite.cookie.js" in jumped.stdout and "[380 spaces]" in jumped.stdout


def test_unknown_file_and_finding_are_one_line_errors(inspector):
    target = str(EXAMPLES / "malicious" / "vite-cookie-whitespace")
    missing = inspector("show", target, "nope.js", "--no-semgrep", "--offline")
    assert missing.returncode == 2 and "cannot show nope.js" in missing.stderr
    outside = inspector("show", target, "../../../README.md", "--no-semgrep", "--offline")
    assert outside.returncode == 2 and "cannot show" in outside.stderr
    unknown = inspector("show", target, "--finding", "ffffffffffff", "--no-semgrep", "--offline")
    assert unknown.returncode == 2 and "no finding has the id" in unknown.stderr
