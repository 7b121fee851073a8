from __future__ import annotations

from html.parser import HTMLParser

from markdown_it import MarkdownIt

from inspector.report import ReportFormat, render
from inspector.report.markdown import md_code, md_text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(markdown: str) -> list[tuple[str, dict[str, str | None]]]:
    # A renderer that passes raw HTML through, as many ticket systems do.
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_hostile_text_cannot_inject_markdown_or_html(hostile_report):
    tags = _tags(render(hostile_report, ReportFormat.MD))
    names = {name for name, _ in tags}
    assert "script" not in names
    assert "img" not in names
    assert "a" not in names  # no link at all: hosts are code, prose is escaped
    assert "b" not in names
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)


def test_the_escapers_are_not_vacuous():
    # Without escaping the same renderer does produce the dangerous tags.
    raw = _tags("<img src=x onerror=alert(1)> [a](https://x.invalid)")
    assert {"img", "a"} <= {name for name, _ in raw}
    assert {name for name, _ in _tags(md_text("<img src=x onerror=alert(1)> [a](https://x.invalid)"))} == {"p"}
    assert {name for name, _ in _tags(md_code("``<img src=x>`` [a](https://x.invalid)"))} == {"p", "code"}


def test_table_cells_cannot_be_split(hostile_report):
    md = render(hostile_report, ReportFormat.MD)
    hosts_table = md.split("## Hosts")[1].split("## Findings")[0]
    rows = [line for line in hosts_table.splitlines() if line.startswith("|")]
    html = MarkdownIt("commonmark").enable("table").render(hosts_table)
    assert html.count("<tr>") == len(rows) - 1  # header + body rows, separator excluded
    for row in html.split("<tr>")[1:]:
        assert row.count("<td>") + row.count("<th>") == 8


def test_sections(malicious_report):
    md = render(malicious_report, ReportFormat.MD)
    for heading in ("## Why", "## Hosts", "## Findings", "## Run", "## Decision", "## Not done"):
        assert heading in md
    assert "⟨380 spaces⟩" in md
    assert "\u200b" not in md and "<U+200B>" in md
