"""Source views: one file of the target as a reviewer should read it, with nothing hidden.

The pipeline calls this after the static stage, for the code around each finding (carried in
the report, so every renderer stays pure) and for ``inspector show``. Lines become
:class:`~inspector.model.SourceLine` values whose ``text`` holds printable characters only;
what the file hides is a :class:`~inspector.model.Mark`: a long run of blanks (the loader after
412 spaces), many blank lines, invisible and reordering characters (bidi controls, zero-width,
variation selectors, control bytes, Hangul fillers) and look-alike letters inside Latin words.
A file whose name lies about its content (a ``.woff2`` that is JavaScript) is shown as what it
is; a real binary file is a hex dump. Every read is bounded and never follows a link.
"""

from __future__ import annotations

import errno
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from pygments.lexers import find_lexer_class_for_filename
from pygments.util import ClassNotFound

from inspector.model import Finding, Mark, MarkKind, SourceLine, SourceView
from inspector.static.interface import display_path, open_regular
from inspector.static.text.hidden import code_language, disguise_kind, has_expected_magic
from inspector.static.text.homoglyphs import CONFUSABLE
from inspector.textsafe import terminal_safe

BLANK_RUN = 32  # a run of blanks wider than this (tabs count 4) becomes one mark
BLANK_LINES_RUN = 8  # more blank lines in a row than this become one entry
TAB_WIDTH = 4
LINE_CHARS = 2000  # characters shown of one line: a window around the finding's column
BEFORE, AFTER = 8, 16  # entries of context around a finding's line in a report excerpt
MAX_EXCERPTS = 50
MAX_READ = 4 * 1024 * 1024  # bytes read of one file
MAX_LINES = 20000  # entries of one ``inspector show`` view
HEX_BYTES = 4096  # bytes hex-dumped of a binary file

_SPECIAL = re.compile(r"[ \t\u00a0\u3000]{2,}|[^\x20-\x7e]")
_BLANK = frozenset(" \t\u00a0\u3000")
_WORD = re.compile(r"[\w$]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_CONFUSABLE_CHARS = re.compile("[" + "".join(CONFUSABLE) + "]")
# Printable by Unicode's rules, yet drawn as nothing (invisible identifiers, GlassWorm payloads).
_DRAWN_AS_NOTHING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")
_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x09: "CHARACTER TABULATION",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x9B: "CONTROL SEQUENCE INTRODUCER",
    0x9D: "OPERATING SYSTEM COMMAND",
}
# code_language's names -> Pygments lexer names.
_PYGMENTS_NAME = {"javascript": "javascript", "python": "python", "shell": "bash"}


def is_hidden_char(ch: str) -> bool:
    """True for a character a terminal or editor does not draw as itself."""
    if ch in _DRAWN_AS_NOTHING or not ch.isprintable():
        return True
    return terminal_safe(ch) != ch


def char_name(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``, ``U+001B ESCAPE``: a character named so a reader can look it up."""
    code = ord(ch)
    name = unicodedata.name(ch, "") or _CONTROL_NAMES.get(code, "")
    if not name:
        category = unicodedata.category(ch)
        name = {"Cc": "CONTROL", "Co": "PRIVATE USE", "Cn": "UNASSIGNED", "Cs": "SURROGATE"}.get(category, category)
    return f"U+{code:04X} {name}"


def _blank_label(run: str) -> str:
    spaces, tabs = run.count(" "), run.count("\t")
    if spaces == len(run):
        return f"{spaces} spaces"
    if tabs == len(run):
        return f"{tabs} tabs"
    return f"{len(run)} blanks"


def _invisible_label(chars: list[str]) -> str:
    distinct = list(dict.fromkeys(chars))
    if len(distinct) == 1:
        return char_name(distinct[0]) + (f" x{len(chars)}" if len(chars) > 1 else "")
    names = ", ".join(char_name(ch) for ch in distinct[:3])
    return f"{len(chars)} invisible characters: {names}" + (", ..." if len(distinct) > 3 else "")


@dataclass
class _LineBuilder:
    text: list[str]
    marks: list[Mark]
    length: int = 0
    hidden: list[str] | None = None  # invisible characters waiting to become one mark

    def add(self, piece: str) -> None:
        self.flush()
        self.text.append(piece)
        self.length += len(piece)

    def mark(self, kind: MarkKind, label: str, covered: str = "") -> None:
        self.flush()
        self.marks.append(Mark(self.length, len(covered), kind, label))
        self.text.append(covered)
        self.length += len(covered)

    def hide(self, ch: str) -> None:
        if self.hidden is None:
            self.hidden = []
        self.hidden.append(ch)

    def flush(self) -> None:
        if self.hidden:
            self.marks.append(Mark(self.length, 0, MarkKind.INVISIBLE, _invisible_label(self.hidden)))
        self.hidden = None


def make_line(number: int, raw: str, focus_column: int | None = None) -> SourceLine:
    """One line with its blanks collapsed, hidden characters marked and its length capped.

    ``focus_column`` (1-based, in ``raw``) is kept inside the window when the line is too long.
    """
    raw = raw.removesuffix("\r")
    out = _LineBuilder([], [])
    focus: int | None = None
    position = 0
    for match in _SPECIAL.finditer(raw):
        if focus is None and focus_column is not None and match.start() >= focus_column - 1:
            focus = out.length + max(0, focus_column - 1 - position)
        if match.start() > position:
            out.add(raw[position : match.start()])
        piece = match.group()
        if piece[0] in _BLANK and (len(piece) > 1 or piece == "\t"):
            width = sum(TAB_WIDTH if ch == "\t" else 1 for ch in piece)
            if width > BLANK_RUN:
                out.mark(MarkKind.BLANKS, _blank_label(piece), " ")
            else:
                out.add(" " * width)
        elif is_hidden_char(piece):
            out.hide(piece)
        else:
            out.add(piece)
        position = match.end()
    if focus is None and focus_column is not None:
        focus = out.length + max(0, focus_column - 1 - position)
    out.add(raw[position:])
    text = "".join(out.text)
    marks = _with_homoglyphs(text, out.marks)
    if len(text) > LINE_CHARS:
        text, marks = _window(text, marks, focus or 0)
    return SourceLine(number, text, tuple(marks))


def _with_homoglyphs(text: str, marks: list[Mark]) -> list[Mark]:
    if text.isascii():
        return marks
    found: list[Mark] = []
    for word in _WORD.finditer(text):
        if not _ASCII_LETTER.search(word.group()):
            continue
        for letter in _CONFUSABLE_CHARS.finditer(word.group()):
            ch = letter.group()
            found.append(
                Mark(
                    word.start() + letter.start(),
                    1,
                    MarkKind.HOMOGLYPH,
                    f"{char_name(ch)}, looks like {CONFUSABLE[ch]}",
                )
            )
    return sorted([*marks, *found], key=lambda mark: (mark.column, mark.kind is not MarkKind.INVISIBLE))


def _window(text: str, marks: list[Mark], focus: int) -> tuple[str, list[Mark]]:
    start = max(0, min(focus - LINE_CHARS // 4, len(text) - LINE_CHARS))
    end = start + LINE_CHARS
    kept = [
        replace(mark, column=mark.column - start)
        for mark in marks
        if start <= mark.column and mark.column + mark.length <= end
    ]
    if start:
        kept.insert(0, Mark(0, 0, MarkKind.CUT, f"{start} characters before"))
    if end < len(text):
        kept.append(Mark(end - start, 0, MarkKind.CUT, f"{len(text) - end} more characters"))
    return text[start:end], kept


def _is_blank(raw: str) -> bool:
    return not raw.strip(" \t\r\u00a0\u3000")


def make_lines(text: str, focus: dict[int, int | None]) -> list[SourceLine]:
    """Every line of ``text``; runs of blank lines that hold no finding become one entry."""
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "" and len(raw_lines) > 1:
        raw_lines.pop()
    out: list[SourceLine] = []
    index = 0
    while index < len(raw_lines):
        end = index
        while end < len(raw_lines) and _is_blank(raw_lines[end]) and end + 1 not in focus:
            end += 1
        if end - index > BLANK_LINES_RUN:
            count = end - index
            out.append(SourceLine(index + 1, "", (Mark(0, 0, MarkKind.BLANK_LINES, f"{count} blank lines"),), count))
            index = end
            continue
        out.append(make_line(index + 1, raw_lines[index], focus.get(index + 1)))
        index += 1
    return out


def _hex_lines(data: bytes) -> list[SourceLine]:
    rows = []
    for offset in range(0, min(len(data), HEX_BYTES), 16):
        chunk = data[offset : offset + 16]
        hexed = " ".join(f"{byte:02x}" for byte in chunk)
        shown = "".join(chr(byte) if 0x20 <= byte < 0x7F else "." for byte in chunk)
        rows.append(SourceLine(offset // 16 + 1, f"{offset:08x}  {hexed:<47}  |{shown}|"))
    return rows


def _decoded(data: bytes) -> str | None:
    """The text of ``data``, or None when it is binary.

    A stray NUL or bad byte does not make a file binary: a loader after one NUL would otherwise
    be hidden behind a hex dump. Binary means more than 1 in 100 of the first 64 KiB are NULs
    or bytes that are not UTF-8.
    """
    sample = data[:65536]
    text = data.decode("utf-8", "replace")
    bad = sample.count(0) + sample.decode("utf-8", "replace").count("\ufffd")
    return None if bad * 100 > len(sample) else text


def language_of(path: str, data: bytes, text: str | None) -> tuple[str, str]:
    """(Pygments lexer name or "binary", what the file really is when its name says otherwise)."""
    claimed = disguise_kind(path)
    if claimed is not None and not has_expected_magic(path, data):
        real = code_language(data, text, lenient=True)
        if real is not None:
            return _PYGMENTS_NAME[real], f"{real}, although the name says {claimed}"
    if text is None:
        return "binary", f"binary data{f' (named like {claimed})' if claimed else ''}"
    try:
        lexer = find_lexer_class_for_filename(path.rsplit("/", 1)[-1])
    except ClassNotFound:
        lexer = None
    if lexer is not None and lexer.aliases:
        return lexer.aliases[0], ""
    real = code_language(data, text)
    return (_PYGMENTS_NAME[real], f"{real} code") if real else ("text", "")


def read_bounded(root: Path, rel: str, limit: int = MAX_READ) -> tuple[bytes, int]:
    """(at most ``limit`` bytes, the file's size) of a regular file inside ``root``, links never followed.

    Raises OSError (PermissionError for a link, a device or FIFO, or a path outside ``root``;
    FileNotFoundError).
    """
    parts = PurePosixPath(rel).parts
    if not parts or parts[0] == "/" or ".." in parts:
        raise PermissionError(f"{display_path(rel)}: not a file inside the target")
    try:
        descriptor = open_regular(root, rel)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a link at the end of the path
            raise PermissionError(f"{display_path(rel)}: a symbolic link, which is never followed") from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read(limit), os.fstat(handle.fileno()).st_size


def _focus(findings: Iterable[Finding], path: str) -> dict[int, int | None]:
    focus: dict[int, int | None] = {}
    for finding in findings:
        if finding.path == path:
            focus.setdefault(finding.line or 1, finding.column)
    return focus


def source_view(
    path: str, data: bytes, size: int, findings: Iterable[Finding] = (), focus_line: int | None = None
) -> SourceView:
    """The whole file (within the caps) for ``inspector show``, with its findings' ids."""
    findings = [finding for finding in findings if finding.path == path]
    text = _decoded(data)
    language, shown_as = language_of(path, data, text)
    notes = []
    if size > len(data):
        notes.append(f"only the first {len(data)} of {size} bytes were read")
    if language == "binary":
        lines = _hex_lines(data)
        notes.append(f"binary: {size} bytes, the first {min(size, HEX_BYTES)} shown as hex")
        total = (size + 15) // 16
    else:
        lines = make_lines(text if text is not None else data.decode("utf-8", "replace"), _focus(findings, path))
        total = lines[-1].number + lines[-1].lines - 1 if lines else 0
        if len(lines) > MAX_LINES:
            at = _entry_index(lines, focus_line or 1)
            start = max(0, min(at - MAX_LINES // 4, len(lines) - MAX_LINES))
            lines = lines[start : start + MAX_LINES]
            notes.append(f"{MAX_LINES} of the file's entries are shown, around line {focus_line or 1}")
    return SourceView(
        path=path,
        language=language,
        shown_as=shown_as,
        first_line=lines[0].number if lines else 1,
        last_line=lines[-1].number + lines[-1].lines - 1 if lines else 0,
        total_lines=total,
        lines=tuple(lines),
        findings=tuple(finding.id for finding in findings),
        note="; ".join(notes),
    )


def _entry_index(lines: list[SourceLine] | tuple[SourceLine, ...], line: int) -> int:
    for index, entry in enumerate(lines):
        if entry.number <= line < entry.number + entry.lines:
            return index
    return len(lines) - 1 if lines and line > lines[-1].number else 0


def excerpt(view: SourceView, line: int, finding_ids: tuple[str, ...]) -> SourceView:
    """The entries around ``line`` of a whole-file view: what a report carries for a finding."""
    if view.language == "binary":
        lines = view.lines[: BEFORE + AFTER + 1]
    else:
        at = _entry_index(view.lines, line)
        lines = view.lines[max(0, at - BEFORE) : at + AFTER + 1]
    return replace(
        view,
        first_line=lines[0].number if lines else 1,
        last_line=lines[-1].number + lines[-1].lines - 1 if lines else 0,
        lines=tuple(lines),
        findings=finding_ids,
    )


def excerpts(root: Path, findings: Iterable[Finding]) -> tuple[SourceView, ...]:
    """The code around each finding with a place in the target, worst first, within the caps.

    Findings on lines an earlier excerpt of the same file already shows share it. A file that
    cannot be read (gone, a link, a device) simply has no excerpt.
    """
    ordered = sorted(
        (f for f in findings if f.path and not f.path.startswith("payload:")), key=lambda f: -f.severity.rank
    )
    files: dict[str, SourceView | None] = {}
    out: list[SourceView] = []
    for finding in ordered:
        path, line = finding.path or "", finding.line or 1
        shared = next(
            (i for i, view in enumerate(out) if view.path == path and view.first_line <= line <= view.last_line), None
        )
        if shared is not None:
            out[shared] = replace(out[shared], findings=(*out[shared].findings, finding.id))
            continue
        if len(out) >= MAX_EXCERPTS:
            continue
        if path not in files:
            try:
                data, size = read_bounded(root, path)
            except (OSError, ValueError):
                files[path] = None
            else:
                files[path] = source_view(path, data, size, ordered)
        whole = files[path]
        if whole is not None:
            out.append(excerpt(whole, line, (finding.id,)))
    return tuple(out)


__all__ = ["char_name", "excerpt", "excerpts", "is_hidden_char", "make_line", "read_bounded", "source_view"]
