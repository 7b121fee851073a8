"""Hidden code: text a reviewer's editor does not show, and code under a lying file name.

* code after a long run of horizontal whitespace on one line (any file type: the Wallet Trap
  loader started after 380 spaces, GuardDog needs 400, we report from 120 columns);
* code pushed below hundreds of blank lines;
* bidi controls (Trojan Source, CVE-2021-42574), zero-width, variation-selector and tag
  characters (GlassWorm), private-use runs, Hangul fillers used as invisible identifiers;
* JavaScript/Python/shell inside a file whose name says font, image or .DS_Store.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from inspector.model import Category, Finding, Severity, Technique
from inspector.static.text.common import (
    EVIDENCE_CHARS,
    MAX_HITS_PER_RULE,
    MAX_LINE_CHARS,
    Deadline,
    is_code_file,
    is_executable_kind,
    line_starts,
    make_finding,
    name_of,
    position,
    suffix_of,
)
from inspector.textsafe import terminal_safe

HIDDEN_COLUMNS = 120
BLANK_LINES = 200
TAB_WIDTH = 4

_WS_RUN = re.compile(r"[ \t\u00a0\u3000]{40,}")
# What follows the padding must look like an instruction, not a table cell or prose.
_CODE_LIKE = re.compile(
    r"[(){};=]|\":|\b(?:curl|wget|eval|require|exec|import|function|fetch|powershell|iex|bash|sh)\b"
)
_DANGEROUS = re.compile(
    r"\b(?:eval|Function|require|exec|execSync|spawn|child_process|curl|wget|fetch|axios|https?|atob"
    r"|Buffer\.from|base64|powershell|iex|import|compile|subprocess|os\.system)\b"
)


def _width(run: str) -> int:
    return sum(TAB_WIDTH if ch == "\t" else 1 for ch in run)


def whitespace_hidden_in_line(line: str) -> Iterator[tuple[int, str, int]]:
    """(column, hidden text, padding width) for each code-like text after >= 120 columns of blanks."""
    for match in _WS_RUN.finditer(line):
        width = _width(match.group())
        if width < HIDDEN_COLUMNS:
            continue
        hidden = line[match.end() : match.end() + MAX_LINE_CHARS].strip()
        if hidden and _CODE_LIKE.search(hidden):
            yield match.end() + 1, hidden, width


def _whitespace_finding(path: str, line_no: int, column: int, hidden: str, width: int) -> Finding:
    dangerous = _DANGEROUS.search(hidden) is not None
    severity = Severity.HIGH if (is_executable_kind(path) or dangerous) else Severity.MEDIUM
    return make_finding(
        "hidden-code.whitespace-padding",
        severity,
        Category.HIDDEN_CODE,
        path,
        line_no,
        column,
        f"code hidden after {width} columns of blank space on line {line_no}: {terminal_safe(hidden, limit=80)}",
        hidden[:EVIDENCE_CHARS],
    )


def check_whitespace(path: str, lines: Iterable[str], deadline: Deadline) -> list[Finding]:
    """Long horizontal padding followed by code, and code pushed below a wall of blank lines."""
    findings: list[Finding] = []
    blank_run = 0
    seen_content = False
    for line_no, line in enumerate(lines, start=1):
        if line_no % 4096 == 0 and deadline.expired():
            break
        stripped = line.strip()
        if not stripped:
            blank_run += 1
            continue
        if blank_run >= BLANK_LINES and seen_content and _CODE_LIKE.search(stripped[:MAX_LINE_CHARS]):
            severity = Severity.HIGH if is_executable_kind(path) else Severity.MEDIUM
            findings.append(
                make_finding(
                    "hidden-code.blank-line-padding",
                    severity,
                    Category.HIDDEN_CODE,
                    path,
                    line_no,
                    1,
                    f"code pushed below {blank_run} blank lines: {terminal_safe(stripped, limit=80)}",
                    stripped,
                )
            )
        blank_run = 0
        seen_content = True
        if len(line) >= HIDDEN_COLUMNS:
            for column, hidden, width in whitespace_hidden_in_line(line):
                findings.append(_whitespace_finding(path, line_no, column, hidden, width))
    return _cap(findings)


def _cap(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
        if counts[finding.rule] <= MAX_HITS_PER_RULE:
            kept.append(finding)
    return kept


# ---------------------------------------------------------------------------------------------
# invisible characters

_BIDI = "\u202a-\u202e\u2066-\u2069"
_INVISIBLE = re.compile(
    f"[{_BIDI}\u200b-\u200d\u2060-\u2064\ufeff\u00ad\u3164\uffa0\u115f\u1160\ufe00-\ufe0f"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]+"
)
_BIDI_CHARS = re.compile(f"[{_BIDI}]")
_HANGUL_SYLLABLE = re.compile("[\uac00-\ud7a3]")


def _kind(ch: str) -> str:
    code = ord(ch)
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return "bidi"
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return "variation-selector"
    if 0xE0000 <= code <= 0xE007F:
        return "tag"
    if 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
        return "private-use"
    if code in (0x3164, 0xFFA0, 0x115F, 0x1160):
        return "hangul-filler"
    return "zero-width"


def _is_pictographic(ch: str) -> bool:
    return bool(ch) and (unicodedata.category(ch) in ("So", "Sk", "Sm") or ord(ch) >= 0x1F000)


# Characters with a text and an emoji presentation that are not symbols by category (Unicode
# emoji-variation-sequences.txt): the information sign is a letter, the rest punctuation.
_EMOJI_BASES_NOT_SYMBOLS = frozenset("\u2139\u203c\u2049\u3030\u303d")
_KEYCAP_BASES = frozenset("#*0123456789")
_KEYCAP = "\u20e3"


def _has_two_presentations(ch: str, after: str) -> bool:
    """True when a VS15/VS16 after ``ch`` only picks its text or emoji form (``ℹ️``, ``❤️``, ``1️⃣``)."""
    if not ch:
        return False
    if ch in _KEYCAP_BASES:
        return after == _KEYCAP
    return _is_pictographic(ch) or ch in _EMOJI_BASES_NOT_SYMBOLS


def _is_ideograph(ch: str) -> bool:
    code = ord(ch) if ch else 0
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x3134F


def _benign_run(run: str, before: str, after: str, offset: int) -> bool:
    """Emoji sequences, a leading BOM, one ideographic variant selector and lone icon-font glyphs.

    GlassWorm payloads are runs of selectors with no base character (one selector per byte);
    a single selector after a character that has that variant carries no data.
    """
    if offset == 0 and run == "\ufeff":
        return True
    if run in ("\ufe0e", "\ufe0f"):
        return _has_two_presentations(before, after)
    if run in ("\u200d", "\u200d\ufe0f", "\ufe0f\u200d") and (_is_pictographic(before) or _is_pictographic(after)):
        return True  # a zero-width joiner inside an emoji sequence (👩‍💻, ❤️‍🔥)
    if len(run) == 1 and 0xE0100 <= ord(run) <= 0xE01EF:
        return _is_ideograph(before)  # an Ideographic Variation Sequence picks a glyph of a name
    if all(0xE0020 <= ord(ch) <= 0xE007F for ch in run) and before == "\U0001f3f4":
        return True
    if run == "\u00ad":
        return True  # soft hyphen in prose
    return all(_kind(ch) == "private-use" for ch in run) and len(run) < 16


_KIND_TEXT = {
    "invisible-payload": "invisible characters encoding data (a run of variation selectors or tag characters, "
    "the GlassWorm shape)",
    "bidi": "bidirectional control character(s)",
    "variation-selector": "variation selector(s) with no character that has such a variant before them",
    "tag": "invisible tag character(s)",
    "private-use": "private-use character(s)",
    "hangul-filler": "Hangul filler character(s), which show as blank and can name a hidden variable",
    "zero-width": "zero-width character(s)",
}


def check_invisible(path: str, text: str, deadline: Deadline) -> list[Finding]:
    """One finding per kind of invisible character per file, at its first occurrence."""
    if text.isascii():
        return []
    code = is_code_file(path)
    has_hangul = _HANGUL_SYLLABLE.search(text) is not None
    first: dict[str, tuple[int, str]] = {}
    counts: dict[str, int] = {}
    starts: list[int] | None = None
    for index, match in enumerate(_INVISIBLE.finditer(text)):
        if index % 1024 == 0 and deadline.expired():
            break
        run, start = match.group(), match.start()
        before = text[start - 1] if start else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if _benign_run(run, before, after, start):
            continue
        if len(run) >= 4 and any(_kind(ch) in ("variation-selector", "tag") for ch in run):
            kind = "invisible-payload"
        elif _BIDI_CHARS.search(run):
            kind = "bidi"
        else:
            kind = _kind(run[0])
        counts[kind] = counts.get(kind, 0) + len(run)
        first.setdefault(kind, (start, run))
    findings: list[Finding] = []
    for kind, (offset, run) in first.items():
        starts = starts or line_starts(text)
        line, column = position(starts, offset)
        severity = _invisible_severity(kind, code, has_hangul)
        if severity is None:
            continue
        context = text[max(0, offset - 40) : offset + len(run) + 40]
        findings.append(
            make_finding(
                f"hidden-code.{kind}",
                severity,
                Category.HIDDEN_CODE,
                path,
                line,
                column,
                f"{counts[kind]} {_KIND_TEXT[kind]}, first at line {line}"
                + (" (Trojan Source: the code runs in a different order than it reads)" if kind == "bidi" else ""),
                terminal_safe(context),
                techniques=(Technique.TROJAN_SOURCE,) if kind == "bidi" else (),
            )
        )
    return findings


def _invisible_severity(kind: str, code: bool, has_hangul: bool) -> Severity | None:
    if kind == "invisible-payload":
        return Severity.HIGH if code else Severity.MEDIUM
    if kind == "bidi":
        return Severity.HIGH if code else Severity.LOW
    if kind == "hangul-filler":
        if has_hangul:
            return None
        return Severity.HIGH if code else Severity.LOW
    if kind in ("tag", "variation-selector"):
        return Severity.MEDIUM if code else Severity.LOW
    if kind == "private-use":
        return Severity.LOW
    return Severity.MEDIUM if code else None  # zero-width in prose is common (copy-paste)


# ---------------------------------------------------------------------------------------------
# lying extensions

_MAGIC = {
    ".woff": (b"wOFF",),
    ".woff2": (b"wOF2",),
    ".ttf": (b"\x00\x01\x00\x00", b"true", b"OTTO", b"ttcf"),
    ".otf": (b"OTTO", b"\x00\x01\x00\x00"),
    ".eot": (),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF8",),
    ".ico": (b"\x00\x00\x01\x00", b"\x00\x00\x02\x00", b"\x89PNG"),
    ".bmp": (b"BM",),
    ".webp": (b"RIFF",),
    ".pdf": (b"%PDF",),
    ".zip": (b"PK\x03\x04", b"PK\x05\x06"),
    ".gz": (b"\x1f\x8b",),
    ".mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    ".mp4": (),
    ".wasm": (b"\x00asm",),
}
_DS_STORE_MAGIC = b"\x00\x00\x00\x01Bud1"
# Plain-text names that should never hold a program (source maps and JSON legitimately quote code).
_TEXT_DISGUISES = frozenset({".txt", ".log", ".dat", ".csv", ".lock"})


def disguise_kind(path: str) -> str | None:
    """What the name claims, when the name claims a non-code format that we can check."""
    name = name_of(path)
    if name == ".ds_store":
        return ".DS_Store"
    if "/.svn/" in f"/{path}":
        return ".svn"
    suffix = suffix_of(path)
    if suffix in _MAGIC:
        return suffix
    if suffix in _TEXT_DISGUISES or name.endswith(".sample"):
        return suffix or name
    return None


def has_expected_magic(path: str, data: bytes) -> bool:
    kind = disguise_kind(path)
    if kind == ".DS_Store":
        return data.startswith(_DS_STORE_MAGIC)
    if kind in (".svn", None) or kind not in _MAGIC:
        return False  # text names and .svn copies have no magic: the content check decides
    magic = _MAGIC[kind]
    if not magic:  # formats without a fixed magic: any binary content passes
        return b"\x00" in data[:4096]
    return data.startswith(magic)


_JS_MARKERS = re.compile(
    r"\brequire\s*\(|\bmodule\.exports\b|\bfunction\s*[\w$]*\s*\(|=>|\beval\s*\(|\bnew\s+Function\b"
    r"|\b(?:const|let|var)\s+[\w$]+\s*=|\bimport\s+[\w{*]|\bprocess\.env\b"
)
_PY_MARKERS = re.compile(r"^\s*(?:import \w|from [\w.]+ import |def \w+\(|exec\(|class \w+[(:])", re.M)
_SHEBANG = re.compile(rb"^#!\s*\S*(?:sh|bash|zsh|node|python[0-9.]*|perl|ruby)\b")


def code_language(data: bytes, text: str | None, *, lenient: bool = False) -> str | None:
    """'javascript', 'python' or 'shell' when the content is code, else None."""
    if _SHEBANG.match(data[:128]):
        return "shell"
    if text is None:
        return None
    sample = text[:65536]
    from inspector.static.treesitter import parse

    js_markers = len(_JS_MARKERS.findall(sample))
    if js_markers >= 2:
        tree = parse(sample.encode("utf-8", "surrogatepass"), "javascript")
        # A binary name holding many JS markers is code even if tree-sitter trips on a corner.
        if not tree.root_node.has_error or (lenient and js_markers >= 8):
            return "javascript"
    py_markers = len(_PY_MARKERS.findall(sample))
    if py_markers >= 2:
        tree = parse(sample.encode("utf-8", "surrogatepass"), "python")
        if not tree.root_node.has_error:
            return "python"
    return None


def check_disguised(path: str, data: bytes, text: str | None) -> tuple[Finding, str] | None:
    """Code in a file whose name says font, image, .DS_Store, .svn or plain text: (finding, language)."""
    kind = disguise_kind(path)
    if kind is None or has_expected_magic(path, data):
        return None
    binary_claim = kind in _MAGIC or kind in (".DS_Store", ".svn")
    language = code_language(data, text, lenient=binary_claim)
    if language is None:
        return None
    if name_of(path).endswith(".sample") and language == "shell":
        return None  # git's stock sample hooks are shell and perl scripts
    severity = Severity.HIGH if binary_claim else Severity.MEDIUM
    preview = (text or "").lstrip()[:EVIDENCE_CHARS]
    finding = make_finding(
        "hidden-code.disguised-file",
        severity,
        Category.HIDDEN_CODE,
        path,
        1,
        1,
        f"a file named like {kind} contains {language} code"
        + ("" if binary_claim else " (a text file holding a program)"),
        preview,
    )
    return finding, language


__all__ = [
    "check_disguised",
    "check_invisible",
    "check_whitespace",
    "code_language",
    "disguise_kind",
    "whitespace_hidden_in_line",
]
