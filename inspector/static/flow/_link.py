"""Joins the per-file graphs, resolves calls across functions and modules, and finds the flows.

Each resolved call adds "argument -> parameter" and "return -> call result" edges; that is the
function summary in graph form: a function whose parameter reaches a sink (the error-handler
wrapper) is a sink for every caller, and a function that returns remote data is a source for
every caller. An unresolved call passes its arguments and receiver to its result and its receiver
to the callbacks it is given (`.then`, `.on('data')`). One breadth-first search from every remote
source over the joint graph is the fixpoint: it visits each node once, so it ends on any input.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass

from inspector.model import Category, Engine, Finding, Severity, TraceStep
from inspector.static.flow._ir import FileSummary, Function, Member, Sink, Source
from inspector.static.flow._modules import resolve

# (path, line, column, text) of a hop; None for a hop not worth showing.
GlobalNote = tuple[str, int, int, str] | None
MAX_RESOLVE_STEPS = 24


@dataclass(frozen=True)
class _Fn:
    path: str
    index: int
    info: Function


class _Linker:
    def __init__(self, summaries: dict[str, FileSummary], files: Collection[str]) -> None:
        self.paths = sorted(summaries)
        self.index = {path: i for i, path in enumerate(self.paths)}
        self.summaries = summaries
        self.files = files
        self.adjacent: dict[int, list[tuple[int, GlobalNote]]] = {}  # edges made here: calls, imports, files
        self._local: dict[int, dict[int, list[tuple[int, GlobalNote]]]] = {}  # file -> its own edges
        self.imports: dict[int, tuple[int, str]] = {}  # global node -> (file index, exported name)
        self.file_nodes: dict[str, int] = {}
        self._next_extra = 0

    def gid(self, file: int, local: int) -> int:
        return (file << 32) | local

    def edge(self, src: int, dst: int, note: GlobalNote = None) -> None:
        self.adjacent.setdefault(src, []).append((dst, note))

    def file_node(self, key: str, path: str) -> int:
        key = key if key.startswith("s:") else f"{path}:{key}"
        if key not in self.file_nodes:
            self._next_extra += 1
            self.file_nodes[key] = self.gid(len(self.paths), self._next_extra)
        return self.file_nodes[key]

    # -- resolution ----------------------------------------------------------------------

    def export_node(self, file: int, name: str, steps: int = 0) -> int | None:
        if steps > MAX_RESOLVE_STEPS:
            return None
        summary = self.summaries[self.paths[file]]
        key = "default" if name == "*" else name
        if key in summary.exports:
            return self.gid(file, summary.exports[key])
        if "default" in summary.exports:
            holder = self.follow_aliases(self.gid(file, summary.exports["default"]))
            owner, local = holder >> 32, holder & 0xFFFFFFFF
            field = self.summaries[self.paths[owner]].fields.get((local, name)) if owner < len(self.paths) else None
            if field is not None:
                return self.gid(owner, field)
        for spec in summary.reexports:
            target = resolve(self.paths[file], spec, self.files)
            if target in self.index:
                found = self.export_node(self.index[target], name, steps + 1)
                if found is not None:
                    return found
        return None

    def follow_aliases(self, node: int) -> int:
        for _ in range(MAX_RESOLVE_STEPS):
            file, local = node >> 32, node & 0xFFFFFFFF
            if file >= len(self.paths):
                return node
            summary = self.summaries[self.paths[file]]
            if local in summary.aliases:
                node = self.gid(file, summary.aliases[local])
            elif node in self.imports:
                target, name = self.imports[node]
                found = self.export_node(target, name)
                if found is None:
                    return node
                node = found
            else:
                return node
        return node

    def resolve_fn(self, file: int, ref: int | Member | None) -> _Fn | None:
        if ref is None:
            return None
        if isinstance(ref, Member):
            obj = self.gid(file, ref.obj)
            target: int | None = None
            if obj in self.imports:
                owner, name = self.imports[obj]
                if name in ("*", "default"):
                    target = self.export_node(owner, ref.prop)
            if target is None:
                holder = self.follow_aliases(obj)
                owner, local = holder >> 32, holder & 0xFFFFFFFF
                if owner < len(self.paths):
                    field = self.summaries[self.paths[owner]].fields.get((local, ref.prop))
                    target = self.gid(owner, field) if field is not None else None
            if target is None:
                return None
            node = self.follow_aliases(target)
        else:
            node = self.follow_aliases(self.gid(file, ref))
        owner, local = node >> 32, node & 0xFFFFFFFF
        if owner >= len(self.paths):
            return None
        summary = self.summaries[self.paths[owner]]
        fn = summary.fn_bindings.get(local)
        if fn is None or fn not in summary.functions:
            return None
        return _Fn(self.paths[owner], owner, summary.functions[fn])

    # -- graph ---------------------------------------------------------------------------

    def build(self) -> None:
        # A file's own edges are indexed only when a search reaches that file (see `neighbours`);
        # the edges that calls, imports and file writes make are added here.
        for file, path in enumerate(self.paths):
            summary = self.summaries[path]
            for imp in summary.imports:
                target = resolve(path, imp.spec, self.files)
                if target is None and summary.language == "python" and imp.name not in ("*", "default"):
                    # `from . import module`: the name is a module, not a member.
                    joined = imp.spec + imp.name if imp.spec.endswith(".") else f"{imp.spec}.{imp.name}"
                    submodule = resolve(path, joined, self.files)
                    if submodule in self.index:
                        self.imports[self.gid(file, imp.node)] = (self.index[submodule], "*")
                    continue
                if target in self.index:
                    self.imports[self.gid(file, imp.node)] = (self.index[target], imp.name)
        for node, (owner, name) in list(self.imports.items()):
            exported = self.export_node(owner, name)
            if exported is not None:
                self.edge(exported, node)
        for file, path in enumerate(self.paths):
            self._calls(file, path, self.summaries[path])
            for flow in self.summaries[path].file_flows:
                for key in flow.keys:
                    if flow.write:
                        self.edge(self.gid(file, flow.node), self.file_node(key, path))
                    else:
                        self.edge(self.file_node(key, path), self.gid(file, flow.node))
            for sink in self.summaries[path].sinks:
                for key in sink.file_keys:
                    self.edge(
                        self.file_node(key, path),
                        self.gid(file, sink.input),
                        (path, sink.line, sink.column, "runs the file it wrote"),
                    )

    def neighbours(self, node: int) -> list[tuple[int, GlobalNote]]:
        """The file's own edges first, then those added by `build` (the order they were always in)."""
        file = node >> 32
        local = self._local.get(file)
        if local is None:
            local = self._local[file] = self._file_edges(file)
        inside = local.get(node)
        between = self.adjacent.get(node)
        if inside is None:
            return between or []
        return inside + between if between else inside

    def _file_edges(self, file: int) -> dict[int, list[tuple[int, GlobalNote]]]:
        if file >= len(self.paths):
            return {}
        path = self.paths[file]
        base = file << 32
        edges: dict[int, list[tuple[int, GlobalNote]]] = {}
        for src, dst, note in self.summaries[path].edges:
            out = edges.get(base | src)
            if out is None:
                out = edges[base | src] = []
            out.append((base | dst, (path, *note) if note else None))
        return edges

    def _calls(self, file: int, path: str, summary: FileSummary) -> None:
        adjacent = self.adjacent
        base = file << 32
        resolve_fn = self.resolve_fn
        for call in summary.calls:
            target = resolve_fn(file, call.callee) if call.callee is not None else None
            result = base | call.result
            arg_fns = call.arg_fns
            callbacks = [resolve_fn(file, ref) if ref is not None else None for ref in arg_fns] if arg_fns else []
            if target is not None:
                info = target.info
                for position, arg in enumerate(call.args):
                    if position < len(info.params):
                        note = (
                            target.path,
                            info.line,
                            info.column,
                            f"passed to {info.name}({info.param_names[position]}) in {target.path}:{info.line}",
                        )
                        self.edge(base | arg, self.gid(target.index, info.params[position]), note)
                self.edge(
                    self.gid(target.index, info.ret),
                    result,
                    (path, call.line, call.column, f"returned by {info.name}()"),
                )
                target_calls = self.summaries[target.path].param_calls
                for position, callback in enumerate(callbacks):
                    if callback is None:
                        continue
                    for pc in target_calls:
                        if pc.fn == info.fn and pc.index == position:
                            self._into_params(target.index, pc.args, callback, f"called back as {callback.info.name}")
                continue
            for arg in call.args:
                edges = adjacent.get(base | arg)
                if edges is None:
                    edges = adjacent[base | arg] = []
                edges.append((result, None))
            if call.receiver is not None:
                receiver = base | call.receiver
                self.edge(receiver, result)
                for callback in callbacks:
                    if callback is None:
                        continue
                    info = callback.info
                    for position, param in enumerate(info.params):
                        label = "callback" if info.name == "callback" else f"callback {info.name}"
                        note = (
                            callback.path,
                            info.line,
                            info.column,
                            f"{label}({info.param_names[position]}) of {call.name}(...)",
                        )
                        self.edge(receiver, self.gid(callback.index, param), note)
            for callback in callbacks:
                if callback is not None:
                    self.edge(self.gid(callback.index, callback.info.ret), result)

    def _into_params(self, file: int, args: tuple[int, ...], callback: _Fn, text: str) -> None:
        info = callback.info
        for position, arg in enumerate(args):
            if position < len(info.params):
                self.edge(
                    self.gid(file, arg),
                    self.gid(callback.index, info.params[position]),
                    (callback.path, info.line, info.column, f"{text}({info.param_names[position]})"),
                )

    # -- search --------------------------------------------------------------------------

    def search(self, starts: list[int]) -> dict[int, tuple[int, GlobalNote] | None]:
        """Breadth-first from every start; each reached node keeps the edge it was reached by."""
        parents: dict[int, tuple[int, GlobalNote] | None] = {s: None for s in starts}
        queue = deque(starts)
        while queue:
            node = queue.popleft()
            for nxt, note in self.neighbours(node):
                if nxt not in parents:
                    parents[nxt] = (node, note)
                    queue.append(nxt)
        return parents


def _finding_id(rule: str, path: str, line: int, column: int) -> str:
    return hashlib.sha256(f"{rule}:{path}:{line}:{column}".encode()).hexdigest()[:16]


def link_flows(summaries: dict[str, FileSummary], files: Collection[str]) -> list[Finding]:
    linker = _Linker(summaries, files)
    # Every finding starts at a sink, and a search needs a source: without both, the joint graph
    # (the costly part on a large repository) would only ever be searched from nothing.
    if any(s.sinks for s in summaries.values()) and any(s.sources for s in summaries.values()):
        linker.build()
    sources: dict[int, tuple[str, Source]] = {}
    by_label: dict[str, list[int]] = {"remote": [], "decode": [], "env": []}
    for file, path in enumerate(linker.paths):
        for source in summaries[path].sources:
            node = linker.gid(file, source.node)
            sources[node] = (path, source)
            by_label.setdefault(source.label, []).append(node)
    remote = linker.search(by_label["remote"])
    decoded = linker.search(by_label["decode"])
    from_env = linker.search(by_label["env"])

    findings: dict[str, Finding] = {}
    for file, path in enumerate(linker.paths):
        summary = summaries[path]
        lang = "py" if summary.language == "python" else "js"
        for sink in summary.sinks:
            node = linker.gid(file, sink.input)
            if node in remote:
                finding = _remote_finding(
                    lang, path, sink, _trace(node, remote, sources, path, sink), sources, _origin(node, remote)
                )
            elif sink.family == "code" and not sink.constant and node in decoded:
                finding = _decoded_finding(lang, path, sink)
            elif sink.family == "code" and not sink.constant:
                finding = _weak_finding(lang, path, sink, node in from_env)
            else:
                continue
            findings.setdefault(finding.id, finding)
    for path in linker.paths:
        if summaries[path].truncated:
            finding = _partial_finding(path, summaries[path].truncated)
            findings.setdefault(finding.id, finding)
    return sorted(findings.values(), key=lambda f: (f.path or "", f.line or 0, f.column or 0, f.rule))


def _origin(node: int, parents: dict[int, tuple[int, GlobalNote] | None]) -> int:
    for _ in range(len(parents) + 1):
        parent = parents.get(node)
        if parent is None:
            return node
        node = parent[0]
    return node


def _trace(
    node: int,
    parents: dict[int, tuple[int, GlobalNote] | None],
    sources: dict[int, tuple[str, Source]],
    path: str,
    sink: Sink,
) -> tuple[TraceStep, ...]:
    hops: list[TraceStep] = []
    seen_notes: set[tuple[str, int, int, str]] = set()
    current = node
    for _ in range(len(parents) + 1):
        parent = parents.get(current)
        if parent is None:
            break
        current, note = parent
        if note is not None and note not in seen_notes:
            seen_notes.add(note)
            hops.append(TraceStep(note[0], note[1], note[2], note[3]))
    hops.reverse()
    steps: list[TraceStep] = []
    if current in sources:
        source_path, source = sources[current]
        steps.append(TraceStep(source_path, source.line, source.column, f"source: {source.note}"))
        steps.extend(TraceStep(source_path, line, column, text) for line, column, text in source.steps)
    steps.extend(hops)
    steps.append(TraceStep(path, sink.line, sink.column, f"sink: {sink.kind}"))
    return tuple(steps)


def _remote_finding(
    lang: str,
    path: str,
    sink: Sink,
    trace: tuple[TraceStep, ...],
    sources: dict[int, tuple[str, Source]],
    origin: int,
) -> Finding:
    rule = f"flow.{lang}.remote-code-execution"
    source_path, source = sources[origin]
    where = f" ({source_path}:{source.line})" if source_path != path else f" (line {source.line})"
    return Finding(
        id=_finding_id(rule, path, sink.line, sink.column),
        rule=rule,
        severity=Severity.CRITICAL,
        category=Category.REMOTE_CODE_EXECUTION,
        path=path,
        line=sink.line,
        column=sink.column,
        message=f"Data from the network ({source.note}{where}) reaches {sink.kind}",
        evidence=sink.evidence,
        engines=(Engine.TREE_SITTER,),
        trace=trace,
        hosts=source.hosts,
    )


def _decoded_finding(lang: str, path: str, sink: Sink) -> Finding:
    """Code decoded at run time (base64, hex, zlib, marshal...) and executed: the reader of the
    file never sees what runs. HIGH code execution (suspicious alone; capped in vendored code);
    with hidden or obfuscated code in the same file, or remote data, it is more."""
    rule = f"flow.{lang}.decoded-code-execution"
    return Finding(
        id=_finding_id(rule, path, sink.line, sink.column),
        rule=rule,
        severity=Severity.HIGH,
        category=Category.CODE_EXECUTION,
        path=path,
        line=sink.line,
        column=sink.column,
        message=f"{sink.kind} runs code decoded at run time: what runs is not what the file shows",
        evidence=sink.evidence,
        engines=(Engine.TREE_SITTER,),
        trace=(TraceStep(path, sink.line, sink.column, f"sink: {sink.kind}"),),
    )


def _weak_finding(lang: str, path: str, sink: Sink, from_env: bool) -> Finding:
    rule = f"flow.{lang}.dynamic-code-execution"
    reason = "environment-supplied data" if from_env else "a value that is not a constant"
    return Finding(
        id=_finding_id(rule, path, sink.line, sink.column),
        rule=rule,
        severity=Severity.MEDIUM if from_env else Severity.LOW,
        category=Category.CODE_EXECUTION,
        path=path,
        line=sink.line,
        column=sink.column,
        message=f"{sink.kind} runs {reason}",
        evidence=sink.evidence,
        engines=(Engine.TREE_SITTER,),
        trace=(TraceStep(path, sink.line, sink.column, f"sink: {sink.kind}"),),
    )


def _partial_finding(path: str, why: str) -> Finding:
    rule = "flow.partial-analysis"
    return Finding(
        id=_finding_id(rule, path, 0, 0),
        rule=rule,
        severity=Severity.INFO,
        category=Category.ANALYSIS,
        path=path,
        line=None,
        column=None,
        message=f"Data-flow analysis incomplete: {why}",
        evidence="",
        engines=(Engine.TREE_SITTER,),
    )
