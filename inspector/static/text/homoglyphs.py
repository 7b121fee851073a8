"""Homoglyph identifiers: names that mix Latin with look-alike Cyrillic/Greek letters (CVE-2021-42694).

Only *identifiers in code* count. A look-alike letter in a string literal, a comment or a URL is
data or prose a reader sees as it is (Backbone's router test routes to ``'®ooτ'``, freqtrade has
a Cyrillic ``с`` typo in a comment); in an identifier it can make two names that read the same
refer to different things (``isAdmin`` / ``isАdmin``).

Where an identifier is: for JavaScript/TypeScript/Python the tree-sitter parse says (the smallest
node covering the word); inside ``<script>`` blocks of HTML/Vue/Svelte the block is parsed as
JavaScript; for other code files strings and comments are masked lexically.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from inspector.model import Category, Finding, Severity
from inspector.static.text.common import (
    MAX_HITS_PER_RULE,
    Deadline,
    is_code_file,
    line_starts,
    make_finding,
    position,
    suffix_of,
)
from inspector.textsafe import terminal_safe

# Cyrillic, Greek and other letters drawn like Latin ones (Unicode confusables, the common subset).
CONFUSABLE = {
    "а": "a",
    "е": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "у": "y",
    "х": "x",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "һ": "h",
    "ԁ": "d",
    "ɡ": "g",
    "ո": "n",
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "Х": "X",
    "α": "a",
    "ο": "o",
    "ν": "v",
    "ρ": "p",
    "τ": "t",
    "Α": "A",
    "Β": "B",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Ι": "I",
    "Κ": "K",
    "Μ": "M",
    "Ν": "N",
    "Ο": "O",
    "Ρ": "P",
    "Τ": "T",
    "Υ": "Y",
    "Χ": "X",
}
_NON_LATIN = "\u0370-\u03ff\u0400-\u052f\u0250-\u02af\u0530-\u058f"
_NON_LATIN_LETTER = re.compile(f"[{_NON_LATIN}]")
_MIXED_WORD = re.compile(f"[A-Za-z_${_NON_LATIN}][\\w$]*")
_ASCII_LETTER = re.compile("[A-Za-z]")
_ASCII_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_SCRIPT_BLOCK = re.compile(r"<script\b([^>]{0,500})>(.*?)</script\s*>", re.I | re.S)
# Strings, comments and URLs for languages we do not parse (C family, Go, Rust, Ruby, PHP, ...).
_LEXICAL_DATA = re.compile(
    r"//[^\n]*|/\*.*?\*/|#[^\n]*|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`|\w+://\S+",
    re.S,
)
_DATA_NODE_MARKERS = ("string", "comment", "regex", "jsx_text", "escape_sequence")

# (start, end) character offsets of a word -> True when it is an identifier in code.
IdentifierTest = Callable[[int, int], bool]


def _lexical_test(text: str) -> IdentifierTest:
    masked: list[tuple[int, int]] = [(m.start(), m.end()) for m in _LEXICAL_DATA.finditer(text)]
    starts = [s for s, _ in masked]

    def is_identifier(start: int, end: int) -> bool:
        index = bisect_right(starts, start) - 1
        return index < 0 or masked[index][1] <= start

    return is_identifier


def _tree_test(text: str, language: str, base: int = 0) -> IdentifierTest:
    """Identifier test from a tree-sitter parse of ``text`` (which starts at offset ``base``)."""
    from inspector.static.treesitter import parse

    source = text.encode("utf-8", "surrogatepass")
    root = parse(source, language).root_node
    lexical = _lexical_test(text)
    last_char, last_byte = 0, 0

    def byte_offset(char: int) -> int:
        # Words are asked for in increasing order: encode only the text since the last one.
        nonlocal last_char, last_byte
        if char < last_char:
            last_char, last_byte = 0, 0
        last_byte += len(text[last_char:char].encode("utf-8", "surrogatepass"))
        last_char = char
        return last_byte

    def is_identifier(start: int, end: int) -> bool:
        local_start, local_end = start - base, end - base
        first = byte_offset(local_start)
        last = first + len(text[local_start:local_end].encode("utf-8", "surrogatepass"))
        node = root.named_descendant_for_byte_range(first, last)
        kind = node.type if node is not None else "ERROR"
        if kind.endswith("identifier"):
            return True
        if any(marker in kind for marker in _DATA_NODE_MARKERS):
            return False
        return lexical(local_start, local_end)  # an ERROR node: fall back to the lexical mask

    return is_identifier


def _script_blocks_test(text: str) -> IdentifierTest:
    """HTML-like files: only words inside <script> blocks can be identifiers."""
    blocks: list[tuple[int, int, IdentifierTest]] = []
    for match in _SCRIPT_BLOCK.finditer(text):
        language = "typescript" if re.search(r"lang\s*=\s*[\"']?ts", match.group(1), re.I) else "javascript"
        blocks.append((match.start(2), match.end(2), _tree_test(match.group(2), language, match.start(2))))

    def is_identifier(start: int, end: int) -> bool:
        return any(low <= start and end <= high and test(start, end) for low, high, test in blocks)

    return is_identifier


def identifier_test(path: str, text: str) -> IdentifierTest:
    from inspector.static.treesitter import language_for

    language = language_for(path)
    if language is not None:
        return _tree_test(text, language)
    if suffix_of(path) in (".html", ".htm", ".vue", ".svelte"):
        return _script_blocks_test(text)
    return _lexical_test(text)


def check_homoglyphs(path: str, text: str, deadline: Deadline) -> list[Finding]:
    """Identifiers in code that mix Latin letters with look-alikes from another script."""
    if not is_code_file(path) or text.isascii() or _NON_LATIN_LETTER.search(text) is None:
        return []
    findings: list[Finding] = []
    starts: list[int] | None = None
    ascii_words: set[str] | None = None
    is_identifier: IdentifierTest | None = None
    for index, match in enumerate(_MIXED_WORD.finditer(text)):
        if index % 4096 == 0 and deadline.expired():
            break
        word = match.group()
        if not (_ASCII_LETTER.search(word) and any(ch in CONFUSABLE for ch in word)):
            continue
        is_identifier = is_identifier or identifier_test(path, text)
        if not is_identifier(match.start(), match.end()):
            continue
        if ascii_words is None:
            ascii_words = set(_ASCII_WORD.findall(text))
        skeleton = "".join(CONFUSABLE.get(ch, ch) for ch in word)
        # Letters with no Latin twin (т, л, Δ) stand out to a reader: a bilingual name, not a disguise.
        disguised = skeleton.isascii()
        collides = disguised and skeleton in ascii_words
        severity = Severity.HIGH if collides else Severity.MEDIUM if disguised else Severity.LOW
        starts = starts or line_starts(text)
        line, column = position(starts, match.start())
        findings.append(
            make_finding(
                "hidden-code.homoglyph-identifier",
                severity,
                Category.HIDDEN_CODE,
                path,
                line,
                column,
                (
                    f"identifier {terminal_safe(word, limit=60)} mixes Latin with look-alike letters; "
                    f"it reads as '{skeleton}'" + (", a different name that is also used here" if collides else "")
                )
                if disguised
                else f"identifier {terminal_safe(word, limit=60)} mixes Latin with Cyrillic or Greek letters",
                terminal_safe(word),
            )
        )
        if len(findings) >= MAX_HITS_PER_RULE:
            break
    return findings


__all__ = ["CONFUSABLE", "check_homoglyphs", "identifier_test"]
