"""Shared pieces of the language-neutral checks: file kinds, finding ids, time budgets."""

from __future__ import annotations

import re
import time
from pathlib import PurePosixPath

from inspector.model import Category, Engine, Finding, Severity, Technique, new_finding

# Regexes only ever see this much of one line: no pattern can go quadratic on a 10 MB line.
MAX_LINE_CHARS = 8192
EVIDENCE_CHARS = 200
# Per rule and file, further hits are summarised in the last finding's message.
MAX_HITS_PER_RULE = 5

CODE_SUFFIXES = frozenset(
    {
        ".js",
        ".mjs",
        ".cjs",
        ".jsx",
        ".ts",
        ".mts",
        ".cts",
        ".tsx",
        ".py",
        ".pyw",
        ".vue",
        ".svelte",
        ".coffee",
        ".rb",
        ".php",
        ".pl",
        ".lua",
        ".go",
        ".rs",
        ".java",
        ".kt",
        ".cs",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".swift",
        ".scala",
        ".html",
        ".htm",
    }
)
SHELL_SUFFIXES = frozenset({".sh", ".bash", ".zsh", ".ksh", ".fish", ".ps1", ".psm1", ".bat", ".cmd"})
CONFIG_SUFFIXES = frozenset(
    {".json", ".jsonc", ".json5", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".properties"}
)
DOC_SUFFIXES = frozenset({".md", ".markdown", ".rst", ".txt", ".adoc", ".org", ".csv", ".tsv", ".log"})
BUILD_FILE_NAMES = frozenset({"makefile", "gnumakefile", "dockerfile", "containerfile", "justfile", "procfile"})
RC_FILE_NAMES = frozenset({".envrc", ".npmrc", ".yarnrc", ".yarnrc.yml", ".bashrc", ".profile", ".zshrc"})
LOCKFILE_NAMES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "pipfile.lock",
        "composer.lock",
        "cargo.lock",
        "gemfile.lock",
        "uv.lock",
        "bun.lock",
    }
)
VENDOR_DIRS = frozenset(
    {
        "node_modules",
        "vendor",
        "vendors",
        "third_party",
        "third-party",
        "thirdparty",
        "bower_components",
        "dist",
        "site-packages",
        "jspm_packages",
        "web_modules",
    }
)
VENDOR_NAME_MARKERS = (".min.js", ".min.mjs", ".min.cjs", ".bundle.js", ".chunk.js", "-bundle.js")
HOOK_DIRS = (".git/hooks/", ".husky/", ".githooks/")


_BLANK_RUN = re.compile(r"[ \t]{16,}")


def squeeze(text: str) -> str:
    """Long blank runs shown as a marker, so a message stays readable (evidence keeps the original)."""
    return _BLANK_RUN.sub(lambda m: f" [{len(m.group())} blanks] ", text)


def make_finding(
    rule: str,
    severity: Severity,
    category: Category,
    path: str,
    line: int | None,
    column: int | None,
    message: str,
    evidence: str = "",
    techniques: tuple[Technique, ...] = (),
) -> Finding:
    """A text-engine finding (inspector.model.new_finding): message squeezed, evidence capped."""
    return new_finding(
        rule,
        category,
        Engine.TEXT,
        squeeze(message),
        severity=severity,
        path=path,
        line=line,
        column=column,
        evidence=evidence[:EVIDENCE_CHARS],
        techniques=techniques,
    )


def name_of(path: str) -> str:
    return PurePosixPath(path).name.lower()


def suffix_of(path: str) -> str:
    return PurePosixPath(path).suffix.lower()


def is_hook_file(path: str) -> bool:
    return any(path.startswith(d) or f"/{d}" in path for d in HOOK_DIRS) and not path.endswith(".sample")


def is_code_file(path: str) -> bool:
    return suffix_of(path) in CODE_SUFFIXES


def is_script_file(path: str) -> bool:
    """Files a shell or make interprets: hidden text in them runs."""
    name = name_of(path)
    return (
        suffix_of(path) in SHELL_SUFFIXES
        or name in BUILD_FILE_NAMES
        or name.startswith(("dockerfile", "containerfile"))
        or name.endswith((".mk", ".dockerfile"))
        or name in RC_FILE_NAMES
        or is_hook_file(path)
    )


def is_config_file(path: str) -> bool:
    name = name_of(path)
    return suffix_of(path) in CONFIG_SUFFIXES or name in (".gitlab-ci.yml", ".travis.yml")


def is_doc_file(path: str) -> bool:
    return suffix_of(path) in DOC_SUFFIXES


def is_dotenv(path: str) -> bool:
    name = name_of(path)
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def is_executable_kind(path: str) -> bool:
    """Code, scripts and configs that a tool reads as instructions (hidden text there can run)."""
    return is_code_file(path) or is_script_file(path) or is_config_file(path) or is_dotenv(path)


# A "lib" folder under a web root holds third-party scripts (public/lib/jquery.js, static/js/lib/).
WEB_ROOT_DIRS = frozenset({"public", "static", "assets", "www", "wwwroot", "webroot", "htdocs", "web"})
WEB_LIB_DIRS = frozenset({"lib", "libs", "js-lib", "plugins"})


def vendor_marker(path: str) -> str | None:
    """Why ``path`` is vendored code (``"vendor/"``, ``"*.min.js"``, ``"public/lib/"``), or None."""
    parts = path.lower().split("/")
    for part in parts[:-1]:
        if part in VENDOR_DIRS:
            return f"{part}/"
    for index, part in enumerate(parts[:-1]):
        if part in WEB_LIB_DIRS and any(p in WEB_ROOT_DIRS for p in parts[:index]):
            return "/".join(parts[: index + 1]) + "/"
    return next((f"*{marker}" for marker in VENDOR_NAME_MARKERS if parts[-1].endswith(marker)), None)


def is_vendor_path(path: str) -> bool:
    return vendor_marker(path) is not None


def is_lockfile(path: str) -> bool:
    return name_of(path) in LOCKFILE_NAMES


class Deadline:
    """A per-file time budget: checks poll it and stop early with an info finding."""

    def __init__(self, seconds: float) -> None:
        self.ends_at = time.monotonic() + seconds
        self.hit = False

    def expired(self) -> bool:
        if time.monotonic() > self.ends_at:
            self.hit = True
        return self.hit


def line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


def position(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    from bisect import bisect_right

    index = bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1


def decode_text(data: bytes) -> str | None:
    """The file as text, or None when it is binary (NUL bytes or not UTF-8/Latin-1 text)."""
    head = data[:8192]
    if b"\x00" in head:
        # UTF-16 text (BOM) is text; other NULs mean binary.
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                return None
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("latin-1")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f")
    return None if controls > len(text[:8192]) // 50 else text
