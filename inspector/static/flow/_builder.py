"""What the JavaScript and Python graph builders share: nodes, scopes, edges, locations, budgets."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import tree_sitter

from inspector.static.flow._ir import FileFlow, FileSummary, Function, Note, Sink, Source

# Deeper expression nesting is not followed (the rest of the file still is): a hostile file
# cannot exhaust the interpreter stack. Each level costs a few Python frames.
MAX_DEPTH = 120
# Files whose syntax tree has more nodes than this are not walked (minified bundles, generated
# code); the text checks still see them and the engine reports the cap as a partial analysis.
MAX_TREE_NODES = 600_000
EVIDENCE_CHARS = 200
# Wall-clock budget of one file's graph build; past it the rest of the file is not walked.
FLOW_BUDGET_S = 20.0
_CLOCK_EVERY = 4096  # expression visits between two looks at the clock
DEPTH_CUT = f"analysis cut at {MAX_DEPTH} levels: expressions nested deeper were not followed"

Values = frozenset[int]
NOTHING: Values = frozenset()


@dataclass
class Scope:
    fn: int
    names: dict[str, int] = field(default_factory=dict)
    consts: dict[str, str] = field(default_factory=dict)  # name -> constant string value
    aliases: dict[str, str] = field(default_factory=dict)  # name -> sink kind or "module:<name>"
    # name (or "obj.key" of an object literal) -> (line, column) of its latest direct binding so far
    bound_at: dict[str, tuple[int, int]] = field(default_factory=dict)


class GraphBuilder:
    """Builds one :class:`FileSummary`; the language subclasses walk their own syntax trees."""

    def __init__(self, language: str, source: bytes) -> None:
        self.source = source
        self.summary = FileSummary(language=language)
        self._next = 0
        self.module = Scope(fn=0)
        self.scopes: list[Scope] = [self.module]
        self.param_of: dict[int, tuple[int, int]] = {}  # node -> (function id, index)
        self.streams: dict[int, tuple[str, ...]] = {}  # node of an open file/stream -> file keys
        self.depth = 0
        self._fn_counter = 0
        self._visits = 0
        self._ends_at = time.monotonic() + FLOW_BUDGET_S
        self.out_of_time = False

    def over_budget(self) -> bool:
        """Count one expression visit; True (for the rest of the file) once the time budget is spent."""
        self._visits += 1
        if not self.out_of_time and self._visits % _CLOCK_EVERY == 0 and time.monotonic() > self._ends_at:
            self.out_of_time = True
            self.summary.truncated = (
                f"time budget hit: data flow walked for {FLOW_BUDGET_S:.0f} s, the rest not followed"
            )
        return self.out_of_time

    # -- nodes and edges -----------------------------------------------------------------

    def new(self) -> int:
        self._next += 1
        return self._next

    def flow(self, values: Iterable[int], dst: int, note: Note | None = None) -> None:
        for value in values:
            if value != dst:
                self.summary.edges.append((value, dst, note))

    def temp(self, values: Values) -> int:
        """One node standing for a set of values (reuse the node when there is only one)."""
        if len(values) == 1:
            return next(iter(values))
        node = self.new()
        self.flow(values, node)
        return node

    # -- scopes --------------------------------------------------------------------------

    def lookup(self, name: str) -> int:
        for scope in reversed(self.scopes):
            if name in scope.names:
                return scope.names[name]
        # Unknown here: a global, or a module-level name declared further down. Binding it in
        # the module scope lets the later declaration find the same node.
        return self.declare(name, self.module)

    def declare(self, name: str, scope: Scope | None = None) -> int:
        scope = scope or self.scopes[-1]
        if name not in scope.names:
            scope.names[name] = self.new()
        return scope.names[name]

    def const_of(self, name: str) -> str | None:
        for scope in reversed(self.scopes):
            if name in scope.consts:
                return scope.consts[name]
            if name in scope.names and scope is not self.module:
                return None
        return None

    def alias_of(self, name: str) -> str | None:
        for scope in reversed(self.scopes):
            if name in scope.aliases:
                return scope.aliases[name]
            if name in scope.names and scope is not self.module:
                return None
        return None

    def note_bound_at(self, name: str, at: tree_sitter.Node) -> None:
        bound_at = self.scopes[-1].bound_at
        for key in [k for k in bound_at if k.startswith(name + ".")]:
            del bound_at[key]  # a rebound object: its old literal's keys no longer apply
        bound_at[name] = self.loc(at)

    def bound_at(self, name: str) -> tuple[int, int] | None:
        """Where ``name`` was last bound directly, in this function or the module (not followed further)."""
        base = name.partition(".")[0]
        for scope in reversed(self.scopes):
            if name in scope.bound_at:
                return scope.bound_at[name]
            if base in scope.names and scope is not self.module:
                return None
        return None

    def url_steps(self, name: str | None) -> tuple[Note, ...]:
        """The trace step "request URL from <name>" at the binding of a request's URL variable."""
        site = self.bound_at(name) if name else None
        return ((site[0], site[1], f"request URL from {name}"),) if site is not None else ()

    def begin_function(self, name: str, node: tree_sitter.Node) -> tuple[int, Scope]:
        self._fn_counter += 1
        scope = Scope(fn=self._fn_counter)
        self.scopes.append(scope)
        return self._fn_counter, scope

    def end_function(self, fn: int, name: str, params: list[tuple[str, int]], ret: int, at: tree_sitter.Node) -> None:
        self.scopes.pop()
        line, column = self.loc(at)
        self.summary.functions[fn] = Function(
            fn=fn,
            name=name,
            params=tuple(node for _, node in params),
            param_names=tuple(n for n, _ in params),
            ret=ret,
            line=line,
            column=column,
        )

    # -- facts ---------------------------------------------------------------------------

    def add_source(
        self,
        label: str,
        note: str,
        at: tree_sitter.Node,
        hosts: Iterable[str] = (),
        steps: tuple[Note, ...] = (),
    ) -> int:
        node = self.new()
        line, column = self.loc(at)
        self.summary.sources.append(Source(node, label, note, line, column, tuple(sorted(set(hosts))), steps))
        return node

    def add_sink(
        self,
        kind: str,
        family: str,
        inputs: Iterable[Values],
        constant: bool,
        at: tree_sitter.Node,
        file_keys: Iterable[str] = (),
    ) -> None:
        node = self.new()
        for values in inputs:
            self.flow(values, node)
        line, column = self.loc(at)
        self.summary.sinks.append(
            Sink(kind, family, node, constant, line, column, self.evidence(at), tuple(sorted(set(file_keys))))
        )

    def file_flow(self, keys: Iterable[str], node: int, *, write: bool) -> None:
        keys = tuple(sorted(set(keys)))
        if keys:
            self.summary.file_flows.append(FileFlow(keys, node, write))

    # -- text and locations --------------------------------------------------------------

    def name(self, node: tree_sitter.Node) -> str:
        """The exact text of a short node (an identifier)."""
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def text(self, node: tree_sitter.Node, limit: int = 80) -> str:
        raw = self.source[node.start_byte : min(node.end_byte, node.start_byte + limit * 4)]
        text = " ".join(raw.decode("utf-8", "replace").split())
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def loc(self, node: tree_sitter.Node) -> tuple[int, int]:
        row, column = node.start_point
        return row + 1, column + 1

    def note(self, node: tree_sitter.Node, text: str) -> Note:
        line, column = self.loc(node)
        return (line, column, text)

    def evidence(self, node: tree_sitter.Node) -> str:
        start = self.source.rfind(b"\n", 0, node.start_byte) + 1
        end = self.source.find(b"\n", node.start_byte)
        end = len(self.source) if end < 0 else end
        # A loader hidden after hundreds of spaces: show the statement, not the padding.
        line = self.source[start:end].decode("utf-8", "replace").strip()
        if len(line) > EVIDENCE_CHARS:
            offset = max(0, len(self.source[start : node.start_byte].decode("utf-8", "replace").strip()))
            line = line[max(0, offset - 40) :][:EVIDENCE_CHARS]
        return line


def hosts_in(text: str | None) -> tuple[str, ...]:
    """The host of a URL-looking constant, lower-cased; nothing for anything else."""
    if not text or "://" not in text:
        return ()
    try:
        host = urlsplit(text.strip()).hostname
    except ValueError:
        return ()
    return (host.lower(),) if host else ()


def path_keys(strings: Iterable[str], names: Iterable[str]) -> tuple[str, ...]:
    """Keys that identify "the same file" at a write and at a later load in the same repo.

    String literals are global (a write in one file, a require in another); variable names only
    match within one file, so they are prefixed by the caller's file at link time.
    """
    ignored = {
        "path",
        "__dirname",
        "__filename",
        "process",
        "os",
        "join",
        "resolve",
        "cwd",
        "tmpdir",
        "homedir",
        "utf8",
        "utf-8",
        "w",
        "wb",
        "a",
        "r",
        "rb",
        "self",
        "sys",
        "executable",
        "node",
        "python",
        "python3",
        "-e",
        "-c",
        "/",
        ".",
    }
    keys = {f"s:{s}" for s in strings if s and s not in ignored and len(s) < 300}
    keys |= {f"v:{n}" for n in names if n not in ignored}
    return tuple(sorted(keys))


__all__ = [
    "DEPTH_CUT",
    "MAX_DEPTH",
    "MAX_TREE_NODES",
    "NOTHING",
    "GraphBuilder",
    "Scope",
    "Sink",
    "Source",
    "Values",
    "hosts_in",
    "path_keys",
]
