"""Resolving require/import specifiers to files of the repository, and the import graph."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection

from inspector.static.interface import RepoView

JS_EXTENSIONS = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")
PY_EXTENSIONS = (".py", ".pyw")

# Specifiers as written: require('x'), import ... from 'x', import('x'), export ... from 'x'.
_JS_SPEC = re.compile(rb"""(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s*|\bimport\s+)(['"`])([^'"`\n]{1,300})\1""")
_PY_FROM = re.compile(rb"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w ,\t*]+)", re.MULTILINE)
_PY_IMPORT = re.compile(rb"^[ \t]*import[ \t]+([\w., \t]+)", re.MULTILINE)


def resolve_js(importer: str, spec: str, files: Collection[str]) -> str | None:
    if not spec.startswith("."):
        return None
    base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
    if base.startswith("../") or base == "..":
        return None
    stems = [base]
    if base.endswith((".js", ".jsx", ".mjs", ".cjs")):
        stems.append(base.rsplit(".", 1)[0])  # TypeScript sources imported as './x.js'
    for stem in stems:
        for candidate in (
            stem,
            *(stem + ext for ext in JS_EXTENSIONS),
            *(f"{stem}/index{ext}" for ext in JS_EXTENSIONS),
        ):
            if candidate in files:
                return candidate
    return None


def resolve_py(importer: str, spec: str, files: Collection[str]) -> str | None:
    """``spec`` is a dotted module name, relative when it starts with dots."""
    level = len(spec) - len(spec.lstrip("."))
    dotted = spec[level:]
    parts = [p for p in dotted.split(".") if p]
    if level:
        directory = posixpath.dirname(importer)
        for _ in range(level - 1):
            directory = posixpath.dirname(directory)
        roots = [directory]
    else:
        # Absolute imports: the repository root, then every directory above the importer
        # (src layouts, scripts run from their own folder).
        roots = [""]
        directory = posixpath.dirname(importer)
        while directory:
            roots.append(directory)
            directory = posixpath.dirname(directory)
    for root in roots:
        stem = posixpath.join(root, *parts) if parts else root
        for candidate in (stem + ".py", posixpath.join(stem, "__init__.py")):
            candidate = candidate.lstrip("/")
            if candidate in files:
                return candidate
    return None


def resolve(importer: str, spec: str, files: Collection[str]) -> str | None:
    if importer.endswith(PY_EXTENSIONS):
        return resolve_py(importer, spec, files)
    return resolve_js(importer, spec, files)


def _specs(path: str, data: bytes) -> list[str]:
    if path.endswith(PY_EXTENSIONS):
        specs: list[str] = []
        for match in _PY_FROM.finditer(data):
            module = match.group(1).decode("ascii", "replace")
            specs.append(module)
            for name in match.group(2).decode("ascii", "replace").split(","):
                name = name.strip().split(" ")[0]
                if name and name != "*":
                    specs.append(module + name if module.endswith(".") else f"{module}.{name}")
        for match in _PY_IMPORT.finditer(data):
            for name in match.group(1).decode("ascii", "replace").split(","):
                name = name.strip().split(" ")[0]
                if name:
                    specs.append(name)
        return specs
    return [m.group(2).decode("utf-8", "replace") for m in _JS_SPEC.finditer(data)]


def module_graph(repo: RepoView) -> dict[str, frozenset[str]]:
    """Each JS/TS/Python file -> the repository files it requires or imports (resolved).

    Read from the import statements' text, not the syntax tree, so it costs one regex pass and
    works on files the parser gave up on; resolution is the one the flow analysis uses.
    """
    files = {f.path for f in repo.files if not f.is_link}
    graph: dict[str, frozenset[str]] = {}
    for path in sorted(files):
        if not path.endswith(JS_EXTENSIONS + PY_EXTENSIONS):
            continue
        try:
            data = repo.read(path)
        except OSError:
            continue
        targets = {resolve(path, spec, files) for spec in _specs(path, data)}
        graph[path] = frozenset(t for t in targets if t is not None and t != path)
    return graph
