"""A small .env reader that keeps line numbers (the lure hides its host on one of these lines).

Follows the dotenv conventions that matter here: ``export`` prefix, ``#`` comments, single quotes
(literal), double quotes (``\\n``-style escapes, may span lines), backticks, and unquoted values
ending at `` #``. Nothing is expanded or executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

_ASSIGNMENT = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s?")
_DOUBLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}
MAX_VALUE_LINES = 200


@dataclass(frozen=True)
class EnvEntry:
    path: str
    line: int  # 1-based line of the key
    column: int  # 1-based column where the value starts
    key: str
    value: str
    raw_line: str


def is_env_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.startswith(".env") or name.endswith(".env")


def parse_dotenv(text: str, path: str) -> list[EnvEntry]:
    lines = text.splitlines()
    entries: list[EnvEntry] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _ASSIGNMENT.match(line)
        if match is None or line.lstrip().startswith("#"):
            index += 1
            continue
        start = match.end()
        rest = line[start:].lstrip()
        column = len(line) - len(rest) + 1
        quote = rest[:1]
        if quote in {"'", '"', "`"}:
            value, used = _quoted(lines, index, rest, quote)
        else:
            value, used = _unquoted(rest), 1
        entries.append(EnvEntry(path, index + 1, column, match.group(1), value, line))
        index += used
    return entries


def _unquoted(rest: str) -> str:
    comment = re.search(r"\s#", rest)
    return (rest[: comment.start()] if comment else rest).strip()


def _quoted(lines: list[str], index: int, rest: str, quote: str) -> tuple[str, int]:
    """The quoted value and how many lines it used; an unclosed quote takes its own line only."""
    body = rest[1:]
    for used in range(1, min(MAX_VALUE_LINES, len(lines) - index) + 1):
        end = _closing(body, quote)
        if end is not None:
            inner = body[:end]
            return (_unescape_double(inner) if quote == '"' else inner), used
        if index + used >= len(lines):
            break
        body = f"{body}\n{lines[index + used]}"
    return rest[1:].split("\n", 1)[0].strip(), 1


def _closing(body: str, quote: str) -> int | None:
    escaped = False
    for position, ch in enumerate(body):
        if escaped:
            escaped = False
        elif ch == "\\" and quote == '"':
            escaped = True
        elif ch == quote:
            return position
    return None


def _unescape_double(inner: str) -> str:
    return re.sub(r"\\(.)", lambda m: _DOUBLE_ESCAPES.get(m.group(1), "\\" + m.group(1)), inner)
