"""The report contract: the one data structure every stage reads from or adds to.

Frozen dataclasses, no I/O, no third-party imports. A stage receives the parts made by the
stages before it and returns new values; ``dataclasses.replace`` builds the next version of
a :class:`Report`. Serialisation lives in :mod:`inspector.model.codec`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

SCHEMA_ID = "inspector.report/1"


class Severity(enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; used for sorting and thresholds."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Verdict(enum.Enum):
    MALICIOUS = "malicious"
    SUSPICIOUS = "suspicious"
    CLEAN = "clean"

    @property
    def rank(self) -> int:
        return {Verdict.CLEAN: 0, Verdict.SUSPICIOUS: 1, Verdict.MALICIOUS: 2}[self]


class Category(enum.Enum):
    """What a finding is about. The same names are used by the Semgrep rule pack metadata."""

    REMOTE_CODE_EXECUTION = "remote-code-execution"
    DOWNLOAD_EXECUTE = "download-execute"
    CODE_EXECUTION = "code-execution"  # dynamic execution of data not proven to be remote
    ENDPOINT = "endpoint"
    HIDDEN_CODE = "hidden-code"
    AUTO_RUN = "auto-run"
    OBFUSCATION = "obfuscation"
    EXFILTRATION = "exfiltration"
    HONEYTOKEN = "honeytoken"
    PAYLOAD = "payload"
    UNDECLARED_ENDPOINT = "undeclared-endpoint"
    NEW_DOMAIN = "new-domain"
    REPOSITORY = "repository"  # submodules, links, suspicious history
    SANDBOX = "sandbox"  # what the sandbox itself observed (blocked probes, failed TLS)
    ANALYSIS = "analysis"  # the scan could not fully read something (parse error, size cap)


class Engine(enum.Enum):
    TREE_SITTER = "tree-sitter"
    SEMGREP = "semgrep"
    TEXT = "text"  # language-neutral line and config checks
    ACQUIRE = "acquire"
    SANDBOX = "sandbox"
    CORRELATE = "correlate"


class PhaseName(enum.Enum):
    """Run phases in the order they execute (package-analysis: each depends on the previous)."""

    OPEN_IN_EDITOR = "open-in-editor"
    INSTALL = "install"
    START = "start"
    TEST = "test"


class PhaseStatus(enum.Enum):
    OK = "ok"
    FAILED = "failed"  # the command ran and exited non-zero
    TIMEOUT = "timeout"  # killed from outside at the wall-clock limit: a normal result
    SKIPPED = "skipped"
    ERROR = "error"  # the sandbox could not run the command


class NetworkDecision(enum.Enum):
    BLOCKED = "blocked"
    ALLOWED = "allowed"


class HumanDecision(enum.Enum):
    APPROVE = "approve"
    REJECT = "reject"
    PENDING = "pending"


# ---------------------------------------------------------------------------------------
# target


@dataclass(frozen=True)
class HistorySummary:
    commit_count: int
    first_commit_at: str | None  # ISO 8601
    last_commit_at: str | None
    authors: tuple[str, ...]
    truncated: bool  # True when the clone was shallow, so the count is a lower bound


@dataclass(frozen=True)
class LinkRecord:
    """A symbolic link in the target. Links are kept as links and never followed."""

    path: str
    points_to: str
    escapes: bool  # resolves outside the repository root


@dataclass(frozen=True)
class SubmoduleRecord:
    path: str
    url: str


@dataclass(frozen=True)
class Target:
    source: str  # what the user typed (URL, directory, archive), sanitised of credentials
    kind: str  # "git" | "directory" | "archive"
    path: str  # local quarantine path of the working tree
    commit: str | None
    branch: str | None
    remote_url: str | None
    fetched_at: str
    history: HistorySummary | None
    links: tuple[LinkRecord, ...] = ()
    submodules: tuple[SubmoduleRecord, ...] = ()
    file_count: int = 0
    total_bytes: int = 0
    # sha256 over every path, file content and link target (.git excluded): the identity of a
    # directory or archive that has no commit, so a decision can still be tied to what was seen.
    content_digest: str | None = None


# ---------------------------------------------------------------------------------------
# static results


@dataclass(frozen=True)
class TraceStep:
    """One hop of a source-to-sink path, shown to the reviewer in order."""

    path: str
    line: int
    column: int
    note: str  # e.g. "source: axios.get response", "passed to errorHandler(msg)", "sink: new Function"


class Technique(enum.Enum):
    """A named technique a finding shows: typed, so the verdict never parses rule ids."""

    TROJAN_SOURCE = "trojan-source"  # bidi controls in code: it runs in a different order than it reads


@dataclass(frozen=True)
class FlowEnds:
    """The two ends of a source-to-sink path (``Finding.trace`` holds every hop, for display)."""

    source: str  # what produced the remote data: "axios.get(...) response"
    source_path: str
    source_line: int  # 1-based
    sink: str  # what runs it: "new Function.constructor", "child_process.exec"


@dataclass(frozen=True)
class Finding:
    id: str  # stable within a report: "<rule>:<path>:<line>:<column>" hashed (inspector.model.findings)
    rule: str
    severity: Severity
    category: Category
    path: str | None  # relative to the repository root, forward slashes; None for run-level findings
    line: int | None  # 1-based
    column: int | None  # 1-based
    message: str
    evidence: str  # untrusted text from the target: escape before display
    engines: tuple[Engine, ...]
    trace: tuple[TraceStep, ...] = ()
    hosts: tuple[str, ...] = ()  # endpoints this finding involves
    reachable_from: tuple[str, ...] = ()  # auto-run surfaces that lead here ("package.json#scripts.prepare")
    flow: FlowEnds | None = None  # data-flow findings: where the remote data came from and what runs it
    techniques: tuple[Technique, ...] = ()


@dataclass(frozen=True)
class EndpointSource:
    path: str
    line: int
    how: str  # "literal", "base64 in .env AUTH_API", "String.fromCharCode", "concatenation", ...


@dataclass(frozen=True)
class Endpoint:
    host: str  # lower-case host name or IP literal
    urls: tuple[str, ...]
    sources: tuple[EndpointSource, ...]
    classification: str  # inspector/static/data/hosts.toml: "json-hosting", "raw-ip", ...
    ports: tuple[int, ...] = ()
    reaches_execution: bool = False  # data from this host reaches a code-execution sink


@dataclass(frozen=True)
class Skipped:
    """Something the tool could not do. A value, never an exception: shown loudly, with a fix."""

    component: str  # "semgrep", "sandbox", "rdap", "tree-sitter:python", ...
    reason: str
    fix: str


# ---------------------------------------------------------------------------------------
# source views: the target's code as the reviewer reads it, with nothing hidden


class MarkKind(enum.Enum):
    BLANKS = "blanks"  # a long run of spaces/tabs, kept as one space in ``text``; shown as "[412 spaces]"
    BLANK_LINES = "blank-lines"  # many blank lines, kept as one empty SourceLine; "[210 blank lines]"
    INVISIBLE = "invisible"  # bidi control, zero-width, variation selector, control byte: not in ``text``
    HOMOGLYPH = "homoglyph"  # a letter drawn like a Latin one inside a Latin word: kept in ``text``
    CUT = "cut"  # characters left out at the line cap


@dataclass(frozen=True)
class Mark:
    """Something the file hides, made visible at a place in ``SourceLine.text``.

    The mark covers ``text[column:column + length]``: a renderer shows ``label`` in its place, except
    for a homoglyph, whose letter stays and is followed by the label.
    """

    column: int  # 0-based offset into SourceLine.text
    length: int
    kind: MarkKind
    label: str  # "412 spaces", "U+202E RIGHT-TO-LEFT OVERRIDE", "98000 more characters"


@dataclass(frozen=True)
class SourceLine:
    number: int  # 1-based line of the file (a row of 16 bytes in a hex dump)
    text: str  # printable characters only, tabs expanded; what was hidden is in ``marks``
    marks: tuple[Mark, ...] = ()
    lines: int = 1  # file lines this entry stands for (a run of blank lines collapsed into one)


@dataclass(frozen=True)
class SourceView:
    """Lines of one target file as the views show them: hidden content visible, sizes capped.

    Caps (inspector/static/source.py): a line shows at most 2000 characters (a window around the
    finding's column on its line), a run of more than 32 blank columns or 8 blank lines is one
    mark; a report carries at most 50 excerpts of at most 25 entries each (8 before the finding's
    line, 16 after); ``inspector show`` reads at most 4 MiB and 20000 lines of a file and
    hex-dumps at most 4 KiB of a binary one.
    """

    path: str  # relative to the repository root
    language: str  # Pygments lexer name ("javascript", "python", "json", "text"), or "binary" (hex dump)
    shown_as: str  # "" when the name tells the truth, else e.g. "javascript, although the name says .woff2"
    first_line: int
    last_line: int
    total_lines: int  # of the whole file
    lines: tuple[SourceLine, ...]
    findings: tuple[str, ...] = ()  # ids of the findings this view was cut around
    note: str = ""  # what the caps left out, said plainly


# ---------------------------------------------------------------------------------------
# run results


@dataclass(frozen=True)
class PhaseResult:
    name: PhaseName
    commands: tuple[str, ...]
    status: PhaseStatus
    exit_code: int | None
    duration_s: float
    stdout_tail: str = ""  # untrusted
    stderr_tail: str = ""  # untrusted
    error: str = ""  # status "error": what the engine did to the sandbox (OOM-killed, gone), in inspector's words


@dataclass(frozen=True)
class ProcessRecord:
    pid: int
    ppid: int | None
    phase: PhaseName
    argv: tuple[str, ...]  # untrusted


@dataclass(frozen=True)
class FileAccess:
    path: str  # inside the sandbox; untrusted
    mode: str  # "read" | "write"
    phase: PhaseName
    pid: int | None
    honeytoken: str | None  # which decoy, when the path is one


@dataclass(frozen=True)
class NetworkRecord:
    """One (host, ip, port, protocol, phase) row; repeated attempts raise ``count``."""

    host: str | None  # DNS name or SNI or HTTP Host; None for an address never named
    ip: str | None
    port: int | None
    protocol: str  # "dns", "http", "https", "tls", "tcp", "udp", "icmp", "ipv6"
    phase: PhaseName
    count: int
    first_seen: str  # ISO 8601
    decision: NetworkDecision
    detail: str = ""  # "GET /api/cookie -> 200 (fake)", "DNS A -> 198.18.0.5", "TLS failed"
    bytes_sent: int = 0
    bytes_received: int = 0


@dataclass(frozen=True)
class RunInfo:
    image: str
    runtime: str  # "runc" | "runsc"
    phases: tuple[PhaseResult, ...]
    started_at: str
    finished_at: str
    artifacts: str  # directory (relative to the run directory) holding raw, untrusted artifacts
    honeytokens: tuple[str, ...] = ()  # kinds of decoys planted
    processes: tuple[ProcessRecord, ...] = ()
    file_accesses: tuple[FileAccess, ...] = ()
    policy: str = "block"  # "block" | "allow-list" | "allow-all"
    allowed_hosts: tuple[str, ...] = ()
    # Where the process/file/connection trace came from: "gvisor-sentry" (written on the host by
    # gVisor, out of the program's reach) or "strace-in-container" (runc: the program can see and
    # tamper with it, so missing events prove nothing).
    trace_origin: str = "strace-in-container"
    limits_hit: tuple[str, ...] = ()  # hard limits the program ran into ("/home/u is full (1g limit reached)")


# ---------------------------------------------------------------------------------------
# correlation and decision


@dataclass(frozen=True)
class DomainAge:
    registered_at: str | None
    age_days: int | None
    source: str  # "rdap:<server>", "cache", "unavailable"


@dataclass(frozen=True)
class HostView:
    """Everything known about one host: what the code said and what the run did."""

    host: str
    declared: bool  # found in the code or config
    contacted: bool  # seen at runtime
    classification: str
    static_sources: tuple[EndpointSource, ...]
    network: tuple[NetworkRecord, ...]
    domain_age: DomainAge | None = None


@dataclass(frozen=True)
class Decision:
    decision: HumanDecision
    reviewer: str
    note: str
    decided_at: str
    commit: str | None
    report_digest: str  # sha256 of report.json as written
    ledger_entry: str | None  # hash of the ledger entry that records it


@dataclass(frozen=True)
class ToolInfo:
    name: str
    version: str


class EngineScope(enum.Enum):
    ALL = "all"  # every file of the kinds the engine reads
    RELEVANT = "relevant"  # only the files another engine marked as able to hold a finding of this one


@dataclass(frozen=True)
class EngineFiles:
    """Which files one static engine read: a reader can tell what was looked at, and by what."""

    engine: Engine
    scope: EngineScope
    paths: tuple[str, ...]  # relative to the repo root, sorted


@dataclass(frozen=True)
class Report:
    tool: ToolInfo
    target: Target
    verdict: Verdict
    findings: tuple[Finding, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    network: tuple[NetworkRecord, ...] = ()
    run: RunInfo | None = None
    hosts: tuple[HostView, ...] = ()
    decision: Decision | None = None
    skipped: tuple[Skipped, ...] = ()
    verdict_reasons: tuple[str, ...] = ()
    engine_files: tuple[EngineFiles, ...] = ()  # which files each static engine read
    sources: tuple[SourceView, ...] = ()  # the code around the findings (see SourceView for the caps)
    schema: str = field(default=SCHEMA_ID)
