"""Which files can hold a Semgrep finding: Semgrep runs on those only, so it costs nothing where it cannot add.

Semgrep costs seconds per large file (its taint rules on a test module of 200 kB) and seconds of
start-up, while nearly every file of a real project names no code sink at all. Every rule of the
pack (``inspector/static/semgrep-rules/``) is local to one file and needs, in that file's text:

* a code or command sink (``eval``, ``new Function``, ``vm.runIn*``, ``exec``, ``subprocess``,
  ``pickle.loads``, ...) together with a network source (a taint rule) or a decoder
  (``exec(b64decode(...))``), or, in JavaScript, ``eval``/``Function`` alone (packers, the
  ``Function("require", code)`` wrapper);
* or a decoder together with a network call (a request to a decoded URL);
* or an auto-run file of the shapes its JSON/generic rules read: ``package.json`` with
  ``scripts``, a ``tasks.json``/``*.code-workspace`` with ``folderOpen``, ``setup.py``, or any
  file with a download command (``curl``, ``wget``, ``iwr``, ``iex``, ...).

The patterns below ask only "does this token occur anywhere in the file", with no word
boundaries where a token could be part of a longer name that a rule still matches: they are a
superset of what the rules can match, so a file they pass over is one Semgrep finds nothing in
(tests/static/test_relevance.py checks, on every example, that the findings and verdict are the
same as with Semgrep on every file). The file's language is the one Semgrep gives it: by its
extension, and a file without one that starts with a shebang is checked for both languages. ``--semgrep=all`` skips
this and gives Semgrep the whole tree.
"""

from __future__ import annotations

import enum
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from inspector.static.interface import RepoView


class Reason(enum.Enum):
    """Why a file is relevant; a file can have several."""

    DYNAMIC_CODE = "dynamic-code"  # JavaScript eval / Function: rules match on these alone
    CODE_SINK = "code-sink"  # code or command execution
    NETWORK_SOURCE = "network-source"
    ENCODED = "encoded"  # a decoder: base64, hex, char codes, zlib
    AUTO_RUN = "auto-run"  # a file that runs by itself, of a shape the pack's config rules read


@dataclass(frozen=True)
class RelevantFiles:
    """The relevance pass over a repository: the reasons found in each file that has any."""

    reasons: Mapping[str, frozenset[Reason]]

    def for_semgrep(self) -> tuple[str, ...]:
        """The files a rule of the pack can match in, sorted."""
        return tuple(sorted(path for path, found in self.reasons.items() if semgrep_can_match(found)))


def semgrep_can_match(found: frozenset[Reason]) -> bool:
    if Reason.AUTO_RUN in found or Reason.DYNAMIC_CODE in found:
        return True
    if Reason.CODE_SINK in found and (Reason.NETWORK_SOURCE in found or Reason.ENCODED in found):
        return True
    return Reason.ENCODED in found and Reason.NETWORK_SOURCE in found


_JS_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"})
_PY_SUFFIXES = frozenset({".py", ".pyi", ".pyw"})

# Literal tokens, each searched with `in` (a memchr-speed scan: a whole-file regex alternation is
# tried at every position and runs ten times slower on files that match nothing).
_JS: dict[Reason, tuple[bytes, ...]] = {
    Reason.DYNAMIC_CODE: (b"eval", b"Function"),
    Reason.CODE_SINK: (
        b"runIn",
        b"compileFunction",
        b"Script",
        b"_compile",
        b"constructor",
        b"setTimeout",
        b"setInterval",
        b"child_process",
        b"exec",
        b"spawn",
        b"fork",
    ),
    Reason.NETWORK_SOURCE: (
        b"axios",
        b"fetch",
        b"got",
        b"superagent",
        b"needle",
        b"getMemo",
        b"response",
        b"'data'",
        b'"data"',
        b"'message'",
        b'"message"',
        b"io(",
        b"io.",
        b"WebSocket",
        b"connect",
        b"createConnection",
        b"request",
    ),
    Reason.ENCODED: (b"atob", b"Buffer", b"fromCharCode", b"unescape", b"decodeURI"),
}
_PY: dict[Reason, tuple[bytes, ...]] = {
    Reason.CODE_SINK: (
        b"exec",
        b"eval",
        b"compile",
        b"__import__",
        b"marshal",
        b"pickle",
        b"dill",
        b"system",
        b"popen",
        b"subprocess",
        b"runpy",
        b"FunctionType",
    ),
    # `async with session.get(...) as resp` is a source whatever the session is called: `async`.
    Reason.NETWORK_SOURCE: (
        b"requests",
        b"urlopen",
        b"urllib",
        b"httpx",
        b"getresponse",
        b"recv",
        b"aiohttp",
        b"async",
        b"socket",
        b"Session",
        b"urlretrieve",
    ),
    Reason.ENCODED: (b"base64", b"b64decode", b"fromhex", b"unhexlify", b"codecs", b"chr", b"zlib", b"lzma", b"bz2"),
}
# The generic download-pipe-to-shell rule reads only these files (its `paths.include`, which
# Semgrep matches like .gitignore: a matched directory includes everything under it).
_SHELL_SUFFIXES = frozenset({".sh", ".bash", ".zsh", ".ps1", ".cmd", ".bat", ".mk"})
_SHELL_NAMES = frozenset({"Makefile", ".envrc"})
_HOOK_DIRS = ("/.git/hooks/", "/.githooks/", "/.husky/")
_DOWNLOAD_COMMAND = (
    b"curl",
    b"wget",
    b"fetch",
    b"iwr",
    b"irm",
    b"invoke-webrequest",
    b"invoke-restmethod",
    b"iex",
    b"invoke-expression",
    b"downloadstring",
)


def _has(data: bytes, tokens: tuple[bytes, ...]) -> bool:
    return any(token in data for token in tokens)


def _is_shell_target(path: str) -> bool:
    name = posixpath.basename(path)
    return (
        posixpath.splitext(name)[1].lower() in _SHELL_SUFFIXES
        or name in _SHELL_NAMES
        or any(marker in f"/{path}" for marker in _HOOK_DIRS)
    )


def _auto_run(path: str, data: bytes) -> bool:
    name = posixpath.basename(path)
    if name == "setup.py":
        return True
    if name == "package.json":
        return b'"scripts"' in data
    if name == "tasks.json" or name.endswith(".code-workspace"):
        return b"folderOpen" in data
    return _is_shell_target(path) and _has(data.lower(), _DOWNLOAD_COMMAND)


def _may_be_read(path: str) -> bool:
    """Whether a rule of the pack can read this file at all, from its name alone."""
    name = posixpath.basename(path)
    suffix = posixpath.splitext(name)[1].lower()
    return (
        not suffix
        or suffix in _JS_SUFFIXES
        or suffix in _PY_SUFFIXES
        or name in ("package.json", "tasks.json")
        or suffix == ".code-workspace"
        or _is_shell_target(path)
    )


def _tables(path: str, data: bytes) -> list[dict[Reason, tuple[bytes, ...]]]:
    """The token tables of the languages Semgrep would read this file as: by extension, or by
    the shebang of a file without one; data files (.json, .md, .csv) are read by no code rule."""
    name = posixpath.basename(path)
    suffix = posixpath.splitext(name)[1].lower()
    if suffix in _JS_SUFFIXES:
        return [_JS]
    if suffix in _PY_SUFFIXES:
        return [_PY]
    if not suffix and data.startswith(b"#!"):
        return [_JS, _PY]
    return []


def reasons_of(path: str, data: bytes) -> frozenset[Reason]:
    """Why one file is relevant (empty: it names nothing a rule of the pack can match)."""
    found = {reason for table in _tables(path, data) for reason, tokens in table.items() if _has(data, tokens)}
    if _auto_run(path, data):
        found.add(Reason.AUTO_RUN)
    return frozenset(found)


def relevant_files(repo: RepoView, max_bytes: int) -> RelevantFiles:
    """Read each regular file up to ``max_bytes`` (through the view: links never followed) and say
    why it is relevant; bigger files are left out, as Semgrep itself leaves them (its size cap)."""
    reasons: dict[str, frozenset[Reason]] = {}
    for file in repo.files:
        if file.is_link or file.size > max_bytes or not _may_be_read(file.path):
            continue
        try:
            data = repo.read(file.path)
        except OSError:
            continue  # unreadable: the engines that read it say so
        found = reasons_of(file.path, data)
        if found:
            reasons[file.path] = found
    return RelevantFiles(reasons)


__all__ = ["Reason", "RelevantFiles", "reasons_of", "relevant_files", "semgrep_can_match"]
