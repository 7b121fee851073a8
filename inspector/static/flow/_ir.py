"""The per-file summary the flow visitor sends from a worker process to ``link``.

A file becomes a small data-flow graph: integer nodes (variables, parameters, call results,
temporaries) and edges "value of A flows into B". Calls, sinks, sources, imports and exports are
recorded beside the graph so ``link`` can join the graphs of all files, resolve calls to local
functions (in the same file or through require/import) and search the joint graph once.
Everything here is plain data so it pickles cheaply and caches by content hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# An edge may carry a note shown as a trace step: (line, column, text), 1-based.
Note = tuple[int, int, str]


@dataclass(frozen=True)
class Function:
    fn: int
    name: str
    params: tuple[int, ...]  # node of each positional parameter
    param_names: tuple[str, ...]
    ret: int  # node that receives every returned value
    line: int
    column: int


@dataclass(frozen=True)
class Member:
    """``obj.prop`` used as a callee or callback: resolved at link time."""

    obj: int
    prop: str


# A reference to a function value: a node (bound to a function, an import or an alias) or a member.
FnRef = int | Member


@dataclass(frozen=True)
class Call:
    callee: FnRef | None
    name: str  # callee as written (shortened), for trace notes
    args: tuple[int, ...]
    arg_fns: tuple[FnRef | None, ...]  # the function value passed in each argument, if any
    receiver: int | None  # flows into the result and into callback parameters when unresolved
    result: int
    line: int
    column: int


@dataclass(frozen=True)
class ParamCall:
    """A function calls its own parameter ``index`` (a callback) with these argument nodes."""

    fn: int
    index: int
    args: tuple[int, ...]


@dataclass(frozen=True)
class Sink:
    kind: str  # shown in the trace: "eval", "new Function.constructor", "child_process.exec", ...
    family: str  # "code" (eval-like: weak findings allowed) | "shell" | "module" | "timer"
    input: int
    constant: bool  # every argument is a literal: never a finding on its own
    line: int
    column: int
    evidence: str
    file_keys: tuple[str, ...] = ()  # runs or loads a file named by these keys


@dataclass(frozen=True)
class Source:
    node: int
    label: str  # "remote" | "decode" | "env"
    note: str
    line: int
    column: int
    hosts: tuple[str, ...] = ()
    # Trace steps shown right after the source: where its request URL was bound, so the host an
    # endpoint scan found on that line is linked to the finding.
    steps: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Import:
    node: int  # local node bound to the imported value
    spec: str  # module specifier as written ("./utils", ".handler" for Python relative)
    name: str  # exported name, "default" or "*" for the whole module
    line: int


@dataclass(frozen=True)
class FileFlow:
    """A write of ``data`` into, or a read of ``result`` from, a file named by ``keys``."""

    keys: tuple[str, ...]
    node: int
    write: bool


@dataclass
class FileSummary:
    language: str
    edges: list[tuple[int, int, Note | None]] = field(default_factory=list)
    functions: dict[int, Function] = field(default_factory=dict)
    fn_bindings: dict[int, int] = field(default_factory=dict)  # node -> function id
    aliases: dict[int, int] = field(default_factory=dict)  # node -> node it was copied from
    fields: dict[tuple[int, str], int] = field(default_factory=dict)  # (object node, key) -> node
    calls: list[Call] = field(default_factory=list)
    param_calls: list[ParamCall] = field(default_factory=list)
    sinks: list[Sink] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    exports: dict[str, int] = field(default_factory=dict)  # exported name -> node
    reexports: list[str] = field(default_factory=list)  # `export * from spec`
    file_flows: list[FileFlow] = field(default_factory=list)
    local_specs: list[str] = field(default_factory=list)  # every require/import specifier, for the graph
    node_count: int = 0
    has_error: bool = False
    truncated: str = ""  # why the file was only partly analysed
