"""JSON with comments and trailing commas, as VS Code and devcontainers read it."""

from __future__ import annotations

import json
from typing import Any


def strip_jsonc(text: str) -> str:
    """Remove // and /* */ comments outside strings and commas before a closing bracket."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
            continue
        if ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            # Keep the newlines of a block comment so line numbers stay right.
            out.append("\n" * text.count("\n", i, n if end == -1 else end))
            i = n if end == -1 else end + 2
        elif ch in "]}":
            j = len(out) - 1
            while j >= 0 and out[j].isspace():
                j -= 1
            if j >= 0 and out[j] == ",":
                out[j] = " "
            out.append(ch)
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def loads_jsonc(text: str) -> Any:
    """Parse JSONC. Raises ValueError (json.JSONDecodeError) or RecursionError on bad input."""
    return json.loads(strip_jsonc(text.lstrip("\ufeff")))


__all__ = ["loads_jsonc", "strip_jsonc"]
