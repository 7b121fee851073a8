"""Load report.html in a real headless Chromium: no script from the target runs, sections render.

The hostile strings try to retitle the page, add a ``#pwned-marker`` element and set a
``data-pwned`` attribute. A control page that embeds the same script unescaped proves this
Chromium really runs scripts under ``--dump-dom``, so the checks below can fail.
"""

from __future__ import annotations

import os
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from inspector.report import ReportFormat, render
from tests.report.report_fixtures import IMG, SCRIPT, build_report

pytestmark = pytest.mark.chromium

SCREENSHOT = Path(__file__).parents[2] / "docs" / "screenshots" / "report.png"


def _chromium(binary: str, profile: Path, *args: str) -> str:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return completed.stdout


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _dump(binary: str, tmp_path: Path, html: str) -> _Dom:
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    dom = _Dom()
    dom.feed(_chromium(binary, tmp_path / "profile", "--dump-dom", page.as_uri()))
    return dom


def _pwned(dom: _Dom) -> bool:
    return (
        dom.title == "PWNED"
        or any(attrs.get("id") == "pwned-marker" for _, attrs in dom.elements)
        or any("data-pwned" in attrs for _, attrs in dom.elements)
    )


def test_control_page_shows_the_probe_works(chromium, tmp_path):
    dom = _dump(chromium, tmp_path, f"<html><head><title>t</title></head><body>{SCRIPT}{IMG}</body></html>")
    assert _pwned(dom)


def test_hostile_report_runs_nothing_and_renders(chromium, tmp_path):
    dom = _dump(chromium, tmp_path, render(build_report(hostile=True), ReportFormat.HTML))
    assert not _pwned(dom)
    assert not [name for name, _ in dom.elements if name in ("script", "img", "iframe", "object")]
    assert dom.title.startswith("inspector: malicious")
    ids = {attrs.get("id") for _, attrs in dom.elements}
    assert {"why", "hosts", "findings", "run", "decision", "target"} <= ids
    finding_cards = [a for n, a in dom.elements if n == "div" and "finding" in (a.get("class") or "").split()]
    assert len(finding_cards) == 5


def test_screenshot(chromium, tmp_path):
    """Renders the page to PNG; INSPECTOR_UPDATE_SCREENSHOTS=1 also refreshes the one in docs/."""
    page = tmp_path / "report.html"
    page.write_text(render(build_report(), ReportFormat.HTML), encoding="utf-8")
    shot = tmp_path / "report.png"
    _chromium(chromium, tmp_path / "profile", "--window-size=1280,2000", f"--screenshot={shot}", page.as_uri())
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 1280  # IHDR width: the page rendered at full size
    if os.environ.get("INSPECTOR_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(png)
