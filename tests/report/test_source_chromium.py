"""report.html of the demo lure in headless Chromium at 1280 px: no horizontal overflow, the code
around every finding on the page with the hidden part visible, and no script in the report.

The report is built the way a user builds it (``inspector scan --format html``). Layout is measured
by a harness page of the test's own that loads the report in a 1280 px iframe and reads its
geometry: the script runs in the harness only, the report keeps its CSP and runs nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from inspector.model import HostView, Report
from inspector.report import ReportFormat, render
from inspector.report.html import CONTENT_SECURITY_POLICY
from tests.cli.conftest import EXAMPLES, INSPECTOR
from tests.report.report_fixtures import build_report
from tests.report.test_chromium import _chromium

pytestmark = pytest.mark.chromium

DEMO = EXAMPLES / "malicious" / "api-debug-lure"
WHITESPACE_HIDDEN = EXAMPLES / "malicious" / "vite-cookie-whitespace"
SCREENSHOT = Path(__file__).parents[2] / "docs" / "screenshots" / "report-source.png"
WIDTH = 1280

HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="report" src="report.html" style="width:%dpx;height:2400px;border:0"></iframe>
<pre id="layout">not measured</pre>
<script>
document.getElementById('report').addEventListener('load', () => {
  const doc = document.getElementById('report').contentDocument;
  const root = doc.documentElement;
  const name = (e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '');
  for (const d of doc.querySelectorAll('details')) d.open = true;  // measure what a click would show
  const wide = [...doc.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1).map(name);
  const inner = [...doc.querySelectorAll('table, td, pre, .code, .t, main, section, .card')]
    .filter((e) => e.scrollWidth > e.clientWidth + 1).map(name);
  // Inside the page column: a table wider than <main> runs past the edge every card keeps.
  const main = doc.querySelector('main');
  const edge = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
  const outside = [...main.querySelectorAll('*')]
    .filter((e) => e.getBoundingClientRect().width && e.getBoundingClientRect().right > edge + 1).map(name);
  document.getElementById('layout').textContent = JSON.stringify(
    {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide: wide.slice(0, 20), inner: inner.slice(0, 20),
     outside: outside.slice(0, 20)});
});
</script></body></html>
"""


def _scan_html(example: Path, out: Path, *options: str) -> str:
    env = {**os.environ, "XDG_DATA_HOME": str(out / "data"), "XDG_CACHE_HOME": str(out / "cache")}
    page = out / "report.html"
    command = [INSPECTOR, "scan", str(example), "--offline", "--format", "html", "--output", str(page), *options]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 1, done.stderr  # malicious
    return page.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    _scan_html(DEMO, out)
    return out


class _Cards(HTMLParser):
    """Per finding card: does it hold a source view, and the text of its marked (finding) lines."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict[str, object]] = []
        self.tags: list[str] = []
        self.csp: list[str | None] = []
        self._depth = 0
        self._hit_depth: int | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "meta" and attributes.get("http-equiv") == "Content-Security-Policy":
            self.csp.append(attributes.get("content"))
        classes = (attributes.get("class") or "").split()
        if tag == "div" and "finding" in classes:
            self.cards.append({"id": attributes.get("id"), "source": False, "hit": ""})
        if self.cards and tag == "details" and "source" in classes:
            self.cards[-1]["source"] = True
        if tag == "div" and "ln" in classes and "hit" in classes:
            self._hit_depth = self._depth
        if tag not in ("meta", "br", "link"):
            self._depth += 1

    def handle_endtag(self, tag):
        self._depth -= 1
        if self._hit_depth is not None and self._depth == self._hit_depth:
            self._hit_depth = None

    def handle_data(self, data):
        if self._hit_depth is not None and self.cards:
            self.cards[-1]["hit"] = str(self.cards[-1]["hit"]) + data


def _layout(chromium: str, directory: Path) -> dict[str, object]:
    harness = directory / "harness.html"
    harness.write_text(HARNESS % WIDTH, encoding="utf-8")
    dom = _chromium(
        chromium, directory / "profile", "--allow-file-access-from-files", "--virtual-time-budget=15000",
        "--dump-dom", harness.as_uri(),
    )
    match = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.S)
    assert match and match.group(1) != "not measured", dom[-2000:]
    return dict(json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&")))


def test_control_page_shows_the_measure_sees_overflow(chromium, tmp_path):
    (tmp_path / "report.html").write_text(
        '<main><table><tr><td><code style="white-space:nowrap">' + "x" * 400 + "</code></td></tr></table></main>"
    )
    layout = _layout(chromium, tmp_path)
    assert int(str(layout["scrollWidth"])) > WIDTH and layout["wide"] and layout["outside"], layout


def test_demo_report_has_no_horizontal_overflow_at_1280(chromium, demo):
    layout = _layout(chromium, demo)
    assert layout["clientWidth"] == WIDTH
    assert layout["scrollWidth"] == WIDTH, layout
    assert layout["wide"] == [] and layout["inner"] == [] and layout["outside"] == [], layout


def _widened_report() -> Report:
    """The fixture report with the unbroken strings real runs produce: long paths, URLs, host names."""
    report = build_report()
    long_path = "/" + "a1b2c3d4" * 40

    def widen(host: HostView) -> HostView:
        return dataclasses.replace(
            host,
            host=host.host + "." + "sub" * 40,
            network=tuple(dataclasses.replace(n, detail=f"GET {long_path} -> 403 (blocked)") for n in host.network),
            static_sources=tuple(
                dataclasses.replace(s, path="src/" + "deep/" * 30 + "loader.js", how="base64 in .env " + "K" * 120)
                for s in host.static_sources
            ),
        )

    return dataclasses.replace(
        report,
        hosts=tuple(widen(host) for host in report.hosts),
        network=tuple(dataclasses.replace(n, detail="GET " + long_path) for n in report.network),
    )


def test_tables_wrap_long_unbroken_strings(chromium, tmp_path):
    (tmp_path / "report.html").write_text(render(_widened_report(), ReportFormat.HTML), encoding="utf-8")
    layout = _layout(chromium, tmp_path)
    assert layout["scrollWidth"] == WIDTH and layout["outside"] == [], layout


def test_demo_report_shows_code_around_each_finding(demo):
    html = (demo / "report.html").read_text(encoding="utf-8")
    parser = _Cards()
    parser.feed(html)
    assert "script" not in parser.tags and parser.csp == [CONTENT_SECURITY_POLICY]
    assert len(parser.cards) >= 5
    for card in parser.cards:
        assert card["source"] and card["hit"], card  # every finding of the demo has a place in the code
    hits = " ".join(str(card["hit"]) for card in parser.cards)
    assert "Function" in hits and "constructor" in hits  # the loader in the error handler
    assert "ERROR_REPORT_API" in hits  # the base64 host in .env
    assert "folderOpen" in hits  # the task that runs when the folder is opened


def test_whitespace_hidden_loader_is_visible_in_html(tmp_path):
    html = _scan_html(WHITESPACE_HIDDEN, tmp_path, "--no-semgrep")
    parser = _Cards()
    parser.feed(html)
    hidden = [str(card["hit"]) for card in parser.cards if "[380 spaces]" in str(card["hit"])]
    assert hidden and "jsonkeeper.com" in hidden[0] and "new Function" in hidden[0]


def test_demo_screenshot_at_1280(chromium, demo):
    """INSPECTOR_UPDATE_SCREENSHOTS=1 refreshes docs/screenshots/report-source.png."""
    shot = demo / "report-source.png"
    _chromium(chromium, demo / "profile-shot", f"--window-size={WIDTH},2600", f"--screenshot={shot}",
              (demo / "report.html").as_uri())
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == WIDTH
    if os.environ.get("INSPECTOR_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(png)
