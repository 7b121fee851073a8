"""Resolve a declared command line (an npm script, a task, a hook) to the repo files it runs."""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable, Iterable

_SPLIT = re.compile(r"&&|\|\||[|;&\n]")
_QUOTED = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'")
_ENV_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PREFIXES = frozenset({"nohup", "sudo", "exec", "time", "env", "cross-env", "dotenv", "npx", "pnpx", "bunx", "-c"})
_RUNNERS = frozenset(
    {
        "node",
        "nodejs",
        "nodemon",
        "ts-node",
        "tsx",
        "babel-node",
        "bun",
        "deno",
        "python",
        "python3",
        "py",
        "sh",
        "bash",
        "zsh",
        "source",
        ".",
        "pm2",
        "forever",
        "supervisor",
        "node-dev",
        "ts-node-dev",
        "esno",
        "vite-node",
        "electron",
    }
)
_SCRIPT_RUNNERS = frozenset({"npm", "yarn", "pnpm", "bun"})
_EXTENSIONS = ("", ".js", ".cjs", ".mjs", ".ts", ".mts", ".cts", ".py", ".sh")
BACKGROUND = re.compile(r"(?:^|[^&])&\s*$|\bnohup\b|\bstart\s+/b\b|\bsetsid\b|\bdisown\b", re.I)


def segments(command: str, depth: int = 0) -> list[str]:
    """The simple commands of a command line, including ones quoted for concurrently/npm-run-all."""
    parts = [part.strip() for part in _SPLIT.split(command) if part.strip()]
    if depth >= 8:  # quotes inside quotes this deep are not unpacked further
        return parts
    nested: list[str] = []
    for part in parts:
        head = part.split(None, 1)[0] if part.split() else ""
        if head in ("concurrently", "npm-run-all", "run-p", "run-s", "start-server-and-test", "sh", "bash") or (
            head in ("cmd", "start")
        ):
            for match in _QUOTED.finditer(part):
                inner = match.group(1) if match.group(1) is not None else match.group(2)
                nested.extend(segments(inner.replace('\\"', '"'), depth + 1))
    return parts + nested


def _argv(segment: str) -> list[str]:
    try:
        return shlex.split(segment, posix=True)
    except ValueError:
        return segment.split()


def resolve_file(base: str, candidate: str, exists: Callable[[str], bool]) -> str | None:
    """A repo path for a script argument, trying the extensions and index files Node would."""
    candidate = candidate.replace("${workspaceFolder}/", "").replace("${workspaceFolder}", ".")
    if candidate.startswith(("/", "~", "$", "-")) or "://" in candidate:
        return None
    joined = posixpath.normpath(posixpath.join(base, candidate)) if base else posixpath.normpath(candidate)
    if joined.startswith(".."):
        return None
    for ext in _EXTENSIONS:
        if exists(joined + ext):
            return joined + ext
    for index in ("index.js", "index.cjs", "index.mjs", "index.ts", "__main__.py"):
        path = posixpath.join(joined, index)
        if exists(path):
            return path
    return None


def files_run_by(
    command: str,
    base: str,
    exists: Callable[[str], bool],
    run_script: Callable[[str], Iterable[str]] | None = None,
    main: str | None = None,
) -> list[str]:
    """Repo files a command line executes. ``run_script(name)`` expands ``npm run name``."""
    found: list[str] = []
    for segment in segments(command):
        argv = [a for a in _argv(segment) if a]
        while argv and (argv[0] in _PREFIXES or _ENV_ASSIGN.match(argv[0]) or argv[0].lower() in ("start", "/b")):
            argv = argv[1:]
        if not argv:
            continue
        program = posixpath.basename(argv[0])
        if program in _SCRIPT_RUNNERS and run_script is not None:
            rest = [a for a in argv[1:] if not a.startswith("-")]
            if rest[:1] == ["run"] or rest[:1] == ["run-script"]:
                rest = rest[1:]
            if rest and rest[0] not in ("install", "i", "ci", "add", "exec", "x"):
                found.extend(run_script(rest[0]))
            continue
        if program in _RUNNERS:
            args = argv[1:]
            if program in ("pm2", "forever") and args[:1] == ["start"]:
                args = args[1:]
            if program == "deno" and args[:1] == ["run"]:
                args = args[1:]
            target = next((a for a in args if not a.startswith("-")), None)
            if target == "." and main:
                target = main
            if target:
                resolved = resolve_file(base, target, exists)
                if resolved:
                    found.append(resolved)
            continue
        if "/" in argv[0] or argv[0].endswith((".sh", ".js", ".py")):
            resolved = resolve_file(base, argv[0], exists)
            if resolved:
                found.append(resolved)
    return list(dict.fromkeys(found))


__all__ = ["BACKGROUND", "files_run_by", "resolve_file", "segments"]
