"""report.html: one self-contained page a reviewer can open safely.

Jinja2 autoescapes every value; the page carries a Content-Security-Policy that allows no
script, no fetch and no external resource at all (inline CSS and data: images only), so even a
missed escape could not run anything. Target text goes through :func:`visible`, which also shows
what the target tried to hide: long runs of blanks that push code off-screen become a visible
``⟨380 spaces⟩`` marker, and invisible or reordering characters become ``<U+202E>`` badges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import jinja2
from markupsafe import Markup, escape
from pygments.formatters import HtmlFormatter
from pygments.token import STANDARD_TYPES, _TokenType

from inspector.model import Finding, Report, SourceView
from inspector.report import views
from inspector.report.interface import Renderer
from inspector.report.source import Badge, Code, Glyph, findings_by_line, line_pieces
from inspector.textsafe import escape_char, terminal_safe

# form-action and base-uri are not covered by default-src; frame-ancestors cannot be set in a meta tag.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"
)
_EVIDENCE_LIMIT = 4000
_SHORT_TEXT = 240  # longer messages show this much, the rest one click away (never cut)
_OPEN_SOURCES = 12  # the source views of the worst findings start open
_PYGMENTS_STYLE = "github-dark"
_KEEP = frozenset("\n\t")


def _blank_marker(run: str) -> Markup:
    return Markup('<span class="hidden-run" title="whitespace hiding what follows">{}</span>').format(
        views.blank_marker(run)
    )


def _characters(text: str) -> Markup:
    out: list[str] = []
    for ch in text:
        if ch not in _KEEP and terminal_safe(ch) != ch:
            out.append(Markup('<span class="invisible">{}</span>').format(escape_char(ch)))
        else:
            out.append(escape(ch))
    return Markup("").join(out)


def _unhide(text: str) -> Markup:
    out: list[Markup] = []
    position = 0
    for match in views.BLANK_RUN.finditer(text):
        out.append(_characters(text[position : match.start()]))
        out.append(_blank_marker(match.group()))
        position = match.end()
    out.append(_characters(text[position:]))
    return Markup("").join(out)


def visible(text: str, highlight: Iterable[str] = (), limit: int | None = _EVIDENCE_LIMIT) -> Markup:
    """Escaped HTML of untrusted ``text`` with hiding made visible and ``highlight`` terms marked."""
    more = 0
    if limit is not None and len(text) > limit:
        text, more = text[:limit], len(text) - limit
    terms = sorted({term for term in highlight if term}, key=len, reverse=True)
    pieces = re.split("(" + "|".join(map(re.escape, terms)) + ")", text, flags=re.I) if terms else [text]
    out: list[Markup] = []
    for index, piece in enumerate(pieces):
        # re.split puts the captured separators (the highlight terms) at the odd positions.
        if index % 2:
            out.append(Markup("<mark>{}</mark>").format(_unhide(piece)))
        else:
            out.append(_unhide(piece))
    if more:
        out.append(Markup('<span class="truncated">… {} more characters</span>').format(more))
    return Markup("").join(out)


def collapsible(text: str, keep: int = _SHORT_TEXT) -> Markup:
    """All of ``text``, made visible; past ``keep`` characters the rest is behind a <details>."""
    if len(text) <= keep + 40:
        return visible(text, limit=None)
    return Markup('<details class="long"><summary>{}</summary>{}</details>').format(
        visible(text[:keep], limit=None), visible(text[keep:], limit=None)
    )


def _css_class(token: _TokenType) -> str:
    while token not in STANDARD_TYPES and token.parent is not None:
        token = token.parent
    return str(STANDARD_TYPES.get(token, ""))


def _badge_class(piece: Badge) -> str:
    return "hidden-run" if piece.kind.value in ("blanks", "blank-lines") else "invisible"


def source_block(view: SourceView, finding: Finding, anchor: str, is_open: bool) -> Markup:
    """The code around ``finding``: numbered lines, Pygments colours, the hidden part shown."""
    hits = findings_by_line(view, [finding])
    rows: list[Markup] = []
    for index, (entry, pieces) in enumerate(zip(view.lines, line_pieces(view), strict=True)):
        parts: list[Markup] = []
        for piece in pieces:
            if isinstance(piece, Code):
                css = _css_class(piece.token)
                text = _characters(piece.text)
                parts.append(Markup('<span class="{}">{}</span>').format(css, text) if css else text)
            elif isinstance(piece, Glyph):
                parts.append(Markup('<span class="glyph">{}</span>').format(piece.text))
            else:
                parts.append(Markup('<span class="{}">{}</span>').format(_badge_class(piece), piece.label))
        line_id = f"{anchor}-L{entry.number}"
        rows.append(
            Markup('<div class="ln{}" id="{}"><a class="n" href="#{}">{}</a><span class="t">{}</span></div>').format(
                " hit" if index in hits else "", line_id, line_id, entry.number, Markup("").join(parts)
            )
        )
    what = f" · shown as {view.shown_as}" if view.shown_as else f" · {view.language}"
    note = Markup('<div class="note">{}</div>').format(visible(view.note, limit=None)) if view.note else ""
    return Markup(
        '<details class="source"{}><summary>Source <code>{}</code> lines {}–{} of {}{}</summary>{}'
        '<div class="code">{}</div></details>'
    ).format(
        " open" if is_open else "",
        visible(view.path, limit=300),
        view.first_line,
        view.last_line,
        view.total_lines,
        visible(what, limit=None),
        note,
        Markup("").join(rows),
    )


def _pygments_css() -> Markup:
    rules = HtmlFormatter(style=_PYGMENTS_STYLE).get_style_defs(".code")
    # Only rules scoped to our code blocks; Pygments also styles bare ``pre`` and line-number cells.
    return Markup("\n".join(line for line in rules.splitlines() if line.startswith(".code ")))


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("inspector.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["visible"] = visible
    environment.filters["collapsible"] = collapsible
    environment.globals["source_block"] = source_block
    # For places that hold text only (<title>): the escapes, without markup.
    environment.filters["plain"] = lambda text, limit=200: terminal_safe(text, limit=limit)
    environment.globals["views"] = views
    return environment


class HtmlRenderer(Renderer):
    def __init__(self) -> None:
        self._template = _environment().get_template("report.html.j2")

    def render(self, report: Report) -> str:
        run = report.run
        longest = max((phase.duration_s for phase in run.phases), default=0.0) if run else 0.0
        return self._template.render(
            report=report,
            csp=CONTENT_SECURITY_POLICY,
            findings=views.findings_by_severity(report),
            top=views.top_findings(report),
            counts=views.severity_counts(report),
            longest_phase=longest or 1.0,
            run_notes=views.run_notes(run) if run else [],
            network=sorted(report.network, key=lambda record: record.first_seen),
            sources={finding_id: view for view in report.sources for finding_id in view.findings},
            open_sources=_OPEN_SOURCES,
            pygments_css=_pygments_css(),
        )
