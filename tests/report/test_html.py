from __future__ import annotations

import re
from html.parser import HTMLParser

from inspector.report import ReportFormat, render
from inspector.report.html import CONTENT_SECURITY_POLICY, visible


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


def test_csp_meta_is_strict_and_first(malicious_report):
    html = render(malicious_report, ReportFormat.HTML)
    head = html.split("<head>", 1)[1]
    assert re.match(r'\s*<meta charset="utf-8">\s*<meta http-equiv="Content-Security-Policy"', head)
    metas = [attrs for name, attrs in _elements(html) if name == "meta"]
    assert metas[1] == {"http-equiv": "Content-Security-Policy", "content": CONTENT_SECURITY_POLICY}
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src" not in CONTENT_SECURITY_POLICY


def test_no_script_no_external_resource(hostile_report):
    elements = _elements(render(hostile_report, ReportFormat.HTML))
    names = [name for name, _ in elements]
    assert "script" not in names and "img" not in names and "iframe" not in names
    for _, attrs in elements:
        assert not [a for a in attrs if a.startswith("on")]
        for key in ("src", "href"):
            value = attrs.get(key)
            assert value is None or value.startswith("#"), (key, value)


def test_sections_render(malicious_report):
    html = render(malicious_report, ReportFormat.HTML)
    ids = {attrs.get("id") for _, attrs in _elements(html)}
    assert {"why", "hosts", "findings", "run", "decision", "skipped", "target"} <= ids
    assert "MALICIOUS" in html
    assert "never named in the code" in html
    assert "22 days" in html


def test_visible_escapes_and_unhides():
    text = "a<b>&" + " " * 40 + "eval(x)\u202e\x1b[2J\n  next"
    out = str(visible(text))
    assert "&lt;b&gt;&amp;" in out
    assert "⟨40 spaces⟩" in out and " " * 12 not in out
    assert "&lt;U+202E&gt;" in out and "\u202e" not in out
    assert "\\x1b" in out and "\x1b" not in out
    assert "\n  next" in out  # newlines and indentation stay


def test_visible_marks_hosts_case_insensitively_without_unescaping():
    out = str(visible("fetch('https://API.npoint.io/<x>')", highlight=("api.npoint.io",)))
    assert "<mark>API.npoint.io</mark>" in out
    assert "&lt;x&gt;" in out


def test_visible_truncates_loudly():
    out = str(visible("x" * 50, limit=10))
    assert "x" * 11 not in out and "40 more characters" in out


def test_hidden_run_badges_in_findings(malicious_report):
    html = render(malicious_report, ReportFormat.HTML)
    assert '<span class="hidden-run"' in html and "⟨380 spaces⟩" in html
    assert '<span class="invisible">&lt;U+200B&gt;</span>' in html
    assert "<mark>api.npoint.io</mark>" in html
