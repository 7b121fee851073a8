"""Taint analysis: remote (network-response) data reaching code execution, in JS/TS and Python.

``FlowVisitor`` plugs into the tree-sitter engine: ``visit`` turns each file into a small
data-flow graph in a worker process; ``link`` joins the graphs of the whole repository, resolves
calls within files and across require/import, and reports every remote source that reaches an
execution sink, with the path between them. ``module_graph`` gives the orchestrator the resolved
import graph, to mark findings reachable from files that run automatically.
"""

from __future__ import annotations

import tree_sitter

from inspector.static.catalogs import catalogs_digest
from inspector.static.flow._builder import MAX_TREE_NODES
from inspector.static.flow._ir import FileSummary
from inspector.static.flow._javascript import build_javascript
from inspector.static.flow._link import link_flows
from inspector.static.flow._modules import module_graph
from inspector.static.flow._python import build_python
from inspector.static.interface import AnalyzerResult, RepoView
from inspector.static.treesitter import TAIL_PARSE_BYTES, TreeVisitor, parse, tail_segment


class FlowVisitor(TreeVisitor):
    name = "flow"
    # 2: sources carry the binding of their request URL; 3: API names read from the catalogs;
    # 4: budgets, depth cut, tail of big files. The catalogs' digest is part of it, so editing a
    # catalog invalidates cached summaries.
    version = f"4+{catalogs_digest()}"

    def __init__(self, *, max_nodes: int = MAX_TREE_NODES) -> None:
        self.max_nodes = max_nodes  # a bigger tree is not walked (a partial-analysis info finding)

    def visit(self, path: str, language: str, tree: tree_sitter.Tree, source: bytes) -> FileSummary:
        root = tree.root_node
        if root.descendant_count <= self.max_nodes:
            return self._build(language, root, source)
        # Too big to walk whole: walk its end, where a loader appended to a bundle sits.
        start = max(0, len(source) - TAIL_PARSE_BYTES)
        tail = tail_segment(source[start:], source.count(b"\n", 0, start))
        tail_root = parse(tail, language).root_node
        cut = f"more than {self.max_nodes} syntax nodes: data flow read in the last {TAIL_PARSE_BYTES >> 10} KB only"
        if tail_root.descendant_count > self.max_nodes:
            return FileSummary(language=language, has_error=root.has_error, truncated=cut)
        summary = self._build(language, tail_root, tail)
        summary.truncated = summary.truncated or cut
        return summary

    @staticmethod
    def _build(language: str, root: tree_sitter.Node, source: bytes) -> FileSummary:
        if language == "python":
            return build_python(root, source)
        return build_javascript(language, root, source)

    def partial(self, summary: object) -> bool:
        return isinstance(summary, FileSummary) and bool(summary.truncated)

    def link(self, repo: RepoView, summaries: dict[str, FileSummary]) -> AnalyzerResult:
        files = {f.path for f in repo.files if not f.is_link}
        return AnalyzerResult(findings=tuple(link_flows(summaries, files)))


__all__ = ["FlowVisitor", "module_graph"]
