"""JSON with comments and trailing commas, as VS Code and devcontainers read it."""

from __future__ import annotations

import json
import re
from typing import Any

# One pass over the text, in C: strings are matched only to be passed over (an unclosed one runs
# to the end), comments are dropped (an unclosed block comment runs to the end), and a comma that
# only whitespace or comments separate from a closing bracket becomes a space. Only the changed
# places are copied out piece by piece, and pieces are joined every few thousand, so memory stays
# a small multiple of the text whatever its shape.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)'
_LINE = r"//[^\n]*"
_BLOCK = r"/\*[^*]*(?:\*+[^*/][^*]*)*(?:\*+/|\**\Z)"
_TOKENS = re.compile(rf"(?P<s>{_STRING})|(?P<c>{_LINE}|{_BLOCK})|,(?=(?:\s|{_LINE}|{_BLOCK})*[\]}}])")
_JOIN_EVERY = 4096


def strip_jsonc(text: str) -> str:
    """Remove // and /* */ comments outside strings and commas before a closing bracket."""
    if "/" not in text and "," not in text:
        return text
    chunks: list[str] = []
    pieces: list[str] = []
    last = 0
    for match in _TOKENS.finditer(text):
        if match.group("s") is not None:
            continue
        pieces.append(text[last : match.start()])
        comment = match.group("c")
        # Keep the newlines of a block comment so line numbers stay right.
        pieces.append(" " if comment is None else "\n" * comment.count("\n"))
        last = match.end()
        if len(pieces) >= _JOIN_EVERY:
            chunks.append("".join(pieces))
            pieces.clear()
    pieces.append(text[last:])
    chunks.append("".join(pieces))
    return "".join(chunks)


def loads_jsonc(text: str) -> Any:
    """Parse JSONC. Raises ValueError (json.JSONDecodeError) or RecursionError on bad input."""
    return json.loads(strip_jsonc(text.lstrip("\ufeff")))


__all__ = ["loads_jsonc", "strip_jsonc"]
