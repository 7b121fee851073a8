"""Processes, files and connections from an strace log, and reads of the planted decoys.

Public interface (pure: text in, values out)::

    STRACE_ARGS: tuple[str, ...]   # the strace options this parser expects, before ``-o FILE -- CMD``
    read_trace(path: Path, max_bytes: int = MAX_TRACE_BYTES) -> tuple[str, bool]   # (text, cut short)
    parse_strace(text: str, phase: PhaseName, decoys: DecoySet, home: str, workspace: str)
        -> TraceSummary
    TraceSummary(phase, processes: tuple[ProcessRecord, ...], file_accesses: tuple[FileAccess, ...],
                 connects: tuple[ConnectRecord, ...], findings: tuple[Finding, ...],
                 lines: int, unparsed_lines: int, truncated: bool)
    ConnectRecord(pid: int, family: str, address: str | None, port: int | None, result: str,
                  phase: PhaseName)

The log is written by strace, but every string in it (paths, argv) was chosen by the program
being watched, so it is parsed as untrusted data: lines and record counts are bounded, a line
that does not parse is counted and skipped, nothing is ever executed or opened, and strings are
kept as text (escaping for display is the renderers' job).

Lines look like ``1234  12:00:00.123456 openat(AT_FDCWD</w>, ".ssh/x", O_RDONLY) = 3</home/u/.ssh/x>``.
``-y`` makes strace print the directory of a relative open and the file an fd really names,
so a symlink planted in the workspace that points at a decoy is caught by its target.

``file_accesses`` lists successful opens outside the workspace and outside the paths every
runtime touches (:data:`SYSTEM_PREFIXES`, :data:`SYSTEM_FILES`, the program's own ``/proc``
entries and tool caches under home, :data:`HOME_TOOL_CACHES`), once per (path, mode);
connections once per (process, address, result). A decoy
opened by anyone but its own tool (:attr:`DecoyFile.readers`: ssh reading ``~/.ssh/config``) is a
``honeytoken`` finding (high), once per (decoy, process); a failed open inside a decoy folder
counts too. Opens of stealer targets that were not planted (Opera, Edge, Firefox, macOS
Keychains ...) are one ``honeytoken`` probe finding (medium) per process.
"""

from __future__ import annotations

import errno
import hashlib
import posixpath
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from inspector.model.report import (
    Category,
    Engine,
    FileAccess,
    Finding,
    PhaseName,
    ProcessRecord,
    Severity,
)
from inspector.sandbox.honeytokens import DecoyFile, DecoySet
from inspector.textsafe import terminal_safe

STRACE_ARGS: tuple[str, ...] = (
    "-f",
    "-qq",
    "-tt",
    "-y",
    "-s",
    "256",
    "-e",
    "signal=none",
    "-e",
    "trace=execve,execveat,open,openat,creat,connect,clone,clone3,fork,vfork",
)

MAX_TRACE_BYTES = 64 * 1024 * 1024
MAX_LINE_CHARS = 256 * 1024
MAX_PROCESSES = 5000
MAX_FILE_ACCESSES = 5000
MAX_CONNECTS = 5000
MAX_FINDINGS = 500
MAX_ARGV_ITEMS = 256
MAX_PROBE_EVIDENCE = 10

# Paths every runtime reads or writes on its own; listing them would bury what matters.
SYSTEM_PREFIXES: tuple[str, ...] = (
    "/usr/",
    "/lib/",
    "/lib32/",
    "/lib64/",
    "/libx32/",
    "/bin/",
    "/sbin/",
    "/etc/ld.so",
    "/etc/ssl/",
    "/etc/ca-certificates",
    "/etc/alternatives/",
    "/etc/python3",
    "/proc/self/",
    "/proc/thread-self/",
    "/sys/fs/cgroup/",
    "/sys/devices/system/cpu/",
    "/dev/pts/",
    "/dev/fd/",
)
SYSTEM_FILES: frozenset[str] = frozenset(
    {
        "/etc/localtime",
        "/etc/timezone",
        "/etc/nsswitch.conf",
        "/etc/host.conf",
        "/etc/hosts",
        "/etc/resolv.conf",
        "/etc/gai.conf",
        "/etc/passwd",
        "/etc/group",
        "/etc/locale.alias",
        "/etc/mime.types",
        "/etc/npmrc",
        "/etc/gitconfig",
        "/proc/meminfo",
        "/proc/cpuinfo",
        "/proc/stat",
        "/proc/filesystems",
        "/dev/null",
        "/dev/zero",
        "/dev/random",
        "/dev/urandom",
        "/dev/tty",
        "/dev/ptmx",
        "/dev/stdin",
        "/dev/stdout",
        "/dev/stderr",
    }
)
# Relative to home: caches the package managers write during every install.
HOME_TOOL_CACHES: tuple[str, ...] = (
    ".npm/_cacache/",
    ".npm/_logs/",
    ".npm/_update-notifier-last-checked",
    ".cache/pip/",
    ".cache/node-gyp/",
    ".node-gyp/",
    ".cache/yarn/",
    ".yarn/berry/cache/",
    ".cache/pnpm/",
    ".local/share/pnpm/",
    ".cache/node/corepack/",
)
# Relative to home: what the campaign's stealers look for that is not planted.
STEALER_TARGETS: tuple[str, ...] = (
    ".config/google-chrome/",
    ".config/BraveSoftware/",
    ".config/chromium/",
    ".config/opera",
    ".config/microsoft-edge",
    ".config/vivaldi",
    ".config/yandex-browser",
    ".mozilla/firefox/",
    "snap/chromium/",
    "Library/",
    ".config/Exodus/",
    ".electrum/",
    ".config/solana/",
    ".local/share/keyrings/",
    ".config/Ledger Live/",
    ".config/atomic/",
    ".gnupg/",
    "AppData/",
)
# Interpreters whose first argument names the program really running (``node /usr/bin/npm``).
_INTERPRETERS = frozenset({"node", "nodejs", "python", "python3", "sh", "bash", "dash", "perl", "ruby"})
_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")

_LINE = re.compile(r"^(?:\[pid\s+)?(\d+)\]?\s+(?:\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\s+)?(.*)$", re.DOTALL)
_RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$", re.DOTALL)
_CALL = re.compile(r"^(\w+)\((.*)$", re.DOTALL)
_UNFINISHED = " <unfinished ...>"
_RETURN = re.compile(
    r"^\s*=\s*(?P<ret>-?\d+|\?|0x[0-9a-fA-F]+)(?:<(?P<fdpath>.*)>)?(?:\s+(?P<err>[A-Z][A-Z0-9_]+))?", re.DOTALL
)
_PROC_PID = re.compile(r"^/proc/(\d+)/")
_FAMILY = re.compile(r"sa_family=(AF_\w+)")
_PORT = re.compile(r"sin6?_port=htons\((\d+)\)")
_INET4 = re.compile(r'sin_addr=inet_addr\("([^"]*)"\)')
_INET6 = re.compile(r'inet_pton\(AF_INET6,\s*"([^"]*)"')
_UNIX = re.compile(r"sun_path=(@?)(\"(?:[^\"\\]|\\.)*\")")
_OCTAL = re.compile(r"[0-7]{1,3}")
_HEX = re.compile(r"[0-9a-fA-F]{2}")
_SIMPLE_ESCAPES = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, "a": 7, "b": 8, "e": 27}


@dataclass(frozen=True)
class ConnectRecord:
    pid: int
    family: str  # "AF_INET", "AF_INET6", "AF_UNIX", ...
    address: str | None  # IP literal or socket path; untrusted
    port: int | None
    result: str  # "ok", "EINPROGRESS", "ECONNREFUSED", ...
    phase: PhaseName


@dataclass(frozen=True)
class TraceSummary:
    phase: PhaseName
    processes: tuple[ProcessRecord, ...]
    file_accesses: tuple[FileAccess, ...]
    connects: tuple[ConnectRecord, ...]
    findings: tuple[Finding, ...]
    lines: int
    unparsed_lines: int
    truncated: bool  # a record cap was reached and later records were dropped


def read_trace(path: Path, max_bytes: int = MAX_TRACE_BYTES) -> tuple[str, bool]:
    """The first ``max_bytes`` of an strace log as text, and whether the file was longer."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    cut = len(data) > max_bytes
    return data[:max_bytes].decode("utf-8", errors="replace"), cut


def parse_strace(text: str, phase: PhaseName, decoys: DecoySet, home: str, workspace: str) -> TraceSummary:
    parser = _Parser(phase, decoys, posixpath.normpath(home), posixpath.normpath(workspace))
    lines = text.split("\n")
    for line in lines:
        parser.feed(line.rstrip("\r"))
    return parser.summary(len(lines))


# ---------------------------------------------------------------------------------------


@dataclass
class _Exec:
    pid: int
    exe: str
    argv: tuple[str, ...]


@dataclass
class _Parser:
    phase: PhaseName
    decoys: DecoySet
    home: str
    workspace: str
    unparsed: int = 0
    truncated: bool = False
    pending: dict[int, tuple[str, str]] = field(default_factory=dict)
    leader: dict[int, int] = field(default_factory=dict)  # thread id -> process id
    parent: dict[int, int] = field(default_factory=dict)
    identity: dict[int, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    execs: list[_Exec] = field(default_factory=list)
    accesses: dict[tuple[str, str], FileAccess] = field(default_factory=dict)
    connects: list[ConnectRecord] = field(default_factory=list)
    connect_keys: set[ConnectRecord] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    finding_keys: set[tuple[str, int]] = field(default_factory=set)
    probes: dict[int, list[str]] = field(default_factory=dict)

    # -------------------------------------------------------------- lines

    def feed(self, line: str) -> None:
        if not line.strip():
            return
        if len(line) > MAX_LINE_CHARS:
            self.unparsed += 1
            return
        match = _LINE.match(line)
        if match is None:
            self.unparsed += 1
            return
        tid, rest = int(match.group(1)), match.group(2)
        if rest.startswith(("+++", "---")):
            return
        resumed = _RESUMED.match(rest)
        if resumed is not None:
            name, tail = resumed.groups()
            started = self.pending.pop(tid, None)
            if started is None or started[0] != name:
                self.unparsed += 1
                return
            self.call(tid, name, started[1] + tail)
            return
        call = _CALL.match(rest)
        if call is None:
            self.unparsed += 1
            return
        name, tail = call.groups()
        stripped = tail.rstrip()
        if stripped.endswith(_UNFINISHED.strip()):
            self.pending[tid] = (name, stripped[: -len(_UNFINISHED.strip())])
            return
        self.call(tid, name, tail)

    def call(self, tid: int, name: str, text: str) -> None:
        split = _split_args(text)
        if split is None:
            self.unparsed += 1
            return
        args, tail = split
        returned = _RETURN.match(tail)
        if returned is None:
            self.unparsed += 1
            return
        ret, fdpath, err = returned.group("ret"), returned.group("fdpath"), returned.group("err")
        pid = self.leader.get(tid, tid)
        if name in ("clone", "clone3", "fork", "vfork"):
            self.on_clone(pid, args, ret)
        elif name in ("execve", "execveat"):
            self.on_exec(pid, name, args, ret)
        elif name in ("open", "openat", "creat"):
            self.on_open(pid, name, args, ret, fdpath, err)
        elif name == "connect":
            self.on_connect(pid, args, ret, err)

    # -------------------------------------------------------------- syscalls

    def on_clone(self, pid: int, args: list[str], ret: str) -> None:
        if not ret.isdigit() or int(ret) == 0:
            return
        child = int(ret)
        if any("CLONE_THREAD" in arg for arg in args):
            self.leader[child] = pid
            return
        self.parent.setdefault(child, pid)
        if child not in self.identity and pid in self.identity:
            self.identity[child] = self.identity[pid]

    def on_exec(self, pid: int, name: str, args: list[str], ret: str) -> None:
        if ret != "0":
            return
        offset = 1 if name == "execveat" else 0
        if len(args) < offset + 2:
            return
        exe, _ = _decode_string(args[offset])
        argv = _decode_array(args[offset + 1])
        self.identity[pid] = (exe, argv)
        if len(self.execs) >= MAX_PROCESSES:
            self.truncated = True
            return
        self.execs.append(_Exec(pid, exe, argv))

    def on_open(self, pid: int, name: str, args: list[str], ret: str, fdpath: str | None, err: str | None) -> None:
        if name == "openat":
            if len(args) < 3:
                return
            directory, requested_arg, flags = _annotation(args[0]), args[1], args[2]
        else:
            if not args:
                return
            directory, requested_arg = None, args[0]
            flags = "O_WRONLY|O_CREAT" if name == "creat" else (args[1] if len(args) > 1 else "")
        requested, _ = _decode_string(requested_arg)
        if not requested.startswith("/"):
            requested = posixpath.join(directory, requested) if directory else ""
        requested = posixpath.normpath(requested) if requested else ""
        succeeded = err is None and ret.isdigit()
        resolved = _unescape(fdpath) if succeeded and fdpath else None
        mode = "write" if any(flag in flags for flag in _WRITE_FLAGS) else "read"
        candidates = [p for p in (resolved, requested) if p]
        decoy = next((d for d in (self.decoys.match_path(p, self.home) for p in candidates) if d), None)
        if decoy is not None:
            self.on_decoy(pid, decoy, candidates[0], mode, succeeded)
            return
        for candidate in candidates:
            self.check_probe(pid, candidate)
        if not succeeded or not candidates:
            return
        path = candidates[0]
        if self.is_ordinary(path, pid) or (path, mode) in self.accesses:
            return
        if len(self.accesses) >= MAX_FILE_ACCESSES:
            self.truncated = True
            return
        self.accesses[(path, mode)] = FileAccess(path=path, mode=mode, phase=self.phase, pid=pid, honeytoken=None)

    def on_decoy(self, pid: int, decoy: DecoyFile, path: str, mode: str, succeeded: bool) -> None:
        if succeeded and (path, mode) not in self.accesses and len(self.accesses) < MAX_FILE_ACCESSES:
            self.accesses[(path, mode)] = FileAccess(
                path=path, mode=mode, phase=self.phase, pid=pid, honeytoken=decoy.kind
            )
        exe, argv = self.identity.get(pid, ("", ()))
        if _is_own_tool(decoy, exe, argv):
            return
        key = (decoy.path, pid)
        if key in self.finding_keys:
            return
        if len(self.findings) >= MAX_FINDINGS:
            self.truncated = True
            return
        self.finding_keys.add(key)
        command = " ".join(argv) or exe or "unknown program"
        verb = "opened for writing" if mode == "write" else "read"
        outcome = "" if succeeded else " (the file was not there: the folder was searched)"
        self.findings.append(
            Finding(
                id=_finding_id("honeytoken-read", decoy.path, str(pid), self.phase.value),
                rule="honeytoken-read",
                severity=Severity.HIGH,
                category=Category.HONEYTOKEN,
                path=None,
                line=None,
                column=None,
                message=(
                    f"decoy {decoy.kind} ({decoy.label}) {verb}{outcome} during {self.phase.value} by process "
                    f"{pid}: {terminal_safe(command, limit=200)}"
                ),
                evidence=f"{path} <- {command}",
                engines=(Engine.SANDBOX,),
            )
        )

    def check_probe(self, pid: int, path: str) -> None:
        if not path.startswith(self.home + "/"):
            return
        relative = path[len(self.home) + 1 :]
        if not any(relative.startswith(target) or relative == target.rstrip("/") for target in STEALER_TARGETS):
            return
        seen = self.probes.setdefault(pid, [])
        if path not in seen and len(seen) < MAX_PROBE_EVIDENCE:
            seen.append(path)

    def is_ordinary(self, path: str, pid: int) -> bool:
        if path == self.workspace or path.startswith(self.workspace + "/"):
            return True
        if path in SYSTEM_FILES or path.startswith(SYSTEM_PREFIXES):
            return True
        proc = _PROC_PID.match(path)
        if proc is not None and (int(proc.group(1)) in self.identity or int(proc.group(1)) == pid):
            return True
        if path.startswith(self.home + "/"):
            relative = path[len(self.home) + 1 :]
            return relative.startswith(HOME_TOOL_CACHES)
        return False

    def on_connect(self, pid: int, args: list[str], ret: str, err: str | None) -> None:
        if len(args) < 2:
            return
        if len(self.connects) >= MAX_CONNECTS:
            self.truncated = True
            return
        address_text = args[1]
        family_match = _FAMILY.search(address_text)
        family = family_match.group(1) if family_match else "unknown"
        address: str | None = None
        port: int | None = None
        port_match = _PORT.search(address_text)
        if port_match is not None:
            port = int(port_match.group(1))
        for pattern in (_INET4, _INET6):
            found = pattern.search(address_text)
            if found is not None:
                address = found.group(1)
        unix = _UNIX.search(address_text)
        if unix is not None:
            address = unix.group(1) + _decode_string(unix.group(2))[0]
        result = "ok" if ret == "0" else (err or ret)
        record = ConnectRecord(pid, family, address, port, result, self.phase)
        if record not in self.connect_keys:
            self.connect_keys.add(record)
            self.connects.append(record)

    # -------------------------------------------------------------- result

    def summary(self, line_count: int) -> TraceSummary:
        processes = tuple(
            ProcessRecord(
                pid=record.pid,
                ppid=self.parent.get(record.pid),
                phase=self.phase,
                argv=record.argv or (record.exe,),
            )
            for record in self.execs
        )
        findings = list(self.findings)
        for pid, paths in self.probes.items():
            exe, argv = self.identity.get(pid, ("", ()))
            command = " ".join(argv) or exe or "unknown program"
            findings.append(
                Finding(
                    id=_finding_id("stealer-path-probe", str(pid), self.phase.value),
                    rule="stealer-path-probe",
                    severity=Severity.MEDIUM,
                    category=Category.HONEYTOKEN,
                    path=None,
                    line=None,
                    column=None,
                    message=(
                        f"process {pid} looked for browser or wallet data a stealer collects during "
                        f"{self.phase.value}: {terminal_safe(command, limit=200)}"
                    ),
                    evidence="\n".join(paths) + f"\n<- {command}",
                    engines=(Engine.SANDBOX,),
                )
            )
        return TraceSummary(
            phase=self.phase,
            processes=processes,
            file_accesses=tuple(self.accesses.values()),
            connects=tuple(self.connects),
            findings=tuple(findings),
            lines=line_count,
            unparsed_lines=self.unparsed,
            truncated=self.truncated,
        )


# ---------------------------------------------------------------------------------------
# strace syntax


def _split_args(text: str) -> tuple[list[str], str] | None:
    """Top-level arguments up to the call's closing parenthesis, and what follows it."""
    args: list[str] = []
    depth = 0
    start = 0
    i = 0
    length = len(text)
    while i < length:
        ch = text[i]
        if ch == '"':
            i = _skip_quoted(text, i)
            continue
        if ch == "<":
            end = text.find(">", i)
            i = length if end < 0 else end + 1
            continue
        if ch == "/" and text.startswith("/*", i):
            end = text.find("*/", i)
            i = length if end < 0 else end + 2
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                last = text[start:i].strip()
                if last or args:
                    args.append(last)
                return args, text[i + 1 :]
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
        i += 1
    return None


def _skip_quoted(text: str, i: int) -> int:
    """Index just past the string literal opening at ``i`` (and a truncation ``...``)."""
    i += 1
    length = len(text)
    while i < length:
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            i += 1
            if text.startswith("...", i):
                i += 3
            return i
        i += 1
    return length


def _unescape(body: str) -> str:
    """strace's C escapes (``\\n``, ``\\"``, octal ``\\351``, hex ``\\xe9``) back to text."""
    out = bytearray()
    i = 0
    length = len(body)
    while i < length:
        ch = body[i]
        if ch != "\\" or i + 1 >= length:
            out += ch.encode("utf-8", errors="replace")
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "x":
            hex_digits = _HEX.match(body, i + 2)
            if hex_digits is not None:
                out.append(int(hex_digits.group(0), 16))
                i = hex_digits.end()
                continue
        octal = _OCTAL.match(body, i + 1)
        if octal is not None:
            out.append(int(octal.group(0), 8) & 0xFF)
            i = octal.end()
            continue
        if nxt in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[nxt])
        else:
            out += nxt.encode("utf-8", errors="replace")
        i += 2
    return out.decode("utf-8", errors="backslashreplace")


def _decode_string(token: str) -> tuple[str, bool]:
    """A quoted strace string to text; True when strace cut it short (``"..."...``)."""
    token = token.strip()
    truncated = token.endswith('"...')
    if truncated:
        token = token[:-3]
    if len(token) < 2 or not token.startswith('"') or not token.endswith('"'):
        return "", False
    return _unescape(token[1:-1]), truncated


def _decode_array(token: str) -> tuple[str, ...]:
    token = token.strip()
    if not token.startswith("[") or not token.endswith("]"):
        return ()
    split = _split_args(token[1:-1] + ")")
    if split is None:
        return ()
    items: list[str] = []
    for item in split[0][:MAX_ARGV_ITEMS]:
        if item == "...":
            items.append("...")
            continue
        value, truncated = _decode_string(item)
        items.append(value + "..." if truncated else value)
    return tuple(items)


def _annotation(token: str) -> str | None:
    """The path strace ``-y`` printed after a descriptor: ``AT_FDCWD</work>`` -> ``/work``."""
    start = token.find("<")
    if start < 0 or not token.endswith(">"):
        return None
    return _unescape(token[start + 1 : -1])


def _is_own_tool(decoy: DecoyFile, exe: str, argv: tuple[str, ...]) -> bool:
    """True when the reader is the decoy's own tool, installed on the read-only system paths."""
    if not decoy.readers or not exe.startswith(("/usr/", "/bin/", "/sbin/")):
        return False
    program = posixpath.basename(exe)
    if program in decoy.readers:
        return True
    if program.rstrip("0123456789.") in _INTERPRETERS and len(argv) > 1:
        script = argv[1]
        return script.startswith(("/usr/", "/bin/")) and posixpath.basename(script) in decoy.readers
    return False


def _finding_id(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------
# gVisor: the sentry's own syscall log (runsc --strace), written on the host


GVISOR_MAX_LOG_BYTES = 1024 * 1024 * 1024  # a boot log is read at most this far
# I1202 06:25:34.513115    3336 strace.go:608] [   2:   2] cat X openat(...) = 3 (0x3) (34.796µs)
_GVISOR_LINE = re.compile(
    r"^I(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})\s+\d+ strace\.go:\d+\] \[\s*(\d+):\s*\d+\] .*? X (\w+)\((.*)$"
)
_GVISOR_RETURN = re.compile(r"\) = (-?\d+) \(0x[0-9a-f]+\)(?: errno=(\d+) \([^()]*\))? \([^()]*\)$")
_GVISOR_ADDR = re.compile(r", 0x[0-9a-f]+ ")
_GVISOR_SOCKADDR = re.compile(r"\{Family: (AF_\w+), Addr: (.*?)(?:, Port: (\d+))?\}, 0x[0-9a-f]+$")


def gvisor_line_time(line: str, year: int) -> float | None:
    """The wall-clock time (host local time, as glog writes it) of one gVisor log line."""
    match = _GVISOR_LINE.match(line)
    if match is None:
        return None
    month, day, hour, minute, second, micro = (int(g) for g in match.groups()[:6])
    try:
        return time.mktime((year, month, day, hour, minute, second, 0, 0, -1)) + micro / 1e6
    except (OverflowError, ValueError):
        return None


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _errno_name(number: str | None) -> str:
    if number is None:
        return ""
    return errno.errorcode.get(int(number), "EIO")


def gvisor_to_strace(line: str) -> str | None:
    """One gVisor strace exit line as the strace line :func:`parse_strace` reads, or None.

    gVisor prints path arguments unquoted after their address (``0x7f.. /home/u/x``), so a path is
    taken up to the next ``, 0x<addr> `` or, for the flags and mode of an open, from the right.
    """
    match = _GVISOR_LINE.match(line.rstrip("\r\n"))
    if match is None:
        return None
    hour, minute, second, micro = match.group(3), match.group(4), match.group(5), match.group(6)
    pid, name, rest = match.group(7), match.group(8), match.group(9)
    returned = _GVISOR_RETURN.search(rest)
    if returned is None:
        return None
    args = rest[: returned.start()]
    ret, err = returned.group(1), _errno_name(returned.group(2))
    result = f"= -1 {err}" if err else f"= {ret}"
    call: str | None = None
    if name in ("openat", "open", "creat"):
        call = _gvisor_open(name, args)
    elif name == "execve":
        call = _gvisor_execve(args)
    elif name == "connect":
        call = _gvisor_connect(args)
    elif name in ("clone", "fork", "vfork"):
        if "CLONE_THREAD" in args:
            return None  # gVisor names the thread group already: threads need no mapping
        call = f"{name}()"
    if call is None:
        return None
    return f"{pid}  {hour}:{minute}:{second}.{micro} {call} {result}"


def _gvisor_open(name: str, args: str) -> str | None:
    parts = args.rsplit(", ", 2 if name != "creat" else 1)
    if name == "openat":
        if len(parts) != 3:
            return None
        head, flags = parts[0], parts[1]
        split = _GVISOR_ADDR.search(head)
        if split is None:
            return None
        dirfd, path = head[: split.start()], head[split.end() :]
        directory = dirfd.split(" ", 1)[1] if " " in dirfd else ""
        label = dirfd.split(" ", 1)[0]
        return f"openat({label}<{directory}>, {_quote(path)}, {flags.split(' ', 1)[0]}, 0)"
    head = parts[0]
    address, _, path = head.partition(" ")
    if not address.startswith("0x"):
        return None
    if name == "creat":
        return f"creat({_quote(path)}, 0)"
    flags = parts[1].split(" ", 1)[0] if len(parts) > 1 else "O_RDONLY"
    return f"open({_quote(path)}, {flags}, 0)"


def _gvisor_execve(args: str) -> str | None:
    address, _, rest = args.partition(" ")
    if not address.startswith("0x"):
        return None
    split = re.search(r", 0x[0-9a-f]+ \[", rest)
    if split is None:
        return None
    path, array = rest[: split.start()], rest[split.end() - 1 :]
    end = _array_end(array)
    if end is None:
        return None
    return f"execve({_quote(path)}, {array[:end]}, [])"


def _array_end(text: str) -> int | None:
    """Index just past the ``[...]`` of Go-quoted strings that opens ``text``."""
    i = 1
    while i < len(text):
        if text[i] == '"':
            i = _skip_quoted(text, i)
            continue
        if text[i] == "]":
            return i + 1
        i += 1
    return None


def _gvisor_connect(args: str) -> str | None:
    match = _GVISOR_SOCKADDR.search(args)
    if match is None:
        return None
    family, address, port = match.groups()
    if family == "AF_INET" and port is not None:
        return f'connect(3, {{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr("{address}")}}, 16)'
    if family == "AF_INET6" and port is not None:
        return (
            f"connect(3, {{sa_family=AF_INET6, sin6_port=htons({port}), "
            f'inet_pton(AF_INET6, "{address}", &sin6_addr)}}, 28)'
        )
    if family == "AF_UNIX" and address.startswith('"'):
        return f"connect(3, {{sa_family=AF_UNIX, sun_path={address}}}, 110)"
    return f"connect(3, {{sa_family={family}}}, 16)"


def split_gvisor_log(
    path: Path, windows: list[tuple[str, float, float]], max_bytes: int = GVISOR_MAX_LOG_BYTES
) -> tuple[dict[str, list[str]], bool]:
    """The sentry's strace lines of each phase (by wall-clock window), as strace lines.

    Returns ({phase: lines}, cut short). Lines outside every window (the root setup steps before
    the first phase) are left out. A window's end is widened by a second: glog's clock and ours are
    the same host clock, but a line is stamped when it is written.
    """
    out: dict[str, list[str]] = {}
    year = time.localtime(windows[0][1]).tm_year if windows else time.localtime().tm_year
    read = 0
    cut = False
    with path.open("rb") as handle:
        for raw in handle:
            read += len(raw)
            if read > max_bytes:
                cut = True
                break
            if b"strace.go" not in raw or b" X " not in raw or len(raw) > MAX_LINE_CHARS:
                continue
            line = raw.decode("utf-8", errors="replace")
            stamp = gvisor_line_time(line, year)
            if stamp is None:
                continue
            # The latest phase that had started; a line is stamped when the call returns, so never
            # before its phase began (the setup steps just before the first phase stay out).
            phase = next((p for p, start, end in reversed(windows) if start <= stamp <= end + 1.0), None)
            if phase is None:
                continue
            converted = gvisor_to_strace(line)
            if converted is not None:
                out.setdefault(phase, []).append(converted)
    return out, cut
