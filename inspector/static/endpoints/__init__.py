"""Endpoint inventory from code and .env files: every host the code can contact, and how it was hidden.

``visit`` folds constants in one JavaScript/TypeScript/Python file (concatenation, templates,
joins, reversed strings, char codes, escapes, base64/hex/percent decoders) and keeps the hosts it
can already name; values that depend on an environment variable or another module's constant
are kept as :class:`~.values.Ref` parts. ``link`` reads the repository's .env files, resolves
those Refs, merges everything into one :class:`~inspector.model.Endpoint` per host and emits a
MEDIUM ``endpoint`` finding for each host that was hidden (anything but a plain literal).
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import product
from pathlib import PurePosixPath
from typing import Any

import tree_sitter

from inspector.model import Category, Endpoint, EndpointSource, Engine, Finding, Skipped, new_finding
from inspector.static.hosts import classify
from inspector.static.interface import AnalyzerResult, RepoFile, RepoView, open_regular
from inspector.static.treesitter import TreeVisitor

from .dotenv import EnvEntry, is_env_file, parse_dotenv
from .jsfold import JsWalker
from .pyfold import PyWalker
from .summary import Deferred, FileSummary, Found, hidden_slug, how_label
from .urls import Hit, hits_in
from .values import (
    DECODER_SLUGS,
    ENCODED_URL_MARKERS,
    UNKNOWN,
    Folded,
    How,
    Ref,
    decode,
    decode_base64,
    decode_base64_lenient,
    decode_hex,
    marked_url_decoding,
    split_call_transform,
)
from .walk import HOST_NAME, MAX_EVIDENCE

MAX_DECODER_HOPS = 8  # a decoder function calling another module's decoder function, and so on
MAX_ENV_FILE_BYTES = 512 * 1024  # read whole up to this; bigger .env files are read in blocks of it
MAX_ENV_SCAN_BYTES = 64 * 1024 * 1024  # of one .env file, at most
MAX_ENV_ENTRIES = 20_000  # per .env file
MAX_RESOLUTIONS = 8  # alternatives per value (several .env files can define the same key)
MAX_IMPORT_DEPTH = 4
# Classes of hosts that code names but never contacts (XML namespaces, schema ids, licences).
NOT_CONTACTED = frozenset({"documentation"})
LOCAL = "local"
_JS_EXTENSIONS = ("", ".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", ".mts", ".cts")


def _classify(host: str, ports: tuple[int, ...]) -> str:
    return classify(host, ports)


class EndpointVisitor(TreeVisitor):
    name = "endpoints"
    version = "2"  # 2: the summary says why a walk was cut

    def visit(self, path: str, language: str, tree: tree_sitter.Tree, source: bytes) -> FileSummary:
        walker_type = PyWalker if language == "python" else JsWalker
        walker = walker_type(source, tree.root_node, tree.language)
        return walker.summarise(language)

    def partial(self, summary: object) -> bool:
        return isinstance(summary, FileSummary) and (summary.budget_spent or bool(summary.cut))

    def link(self, repo: RepoView, summaries: dict[str, Any]) -> AnalyzerResult:
        inventory = _Inventory()
        skipped: list[Skipped] = []
        env = _load_env(repo, skipped)
        modules = {path: summary for path, summary in summaries.items() if isinstance(summary, FileSummary)}
        resolver = _Resolver(modules, env, repo)
        for path in sorted(modules):
            summary = modules[path]
            if summary.budget_spent or summary.cut:
                inventory.info(
                    path, summary.cut or "constant folding stopped at its step budget; later values read as literals"
                )
            for found in summary.found:
                inventory.add_found(path, found)
            for deferred in summary.deferred:
                for resolved in resolver.resolve(deferred.value, path, 0):
                    inventory.add_resolved(path, deferred, resolved)
        for entries in env.values():
            for entry in entries:
                for hit, how, slug in _env_hits(entry):
                    inventory.add_env(entry, hit, how, slug)
        return inventory.result(tuple(skipped))


# ---------------------------------------------------------------------------------------------
# .env files


def _load_env(repo: RepoView, skipped: list[Skipped]) -> dict[str, list[EnvEntry]]:
    env: dict[str, list[EnvEntry]] = {}
    for file in sorted(repo.files, key=lambda f: f.path):
        if file.is_link or not is_env_file(file.path):
            continue
        try:
            entries, cut = _read_env(repo, file)
        except OSError as exc:
            skipped.append(Skipped("endpoints:.env", f"{file.path}: {exc}", "Check the file is readable."))
            continue
        if cut:
            skipped.append(
                Skipped("endpoints:.env", f"{file.path}: {cut}", "Open the file and check the rest by hand.")
            )
        for entry in entries:
            env.setdefault(entry.key, []).append(entry)
    return env


def _read_env(repo: RepoView, file: RepoFile) -> tuple[list[EnvEntry], str]:
    """The entries of one .env file, read in bounded blocks; and why the reading stopped early.

    A file over the whole-read size keeps only the entries that hold a host (plain or encoded): a
    padded file then costs memory for what can become an endpoint, not for its filler lines."""
    if file.size <= MAX_ENV_FILE_BYTES:
        return parse_dotenv(repo.read(file.path).decode("utf-8", "replace"), file.path), ""
    entries: list[EnvEntry] = []
    lines_before = 0
    with os.fdopen(open_regular(repo.root, file.location), "rb") as handle:
        read = 0
        carry = b""
        while read < MAX_ENV_SCAN_BYTES and len(entries) < MAX_ENV_ENTRIES:
            block = handle.read(MAX_ENV_FILE_BYTES)
            if not block:
                break
            read += len(block)
            data = carry + block
            newline = data.rfind(b"\n")
            if newline == -1 and len(data) < 2 * MAX_ENV_FILE_BYTES:
                carry = data
                continue
            end = newline + 1 if newline != -1 else len(data)  # a line longer than two blocks is cut
            data, carry = data[:end], data[end:]
            entries.extend(_with_hosts(data, file.path, lines_before))
            lines_before += data.count(b"\n")
        if carry:
            entries.extend(_with_hosts(carry, file.path, lines_before))
        more = bool(handle.read(1))
    cut = ""
    if len(entries) >= MAX_ENV_ENTRIES:
        cut = f"{file.size} bytes: only its first {MAX_ENV_ENTRIES} entries holding a host were read"
    elif more:
        cut = f"{file.size} bytes: only its first {MAX_ENV_SCAN_BYTES >> 20} MB were read"
    return entries[:MAX_ENV_ENTRIES], cut


def _with_hosts(data: bytes, path: str, lines_before: int) -> list[EnvEntry]:
    """The entries of one block that hold a host, numbered as lines of the whole file."""
    entries = parse_dotenv(data.decode("utf-8", "replace"), path)
    return [replace(entry, line=entry.line + lines_before) for entry in entries if _env_hits(entry)]


def _env_decodings(value: str) -> list[tuple[str, str, str]]:
    """(decoded text, description, slug) for a value that may be base64 or hex, junk-padded or not."""
    compact = value.strip()
    if len(compact) < 8 or any(ch.isspace() for ch in compact):
        return []
    found: list[tuple[str, str, str]] = []
    strict = decode_base64(compact)
    if strict is not None:
        found.append((strict, "base64", "base64"))
    else:
        found.extend((text, "junk-padded base64", "base64") for text in decode_base64_lenient(compact))
    hex_text = decode_hex(compact)
    if hex_text is not None:
        found.append((hex_text, "hex", "hex"))
    return found


def _env_hits(entry: EnvEntry) -> list[tuple[Hit, str, str | None]]:
    name = PurePosixPath(entry.path).name
    plain = hits_in(entry.value, allow_bare=True, host_context=bool(HOST_NAME.search(entry.key)))
    if plain:
        return [(hit, f"value of {entry.key} in {name}", None) for hit in plain]
    hits: list[tuple[Hit, str, str | None]] = []
    for text, description, slug in _env_decodings(entry.value):
        for hit in hits_in(text, allow_bare=True):
            hits.append((hit, f"{description} in {name} {entry.key}", f"env-{slug}"))
    return hits


# ---------------------------------------------------------------------------------------------
# resolving Refs


@dataclass(frozen=True)
class _Resolved:
    text: str
    hows: tuple[How, ...]
    pieces: tuple[str, ...]
    env: tuple[EnvEntry, ...] = ()  # .env entries the value came from
    imported: bool = False  # part of it is another module's constant (hidden there, if at all)


class _Resolver:
    def __init__(self, modules: dict[str, FileSummary], env: dict[str, list[EnvEntry]], repo: RepoView) -> None:
        self.modules = modules
        self.env = env
        self.repo = repo
        self.json_files: dict[str, Any] = {}
        self.repo_paths = {file.path for file in repo.files if not file.is_link}

    def resolve(self, value: Folded, path: str, depth: int) -> list[_Resolved]:
        options: list[list[_Resolved]] = []
        for part in value.parts:
            if isinstance(part, str):
                options.append([_Resolved(part, (), ())])
                continue
            # An unresolvable part (no .env key, an import cycle) stays unknown; the rest still counts.
            alternatives = self._ref(part, path, depth) or [_Resolved(UNKNOWN, (), ())]
            options.append(alternatives[:MAX_RESOLUTIONS])
        results: list[_Resolved] = []
        for combination in product(*options):
            # What the other module or the .env file did comes first, then what this code did.
            hows: list[How] = []
            pieces = list(value.pieces)
            for item in combination:
                hows.extend(how for how in item.hows if how not in hows)
                pieces.extend(item.pieces)
            hows.extend(how for how in value.hows if how not in hows)
            text = "".join(item.text for item in combination)
            env = tuple(entry for item in combination for entry in item.env)
            imported = any(item.imported for item in combination)
            results.append(_Resolved(text, tuple(hows), tuple(pieces), env, imported))
            if len(results) >= MAX_RESOLUTIONS:
                break
        return results

    def _ref(self, ref: Ref, path: str, depth: int) -> list[_Resolved]:
        if ref.kind == "env":
            bases = [item for entry in self.env.get(ref.name, []) for item in _env_read(entry, ref)]
        elif ref.kind == "literal":
            bases = [_Resolved(ref.name, (), ())]
        else:
            bases = self._imported(ref, path, depth)
        out: list[_Resolved] = []
        for base in bases:
            applied = self._apply(base.text, ref, path, base.env != ())
            if applied is not None:
                text, hows = applied
                out.append(_Resolved(text, (*base.hows, *hows), base.pieces, base.env, base.imported))
        return out

    def _imported(self, ref: Ref, path: str, depth: int) -> list[_Resolved]:
        if depth >= MAX_IMPORT_DEPTH:
            return []
        if ref.module.endswith(".json") and ref.module.startswith("."):
            return self._json_value(ref, path)
        target = _module_path(path, ref.module, self.modules)
        if target is None or ref.name not in self.modules[target].exports:
            return []
        label = How("", f"{ref.name} imported from {target}")
        return [
            _Resolved(item.text, (*item.hows, label), item.pieces, item.env, imported=True)
            for item in self.resolve(self.modules[target].exports[ref.name], target, depth + 1)
        ]

    def _json_value(self, ref: Ref, path: str) -> list[_Resolved]:
        """``require('./config.json').key``: the value of that key in the repository's JSON file."""
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), ref.module))
        if target not in self.repo_paths:
            return []
        if target not in self.json_files:
            self.json_files[target] = _read_json(self.repo, target)
        value: Any = self.json_files[target]
        for key in ref.name.split(".") if ref.name else []:
            if key == "default" and not isinstance(value, dict | list):
                break
            value = value.get(key) if isinstance(value, dict) else None
            if value is None and key == "default":
                value = self.json_files[target]
        if not isinstance(value, str):
            return []
        return [_Resolved(value, (How("", f"{ref.name} in {target}"),), (value,), imported=False)]

    def _apply(self, text: str, ref: Ref, path: str, from_env: bool) -> tuple[str, list[How]] | None:
        """Run the decoders the code applies; a call into another module's decoder function is
        expanded here. Hows of local decoders are already on the folded value."""
        hows: list[How] = []
        current: str | None = text
        for name in ref.transforms:
            call = split_call_transform(name)
            if call is None:
                current = _decode_read(name, current, from_env) if current is not None else None
                continue
            target, chain = self._decoder_chain(path, call)
            if not chain:
                # Not a decoder (``verify(api)``): the argument is still what the code uses.
                break
            for step in chain:
                current = _decode_read(step, current, from_env) if current is not None else None
            hows.append(How(DECODER_SLUGS[chain[0]], f"{call[1]}() from {target} ({' then '.join(chain)})"))
        return (current, hows) if current is not None else None

    def _decoder_chain(self, path: str, call: tuple[str, str]) -> tuple[str | None, tuple[str, ...]]:
        """The plain decoders a call into another module's function applies, its own calls into
        further modules' decoder functions expanded (a wrapper of a wrapper), at most
        MAX_DECODER_HOPS deep; () when it is not a decoder or the chain goes deeper."""
        target = _module_path(path, call[0], self.modules)
        pending = list(self.modules[target].decoders.get(call[1], ())) if target is not None else []
        chain: list[str] = []
        where, hops = target, 0
        while pending:
            step = pending.pop(0)
            inner = split_call_transform(step)
            if inner is None:
                chain.append(step)
                continue
            hops += 1
            where = _module_path(where, inner[0], self.modules) if where is not None else None
            if where is None or hops > MAX_DECODER_HOPS:
                return target, ()
            pending[:0] = self.modules[where].decoders.get(inner[1], ())
        return target, tuple(chain)


def _read_json(repo: RepoView, path: str) -> Any:
    try:
        raw = repo.read(path)
    except OSError:
        return None
    if len(raw) > MAX_ENV_FILE_BYTES:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        # Not JSON after all (comments, a template): the text checks read it as text.
        return None


def _decode_read(name: str, text: str, from_env: bool) -> str | None:
    decoded = decode(name, text)
    if decoded is None and name == "base64" and from_env:
        # .env values are often junk-padded; the lure's own decoder tolerates what atob would not.
        lenient = decode_base64_lenient(text)
        return lenient[0] if lenient else None
    return decoded


def _env_read(entry: EnvEntry, ref: Ref) -> list[_Resolved]:
    """The raw value the code reads from ``entry``. A value the code reads as it is but that
    decodes to a host is reported as that host (the code may decode it somewhere we cannot see)."""
    name = PurePosixPath(entry.path).name
    reader = ref.reader or ref.name
    read = _Resolved(entry.value, (How("", f"{entry.key} in {name}, read by {reader}"),), (entry.value,), (entry,))
    if ref.transforms or hits_in(entry.value, allow_bare=True):
        return [read]
    decoded = [
        _Resolved(
            text, (How(slug, f"{description} in {name} {entry.key}, read by {reader}"),), (entry.value,), (entry,)
        )
        for text, description, slug in _env_decodings(entry.value)
    ]
    return decoded or [read]


def _module_path(importer: str, spec: str, modules: dict[str, FileSummary]) -> str | None:
    if not spec:
        return None
    language = modules[importer].language if importer in modules else ""
    if language == "python":
        return _python_module(importer, spec, modules)
    base = posixpath.dirname(importer)
    roots = [posixpath.normpath(posixpath.join(base, spec))] if spec.startswith(".") else [spec, f"src/{spec[2:]}"]
    for root in roots:
        for candidate in (
            *(root + ext for ext in _JS_EXTENSIONS),
            *(f"{root}/index{ext}" for ext in _JS_EXTENSIONS[1:]),
        ):
            if candidate in modules:
                return candidate
    return None


def _python_module(importer: str, spec: str, modules: dict[str, FileSummary]) -> str | None:
    dots = len(spec) - len(spec.lstrip("."))
    dotted = spec[dots:].replace(".", "/")
    if dots:
        base = posixpath.dirname(importer)
        for _ in range(dots - 1):
            base = posixpath.dirname(base)
        roots = [posixpath.join(base, dotted) if dotted else base]
    else:
        roots = [dotted, posixpath.join(posixpath.dirname(importer), dotted)]
    for root in roots:
        for candidate in (f"{root}.py", f"{root}/__init__.py"):
            if candidate.lstrip("/") in modules:
                return candidate.lstrip("/")
    return None


# ---------------------------------------------------------------------------------------------
# merging into endpoints and findings


@dataclass
class _HostRecord:
    urls: dict[str, None] = field(default_factory=dict)
    sources: dict[EndpointSource, None] = field(default_factory=dict)
    ports: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Hidden:
    host: str
    path: str
    line: int
    column: int
    slug: str
    how: str
    evidence: str
    engine: Engine
    derived: bool = False  # seen through an import: reported only if the exporting module did not


class _Inventory:
    def __init__(self) -> None:
        self.hosts: dict[str, _HostRecord] = {}
        self.hidden: dict[tuple[str, str, int, str], _Hidden] = {}
        self.hidden_lines: dict[tuple[str, str], set[int]] = {}
        self.env_readers: dict[tuple[str, int], list[str]] = {}  # .env line -> "path:line via ..."
        self.notes: list[Finding] = []

    def _add(self, host: str, url: str | None, port: int | None, source: EndpointSource) -> None:
        record = self.hosts.setdefault(host, _HostRecord())
        if url is not None:
            record.urls.setdefault(url, None)
        if port is not None:
            record.ports.add(port)
        record.sources.setdefault(source, None)

    def _hide(self, hidden: _Hidden) -> None:
        self.hidden.setdefault((hidden.host, hidden.path, hidden.line, hidden.slug), hidden)
        self.hidden_lines.setdefault((hidden.host, hidden.path), set()).add(hidden.line)

    def add_found(self, path: str, found: Found) -> None:
        self._add(found.host, found.url, found.port, EndpointSource(path, found.line, found.how))
        if found.hidden is not None:
            self._hide(
                _Hidden(
                    found.host,
                    path,
                    found.line,
                    found.column,
                    found.hidden,
                    found.how,
                    found.evidence,
                    Engine.TREE_SITTER,
                )
            )

    def add_resolved(self, path: str, deferred: Deferred, resolved: _Resolved) -> None:
        hits = hits_in(resolved.text, allow_bare=True, host_context=deferred.host_context)
        if not hits and resolved.text.startswith(ENCODED_URL_MARKERS):
            decoded = marked_url_decoding(resolved.text)
            if decoded is not None:
                resolved = _Resolved(
                    decoded[0], (*resolved.hows, decoded[1]), resolved.pieces, resolved.env, resolved.imported
                )
                hits = hits_in(resolved.text, allow_bare=False)
        label = how_label(resolved.hows)
        for hit in hits:
            self._add(hit.host, hit.url, hit.port or deferred.port, EndpointSource(path, deferred.line, label))
            slug = hidden_slug(hit.host, resolved.hows, resolved.pieces)
            if slug is None:
                continue
            if resolved.env:
                # The .env line is the hiding place; its finding names this reader.
                for entry in resolved.env:
                    self.env_readers.setdefault((entry.path, entry.line), []).append(f"{path}:{deferred.line}")
                continue
            self._hide(
                _Hidden(
                    hit.host,
                    path,
                    deferred.line,
                    deferred.column,
                    slug,
                    label,
                    deferred.evidence,
                    Engine.TREE_SITTER,
                    derived=resolved.imported,
                )
            )

    def add_env(self, entry: EnvEntry, hit: Hit, how: str, slug: str | None) -> None:
        self._add(hit.host, hit.url, hit.port, EndpointSource(entry.path, entry.line, how))
        if slug is not None:
            evidence = entry.raw_line.strip()[:MAX_EVIDENCE]
            self._hide(_Hidden(hit.host, entry.path, entry.line, entry.column, slug, how, evidence, Engine.TEXT))

    def info(self, path: str, message: str) -> None:
        self.notes.append(
            new_finding(
                "endpoint.fold-budget",
                Category.ANALYSIS,
                Engine.TREE_SITTER,
                message,
                path=path,
                id_key=("endpoint.fold-budget", path, 0, 0, ""),
            )
        )

    def result(self, skipped: tuple[Skipped, ...]) -> AnalyzerResult:
        endpoints: list[Endpoint] = []
        classes: dict[str, str] = {}
        for host in sorted(self.hosts):
            record = self.hosts[host]
            ports = tuple(sorted(record.ports))
            classification = _classify(host, ports)
            if classification in NOT_CONTACTED:
                continue
            classes[host] = classification
            sources = sorted(record.sources, key=lambda s: (s.path, s.line, s.how))
            endpoints.append(Endpoint(host, tuple(sorted(record.urls)), tuple(sources), classification, ports))
        findings = [*self.notes, *self._hidden_findings(classes)]
        return AnalyzerResult(findings=tuple(findings), endpoints=tuple(endpoints), skipped=skipped)

    def _hidden_findings(self, classes: dict[str, str]) -> Iterable[Finding]:
        hidden_at_source = {hidden.host for hidden in self.hidden.values() if not hidden.derived}
        reported: set[tuple[str, str]] = set()
        for key in sorted(self.hidden):
            hidden = self.hidden[key]
            if (hidden.host, hidden.path) in reported:
                # One finding per host and file: the first hiding place, naming the others.
                continue
            reported.add((hidden.host, hidden.path))
            others = sorted(self.hidden_lines[(hidden.host, hidden.path)] - {hidden.line})
            also = f"; also at line{'s' if len(others) > 1 else ''} {', '.join(map(str, others))}" if others else ""
            if classes.get(hidden.host, LOCAL) == LOCAL:
                continue
            if hidden.derived and hidden.host in hidden_at_source:
                continue
            readers = self.env_readers.get((hidden.path, hidden.line), [])
            read_note = f"; read by {', '.join(sorted(set(readers)))}" if readers else ""
            rule = f"endpoint.hidden-{hidden.slug}"
            yield new_finding(
                rule,
                Category.ENDPOINT,
                hidden.engine,
                f"hidden endpoint {hidden.host} ({classes[hidden.host]}): {hidden.how}{read_note}{also}",
                path=hidden.path,
                line=hidden.line,
                column=hidden.column,
                evidence=hidden.evidence,
                hosts=(hidden.host,),
                id_key=(rule, hidden.path, hidden.line, hidden.column, hidden.host),
            )


__all__ = ["EndpointVisitor"]
