"""The API catalogs: which calls are network sources, execution sinks, decoders, per language.

The catalogs are data (``javascript.toml``, ``python.toml`` beside this module): each entry names
an API as the flow builder sees the callee, says in one line why it matters, how the builder
matches it, and which text wakes the flow gate for a top-level statement that names it. The
builders read their name sets from here, and the gate's patterns are generated from the
entries' ``gate`` fragments (inspector/static/flow/_gate.py), so a name is written once.
``digest`` changes whenever a catalog does (for cache keys).

Every entry has a positive and a look-alike negative case in tests/static/catalog_cases/.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from inspector.errors import InspectorError

LANGUAGES = ("javascript", "python")
KINDS = ("network_source", "execution_sink", "decoder", "environment_source", "file_effect")
# The kinds whose entries wake the flow gate (decoders and the environment matter only together
# with a sink, which wakes it; a declaration the sink uses is then walked too).
GATED_KINDS = ("network_source", "execution_sink", "file_effect")
SINK_FAMILIES = ("code", "shell", "module", "deserialize", "timer")


class CatalogError(InspectorError):
    """A catalog file is malformed (a packaging or editing mistake, never the scanned input)."""


@dataclass(frozen=True)
class Entry:
    kind: str  # one of KINDS
    name: str  # the callee as the builder sees it (dotted, after require/import aliases)
    why: str
    match: tuple[str, ...]  # how the builder matches it; "structural": by shape, in the builder's code
    gate: tuple[str, ...] = ()  # regex fragments that wake the gate
    gate_unbound: tuple[str, ...] = ()  # ... only while the file does not bind ``name`` to another package
    family: str = ""  # execution sinks: code | shell | module | deserialize | timer


@dataclass(frozen=True)
class Catalog:
    language: str
    entries: tuple[Entry, ...]
    lists: dict[str, tuple[str, ...]]
    digest: str  # sha256 of the catalog file

    def of(self, kind: str, match: str | None = None, family: str | None = None) -> tuple[Entry, ...]:
        return tuple(
            e
            for e in self.entries
            if e.kind == kind and (match is None or match in e.match) and (family is None or e.family == family)
        )

    def names(self, kind: str, match: str | None = None, family: str | None = None) -> frozenset[str]:
        return frozenset(e.name for e in self.of(kind, match, family))

    def methods(self, kind: str, match: str) -> frozenset[str]:
        """The last dotted part of each matching name (`child_process.exec` -> `exec`)."""
        return frozenset(e.name.rpartition(".")[2] for e in self.of(kind, match))

    def list(self, key: str) -> frozenset[str]:
        return frozenset(self.lists[key])

    def gate_tokens(self) -> tuple[str, ...]:
        """The gate fragments of every gated entry, each once, in catalog order."""
        return tuple(dict.fromkeys(t for e in self.entries if e.kind in GATED_KINDS for t in e.gate))

    def gate_unbound_tokens(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for e in self.entries for t in e.gate_unbound))

    def rebindable_names(self) -> tuple[str, ...]:
        """Names whose unbound gate fragments stop counting when a file binds them elsewhere."""
        return tuple(dict.fromkeys(e.name for e in self.entries if e.gate_unbound))


@functools.cache
def catalog(language: str) -> Catalog:
    """The catalog of ``language`` (read and checked once per process)."""
    if language not in LANGUAGES:
        raise CatalogError(f"no API catalog for {language!r}", fix=f"use one of {', '.join(LANGUAGES)}")
    path = resources.files(__name__).joinpath(f"{language}.toml")  # package data, wherever installed
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read the API catalog: {exc}", fix="reinstall inspector") from exc
    entries = tuple(_entry(path, kind, item) for kind in KINDS for item in data.get(kind, []))
    unknown = set(data) - {*KINDS, "lists"}
    if unknown:
        raise CatalogError(f"{path}: unknown sections {sorted(unknown)}", fix=f"sections are {', '.join(KINDS)}")
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        if (entry.kind, entry.name) in seen:
            raise CatalogError(f"{path}: {entry.kind} {entry.name!r} is listed twice", fix="remove one")
        seen.add((entry.kind, entry.name))
    lists = {key: tuple(str(v) for v in values) for key, values in data.get("lists", {}).items()}
    return Catalog(language, entries, lists, hashlib.sha256(raw).hexdigest())


def catalogs_digest() -> str:
    """One digest over every catalog (part of the flow analysis' cache key)."""
    return hashlib.sha256("".join(catalog(language).digest for language in LANGUAGES).encode()).hexdigest()[:16]


def _entry(path: Traversable, kind: str, item: dict[str, object]) -> Entry:
    def strings(key: str) -> tuple[str, ...]:
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CatalogError(f"{path}: {kind} {item.get('name')!r}: {key} must be a list of strings", fix="fix it")
        return tuple(value)

    name, why, family = item.get("name"), item.get("why"), item.get("family", "")
    if not isinstance(name, str) or not name or not isinstance(why, str) or not why:
        raise CatalogError(f"{path}: a {kind} entry lacks a name or a why: {item}", fix="give both")
    if not isinstance(family, str) or (kind == "execution_sink") != (family in SINK_FAMILIES):
        raise CatalogError(f"{path}: {kind} {name!r}: bad family {family!r}", fix=f"one of {SINK_FAMILIES}")
    if kind in GATED_KINDS and "gate" not in item:
        raise CatalogError(f"{path}: {kind} {name!r} has no gate", fix="give gate = [...] (empty: say why)")
    entry = Entry(kind, name, why, strings("match"), strings("gate"), strings("gate_unbound"), family)
    if not entry.match:
        raise CatalogError(f"{path}: {kind} {name!r} has no match", fix="say how the builder matches it")
    return entry


__all__ = ["GATED_KINDS", "KINDS", "LANGUAGES", "Catalog", "CatalogError", "Entry", "catalog", "catalogs_digest"]
