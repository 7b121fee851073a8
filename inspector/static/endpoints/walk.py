"""The language-neutral half of a file visit: walk the tree once, fold what folds, keep the hits.

A subclass per language knows the grammar: which nodes may fold to a string, how to fold them,
which strings are module names (never hosts) and where a host has a port next to it.
"""

from __future__ import annotations

import abc
import re
import time
from functools import cache

import tree_sitter

from .summary import Deferred, FileSummary, Found, hidden_slug, how_label
from .urls import hits_in, url_hits
from .values import ENCODED_URL_MARKERS, MAX_DEPTH, Folded, Ref, marked_url_decoding

# A name that says "this is where we connect": a bare "api.name" becomes a host only here.
HOST_NAME = re.compile(r"(?i)(host|domain|server|url|uri|endpoint|api|addr|remote|origin|base|c2|gate|proxy)")
MAX_EVIDENCE = 200
# Fold attempts per file: minified bundles have millions of nodes, each gets a bounded try.
MAX_FOLD_STEPS = 2_000_000
# Wall-clock budget of one file's walk (queries, folding, exports): a hostile file cannot hold the
# stage; what was not read by then is reported as cut.
WALK_BUDGET_S = 20.0
# Query matches start no deeper than this: tree-sitter's query engine goes superlinear on very
# deep trees (a 100k-term `'a'+'a'+...` chain took minutes). Real code nests far less.
MAX_QUERY_DEPTH = 1000
_CLOCK_EVERY = 4096  # steps between two looks at the clock
_OFFSET_LIMIT = 2**32 - 1  # tree-sitter byte offsets are 32-bit


DECLARATION_CAPTURES = frozenset({"d"})
CANDIDATE_CAPTURES = frozenset({"c", "comment", "docstring", "skip"})


class FoldBudgetExceeded(Exception):
    """Folding in this file used its whole budget; the rest of the file is read as plain literals."""


def deeper_than(root: tree_sitter.Node, limit: int) -> bool:
    """Whether the tree nests deeper than ``limit``, following the heaviest child at each level.

    Exact for the shapes that make deep trees (long operator chains, nested brackets, member
    chains: the deep part is the heavy part); a narrow deep spike inside a big file can be missed.
    """
    if root.descendant_count <= limit:
        return False
    node = root
    for _ in range(limit):
        children = node.children
        if not children:
            return False
        node = max(children, key=lambda child: child.descendant_count)
    return True


@cache
def _compiled(language: tree_sitter.Language, source: str) -> tree_sitter.Query:
    return tree_sitter.Query(language, source)


class ModuleWalker(abc.ABC):
    """Queries (run in C, much faster than walking every node in Python) pick the nodes:
    ``declaration_query`` captures ``@d`` declarations; ``candidate_query`` captures ``@c`` nodes that may
    fold to a string, ``@comment``/``@docstring`` nodes read for URLs only, and ``@skip`` subtrees."""

    declaration_query: str
    candidate_query: str

    def __init__(self, source: bytes, root: tree_sitter.Node, language: tree_sitter.Language) -> None:
        self.language = language
        self.decoders: dict[str, tuple[str, tree_sitter.Node]] = {}  # one-parameter wrapper functions
        self.bound: dict[str, Folded] = {}  # the parameter while folding a wrapper body
        self.source = source
        self.root = root
        self.steps = 0
        self.budget_spent = False
        self.cut = ""
        self.ends_at = time.monotonic() + WALK_BUDGET_S
        self.found: list[Found] = []
        self.deferred: list[Deferred] = []
        self._captures: dict[str, list[tree_sitter.Node]] | None = None

    # -- grammar-specific -------------------------------------------------------------------

    @abc.abstractmethod
    def collect_declarations(self) -> None:
        """Record constants, imports and decoder functions before folding."""

    @abc.abstractmethod
    def fold_node(self, node: tree_sitter.Node, depth: int) -> Folded | None:
        """Fold one node (called through :meth:`fold`, which counts steps and depth)."""

    @abc.abstractmethod
    def skip_subtree(self, node: tree_sitter.Node) -> bool:
        """Calls that load a module (``require('x')``): their strings name no host."""

    @abc.abstractmethod
    def host_context(self, node: tree_sitter.Node) -> tuple[bool, int | None]:
        """Whether the place of ``node`` names a host (key, variable, connect call) and its port."""

    @abc.abstractmethod
    def exports(self) -> dict[str, Folded]:
        """Module-level constants another module may import (folded, may hold Refs)."""

    # -- shared -------------------------------------------------------------------------------

    def text(self, node: tree_sitter.Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def fold(self, node: tree_sitter.Node | None, depth: int) -> Folded | None:
        if node is None or depth > MAX_DEPTH:
            return None
        self.steps += 1
        if self.steps > MAX_FOLD_STEPS:
            self.cut = (
                self.cut
                or f"constant folding stopped at its step budget ({MAX_FOLD_STEPS} steps); later values read as plain"
            )
            raise FoldBudgetExceeded
        if self.steps % _CLOCK_EVERY == 0 and self._out_of_time():
            raise FoldBudgetExceeded
        return self.fold_node(node, depth + 1)

    def _out_of_time(self) -> bool:
        if time.monotonic() <= self.ends_at:
            return False
        self.cut = (
            self.cut
            or f"time budget hit: constant folding stopped after {WALK_BUDGET_S:.0f} s; later values read as literals"
        )
        return True

    def captured(self, names: frozenset[str]) -> list[tuple[str, tree_sitter.Node]]:
        """Captures with these names in source order, outer nodes before the nodes inside them."""
        if self._captures is None:
            # One pass of the query engine over the tree serves both the declarations and the
            # candidates (each pass costs about as much as walking the tree in C).
            query = _compiled(self.language, self.declaration_query + self.candidate_query)
            cursor = tree_sitter.QueryCursor(query)
            cursor.set_max_start_depth(MAX_QUERY_DEPTH)
            self._captures = cursor.captures(self.root)
            if deeper_than(self.root, MAX_QUERY_DEPTH):
                self.cut = f"analysis cut at {MAX_QUERY_DEPTH} levels: values nested deeper were not read"
        # Order: start, then the longer node first, then a node captured twice (a docstring is
        # also a string) by its special capture first, so that it is read by that one. The three
        # keys are packed in one integer (byte offsets are below 2**32): sorting integers is
        # several times faster than sorting tuples.
        found: list[tuple[str, tree_sitter.Node]] = []
        keys: list[int] = []
        for name, nodes in self._captures.items():
            if name not in names:
                continue
            last = name == "c"
            for node in nodes:
                keys.append((node.start_byte << 33) | ((_OFFSET_LIMIT - node.end_byte) << 1) | last)
                found.append((name, node))
        return [found[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]

    def summarise(self, language: str) -> FileSummary:
        self.collect_declarations()
        consumed_to = -1  # end of the last subtree already read as a whole
        for index, (name, node) in enumerate(self.captured(CANDIDATE_CAPTURES)):
            if node.start_byte < consumed_to:
                continue
            if index % _CLOCK_EVERY == 0 and not self.budget_spent and self._out_of_time():
                self.budget_spent = True
            if name in {"comment", "docstring"}:
                self.record_comment(node, name)
            elif node.type == "string" and _inert_string(self.source[node.start_byte : node.end_byte]):
                # Most string literals (messages, keys, 'utf8'): cannot name a host, and hold no
                # nested candidate, so they are passed over before any folding machinery runs.
                continue
            elif name == "skip" or self.skip_subtree(node):
                pass
            elif self.budget_spent:
                continue
            else:
                folded = self._try_fold(node)
                if folded is None or not folded.known() or folded.numeric:
                    continue
                self._record(node, folded)
            consumed_to = node.end_byte

        exports = {} if self.budget_spent else self._safe_exports()
        decoders = {} if self.budget_spent else self._decoder_chains()
        return FileSummary(
            tuple(self.found), tuple(self.deferred), exports, language, self.budget_spent, decoders, self.cut
        )

    def _try_fold(self, node: tree_sitter.Node) -> Folded | None:
        try:
            return self.fold(node, 0)
        except FoldBudgetExceeded:
            self.budget_spent = True
            return None

    def _decoder_chains(self) -> dict[str, tuple[str, ...]]:
        """One-parameter functions that only decode their argument (``s => atob(s)``), for importers."""
        chains: dict[str, tuple[str, ...]] = {}
        for name, (param, body) in self.decoders.items():
            self.bound[param] = Folded((Ref("param", param),))
            try:
                result = self.fold(body, 0)
            except FoldBudgetExceeded:
                return chains
            finally:
                del self.bound[param]
            if result is not None and len(result.parts) == 1 and isinstance(result.parts[0], Ref):
                ref = result.parts[0]
                if ref.kind == "param" and ref.transforms:
                    chains[name] = ref.transforms
        return chains

    def _safe_exports(self) -> dict[str, Folded]:
        try:
            return self.exports()
        except FoldBudgetExceeded:
            return {}

    def _record(self, node: tree_sitter.Node, folded: Folded) -> None:
        text = folded.text()
        if text is not None and not _may_name_host(text):
            return
        if text is None and _plain_import(folded):
            # The exporting module reports this value at its own line.
            return
        line, column = node.start_point.row + 1, node.start_point.column + 1
        evidence = self.text(node)[:MAX_EVIDENCE]
        is_host, port = self.host_context(node)
        if text is None:
            self.deferred.append(Deferred(folded, line, column, evidence, is_host, port))
            return
        hits = hits_in(text, allow_bare=True, host_context=is_host)
        if not hits and text.startswith(ENCODED_URL_MARKERS):
            decoded = marked_url_decoding(text)
            if decoded is not None:
                text, how = decoded
                folded = folded.with_how(how)
                hits = hits_in(text, allow_bare=False)
        label = how_label(folded.hows)
        for hit in hits:
            hidden = hidden_slug(hit.host, folded.hows, folded.pieces)
            self.found.append(Found(hit.host, hit.url, hit.port or port, line, column, label, hidden, evidence))

    def record_comment(self, node: tree_sitter.Node, how: str) -> None:
        """URLs with a scheme only: prose names too many things that look like hosts."""
        text = self.text(node)
        if "://" not in text:
            return
        start_line = node.start_point.row + 1
        for number, line_text in enumerate(text.splitlines()):
            for hit in url_hits(line_text):
                evidence = line_text.strip()[:MAX_EVIDENCE]
                self.found.append(Found(hit.host, hit.url, hit.port, start_line + number, 1, how, None, evidence))


def _inert_string(raw: bytes) -> bool:
    """A plain string literal that :func:`_may_name_host` rejects whatever it folds to: no dot, no
    scheme, no encoded-URL marker, and nothing that folding could turn into one (no escape, no
    f-string or template part)."""
    return (
        b"." not in raw
        and b"\\" not in raw
        and b"{" not in raw
        and b"://" not in raw
        and b"aHR0c" not in raw
        and b"68747470" not in raw
    )


def _may_name_host(text: str) -> bool:
    """Cheap test before the real parse: a URL, or a short dotted word (host, IP, host:port)."""
    if "://" in text or text.startswith(ENCODED_URL_MARKERS):
        return True
    return "." in text and len(text) <= 300 and not any(ch.isspace() for ch in text.strip())


def _plain_import(folded: Folded) -> bool:
    return (
        len(folded.parts) == 1
        and isinstance(folded.parts[0], Ref)
        and folded.parts[0].kind == "import"
        and not folded.parts[0].transforms
    )
