"""Source views in the terminal (``inspector show``) and the pieces the HTML report shares.

A :class:`~inspector.model.SourceView` already holds only printable text; what the file hid is
in its marks. :func:`line_pieces` joins the two with Pygments' tokens, so each renderer only maps
pieces to its own styling: a blank run becomes ``[412 spaces]``, a bidi control
``<U+202E RIGHT-TO-LEFT OVERRIDE>``, a look-alike letter stays and is named after it. Pure: no
files, no terminal; the CLI pages the string this returns.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.token import Token, _TokenType
from pygments.util import ClassNotFound
from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.syntax import Syntax, SyntaxTheme
from rich.text import Text
from rich.tree import Tree

from inspector.model import Finding, MarkKind, Severity, SourceLine, SourceView
from inspector.textsafe import terminal_safe

_MESSAGE_LIMIT = 4000
_LISTED_FINDINGS = 30


@dataclass(frozen=True)
class Code:
    token: _TokenType
    text: str


@dataclass(frozen=True)
class Badge:
    kind: MarkKind
    label: str  # as shown: "[412 spaces]", "<U+202E RIGHT-TO-LEFT OVERRIDE>"


@dataclass(frozen=True)
class Glyph:
    """A look-alike letter, kept where it is and shown marked."""

    text: str


Piece = Code | Badge | Glyph


def badge_text(kind: MarkKind, label: str) -> str:
    if kind in (MarkKind.BLANKS, MarkKind.BLANK_LINES):
        return f"[{label}]"
    if kind is MarkKind.CUT:
        return f"[... {label}]"
    return f"<{label}>"


def _lexer(language: str) -> Lexer:
    if language in ("text", "binary"):
        return TextLexer(stripnl=False, ensurenl=False)
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


def _tokens_per_line(view: SourceView) -> list[list[Code]]:
    """Pygments tokens of the whole view, split at line ends (strings spanning lines stay styled)."""
    lines: list[list[Code]] = [[]]
    for token, value in _lexer(view.language).get_tokens("\n".join(line.text for line in view.lines)):
        parts = value.split("\n")
        for index, part in enumerate(parts):
            if index:
                lines.append([])
            if part:
                lines[-1].append(Code(token, part))
    out = []
    for index, line in enumerate(view.lines):
        tokens = lines[index] if index < len(lines) else []
        # A lexer that rewrote the text (some normalise whitespace) must not shift the marks.
        out.append(tokens if "".join(t.text for t in tokens) == line.text else [Code(Token.Text, line.text)])
    return out


def _cut(tokens: list[Code], start: int, end: int) -> Iterator[Code]:
    offset = 0
    for token in tokens:
        low, high = offset, offset + len(token.text)
        offset = high
        if high <= start or low >= end:
            continue
        yield Code(token.token, token.text[max(start, low) - low : min(end, high) - low])


def _pieces(line: SourceLine, tokens: list[Code]) -> list[Piece]:
    out: list[Piece] = []
    position = 0
    for mark in line.marks:
        out.extend(_cut(tokens, position, mark.column))
        if mark.kind is MarkKind.HOMOGLYPH:
            out.append(Glyph(line.text[mark.column : mark.column + mark.length]))
        out.append(Badge(mark.kind, badge_text(mark.kind, mark.label)))
        position = max(position, mark.column + mark.length)
    out.extend(_cut(tokens, position, len(line.text)))
    return out


def line_pieces(view: SourceView) -> list[list[Piece]]:
    """For each entry of ``view``: its code tokens with the marks in place, in order."""
    return [_pieces(line, tokens) for line, tokens in zip(view.lines, _tokens_per_line(view), strict=True)]


def findings_by_line(view: SourceView, findings: Iterable[Finding]) -> dict[int, list[Finding]]:
    """The findings of ``view`` keyed by the index of the entry that holds their line."""
    out: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.path != view.path:
            continue
        line = finding.line or 1
        for index, entry in enumerate(view.lines):
            if entry.number <= line < entry.number + entry.lines:
                out[index].append(finding)
                break
    return out


# ---------------------------------------------------------------------------------------
# terminal

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
_BADGE_STYLE = {
    MarkKind.BLANKS: "bold white on red",
    MarkKind.BLANK_LINES: "bold white on red",
    MarkKind.INVISIBLE: "bold black on yellow",
    MarkKind.HOMOGLYPH: "bold black on yellow",
    MarkKind.CUT: "italic",
}


def _console(width: int, color: bool) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )


def _output(console: Console) -> str:
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def _rich_line(pieces: Sequence[Piece], theme: SyntaxTheme) -> tuple[Text, list[tuple[int, int]]]:
    """The line as styled text, and where its badges are (so wrapping never splits one)."""
    text = Text()
    badges: list[tuple[int, int]] = []
    for piece in pieces:
        if isinstance(piece, Code):
            text.append(piece.text, style=theme.get_style_for_token(piece.token))
        elif isinstance(piece, Glyph):
            text.append(piece.text, style=_BADGE_STYLE[MarkKind.HOMOGLYPH])
        else:
            badges.append((len(text), len(text) + len(piece.label)))
            text.append(piece.label, style=_BADGE_STYLE[piece.kind])
    return text, badges


def _fold(text: Text, badges: list[tuple[int, int]], width: int) -> list[Text]:
    """Soft-wrap code at ``width`` cells, anywhere but inside a badge that fits on a row of its own."""
    plain = text.plain
    if cell_len(plain) <= width:
        return [text]
    cuts: list[int] = []
    row_start, used = 0, 0
    starts = {start: end for start, end in badges if cell_len(plain[start:end]) <= width}
    for index, ch in enumerate(plain):
        cells = cell_len(ch)
        end = starts.get(index)
        if end is not None and used and used + cell_len(plain[index:end]) > width:
            cuts.append(index)
            row_start, used = index, 0
        if used + cells > width and index > row_start:
            cuts.append(index)
            row_start, used = index, 0
        used += cells
    return list(text.divide(cuts))


@dataclass(frozen=True)
class Rendered:
    text: str
    focus_row: int  # 0-based row of the output where the focus line starts


def _header(view: SourceView, findings: list[Finding]) -> Text:
    header = Text(terminal_safe(view.path), style="bold")
    what = view.shown_as or view.language
    header.append(
        f"  ({terminal_safe(what)}; lines {view.first_line}-{view.last_line} of {view.total_lines})", style="dim"
    )
    if view.shown_as:
        header.append(f"\nshown as {terminal_safe(view.shown_as)}", style="bold yellow")
    if view.note:
        header.append(f"\nnote: {terminal_safe(view.note)}", style="yellow")
    for finding in findings:
        header.append("\n")
        header.append(f"{finding.severity.value.upper():<8} ", style=SEVERITY_STYLE[finding.severity])
        header.append(f"line {finding.line or '-'}  {terminal_safe(finding.rule)}  ")
        header.append(terminal_safe(finding.message, limit=300))
        header.append(f"  [{terminal_safe(finding.id)}]", style="dim")
    return header


def render_source(
    view: SourceView,
    findings: Iterable[Finding] = (),
    *,
    width: int = 100,
    color: bool = False,
    focus_line: int | None = None,
) -> Rendered:
    """The file soft-wrapped to ``width``: line numbers and finding markers in the margin."""
    console = _console(width, color)
    mine = sorted((f for f in findings if f.path == view.path), key=lambda f: (f.line or 0, -f.severity.rank))
    console.print(_header(view, mine))
    console.rule(style="dim")
    rows = _output(console).count("\n")
    theme = Syntax.get_theme("ansi_dark")
    number_width = len(str(view.last_line or 1))
    margin = number_width + 4
    body = max(10, width - margin)
    at_line = findings_by_line(view, mine)
    focus_index = None
    if focus_line is not None:
        focus_index = next((i for i, e in enumerate(view.lines) if e.number <= focus_line < e.number + e.lines), None)
    focus_row = rows
    out = Text()
    for index, (entry, pieces) in enumerate(zip(view.lines, line_pieces(view), strict=True)):
        if index == focus_index:
            focus_row = rows
        hits = at_line.get(index, [])
        worst = max(hits, key=lambda f: f.severity.rank) if hits else None
        wrapped = _fold(*_rich_line(pieces, theme), body)
        for part, line in enumerate(wrapped):
            number = f"{entry.number:>{number_width}}" if part == 0 else " " * number_width
            out.append(number, style="dim" if worst is None else SEVERITY_STYLE[worst.severity])
            if worst is not None and part == 0:
                out.append(" ▶", style=SEVERITY_STYLE[worst.severity])
            else:
                out.append("  " if part == 0 else " ↪", style="dim")
            out.append("│ ", style="dim")
            out.append_text(line)
            out.append("\n")
            rows += 1
        for finding in hits:
            note = Text(" " * number_width + "  ╰ ", style=SEVERITY_STYLE[finding.severity])
            note.append(" " * max(0, margin - number_width - 4))
            note.append(f"{finding.severity.value.upper()} ", style=SEVERITY_STYLE[finding.severity])
            note.append(terminal_safe(f"{finding.rule}: {finding.message}", limit=_MESSAGE_LIMIT))
            note.append(f" [{terminal_safe(finding.id)}]", style="dim")
            for part, line in enumerate(note.wrap(console, width - margin, overflow="fold")):
                out.append(" " * margin if part else "")
                out.append_text(line)
                out.append("\n")
                rows += 1
    console.print(out, end="", no_wrap=True, crop=False)
    return Rendered(_output(console), focus_row)


def render_tree(
    label: str, paths: Iterable[str], findings: Sequence[Finding], *, width: int = 100, color: bool = False
) -> str:
    """The files of the target as a tree, each with its finding count and worst severity."""
    counts: Counter[str] = Counter()
    worst: dict[str, Severity] = {}
    for finding in findings:
        if finding.path is None:
            continue
        counts[finding.path] += 1
        if finding.path not in worst or finding.severity.rank > worst[finding.path].rank:
            worst[finding.path] = finding.severity
    every = sorted(set(paths) | set(counts))
    root = Tree(Text(terminal_safe(label), style="bold"), guide_style="dim")
    branches: dict[str, Tree] = {"": root}
    totals: Counter[str] = Counter()
    for path in every:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            totals["/".join(parts[:depth])] += counts[path]
    for path in every:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            directory = "/".join(parts[:depth])
            if directory not in branches:
                name = Text(terminal_safe(parts[depth - 1]) + "/", style="bold blue")
                if totals[directory]:
                    name.append(f"  {totals[directory]}", style="dim")
                branches[directory] = branches["/".join(parts[: depth - 1])].add(name)
        leaf = Text(terminal_safe(parts[-1]))
        if counts[path]:
            leaf.append(f"  {counts[path]} finding{'s' if counts[path] > 1 else ''}", style=SEVERITY_STYLE[worst[path]])
            leaf.append(f" ({worst[path].value})", style=SEVERITY_STYLE[worst[path]])
        branches["/".join(parts[:-1])].add(leaf)
    console = _console(width, color)
    console.print(root)
    located = sorted((f for f in findings if f.path is not None), key=lambda f: -f.severity.rank)
    if located:
        listing = Text("\nFindings, worst first (--finding ID shows one):\n", style="bold")
        for finding in located[:_LISTED_FINDINGS]:
            listing.append(f"  {terminal_safe(finding.id)}  ", style="dim")
            listing.append(f"{finding.severity.value.upper():<8} ", style=SEVERITY_STYLE[finding.severity])
            listing.append(terminal_safe(f"{finding.path}:{finding.line or 1}  {finding.rule}", limit=300))
            listing.append("\n")
        if len(located) > _LISTED_FINDINGS:
            listing.append(f"  ... {len(located) - _LISTED_FINDINGS} more in the report\n", style="dim")
        console.print(listing, end="")
    hint = "inspector show TARGET PATH[:LINE] shows a file; --finding ID jumps to a finding"
    console.print(Text(hint, style=Style(dim=True)))
    return _output(console)


__all__ = [
    "Badge",
    "Code",
    "Glyph",
    "Piece",
    "Rendered",
    "badge_text",
    "findings_by_line",
    "line_pieces",
    "render_source",
    "render_tree",
]
