"""JSON with comments and trailing commas, as VS Code and devcontainers read it."""

from __future__ import annotations

import json
import re
from typing import Any

# One token at a time, in C: a string (kept as is, an unclosed one runs to the end), a line
# comment, a block comment (an unclosed one runs to the end), or a comma that only whitespace
# separates from a closing bracket. Linear in the input; the output is one string.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)'
_COMMENTS = re.compile(_STRING + r"|//[^\n]*|/\*[^*]*(?:\*+[^*/][^*]*)*(?:\*+/|\**\Z)")
_TRAILING_COMMA = re.compile(_STRING + r"|,(?=\s*[\]}])")


def _drop_comment(match: re.Match[str]) -> str:
    token = match.group()
    if token.startswith('"'):
        return token
    # Keep the newlines of a block comment so line numbers stay right.
    return "\n" * token.count("\n")


def _drop_comma(match: re.Match[str]) -> str:
    return " " if match.group() == "," else match.group()


def strip_jsonc(text: str) -> str:
    """Remove // and /* */ comments outside strings and commas before a closing bracket."""
    if "/" in text:
        text = _COMMENTS.sub(_drop_comment, text)
    return _TRAILING_COMMA.sub(_drop_comma, text) if "," in text else text


def loads_jsonc(text: str) -> Any:
    """Parse JSONC. Raises ValueError (json.JSONDecodeError) or RecursionError on bad input."""
    return json.loads(strip_jsonc(text.lstrip("\ufeff")))


__all__ = ["loads_jsonc", "strip_jsonc"]
