"""Reachability from auto-run surfaces, and the severity that follows from it.

A loader reachable from something that runs by itself is worse than one that is not:

* every finding in a file a surface runs, or in the import closure of those files, gets the
  surface's label in ``reachable_from``;
* hidden code, disguised code, download-and-execute and strong obfuscation reachable that way
  (or inside the declaration itself, e.g. a folderOpen task padded with spaces) become CRITICAL,
  and so does the surface's own auto-run finding ("auto-run of hidden or disguised code");
* a remote-code-execution loader reachable that way makes the surface CRITICAL too;
* dynamic code execution reachable that way goes up one level (at most HIGH);
* a disguised file (code named like a font) that other code loads becomes CRITICAL.
"""

from __future__ import annotations

import posixpath
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import replace

from inspector.model import AutoRunSurface, Category, Finding, Severity, TraceStep, finding_id, scoring
from inspector.static.autorun.surfaces import SurfaceHit
from inspector.static.text.common import make_finding

_LOADS = re.compile(r"require|import|createRequire|readFileSync|readFile|eval|Function|exec|spawn|fork|node|vm\.")


def closure(start: Iterable[str], graph: Mapping[str, frozenset[str]]) -> set[str]:
    seen = set(start)
    queue = deque(seen)
    while queue:
        for target in graph.get(queue.popleft(), frozenset()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def references_to(disguised: Iterable[str], texts: Mapping[str, str]) -> dict[str, list[tuple[str, int]]]:
    """Code lines that name a disguised file in a loading context: {disguised path: [(path, line)]}."""
    found: dict[str, list[tuple[str, int]]] = {}
    for target in disguised:
        base = posixpath.basename(target)
        for path, text in texts.items():
            if path == target or base not in text:
                continue
            for number, line in enumerate(text.split("\n"), start=1):
                if base in line and _LOADS.search(line[:4096]):
                    found.setdefault(target, []).append((path, number))
    return found


def _is_bad(finding: Finding) -> bool:
    """Findings that make an automatic trigger CRITICAL: hidden, disguised, remote or obfuscated code."""
    if finding.category in (Category.REMOTE_CODE_EXECUTION, Category.DOWNLOAD_EXECUTE):
        return finding.severity.rank >= Severity.MEDIUM.rank
    if finding.category == Category.HIDDEN_CODE:
        return finding.severity.rank >= Severity.MEDIUM.rank
    if finding.category == Category.OBFUSCATION:
        return finding.severity.rank >= Severity.HIGH.rank  # vendored obfuscation was capped at LOW before
    return False


def _what(finding: Finding) -> str:
    return {
        Category.REMOTE_CODE_EXECUTION: "a remote-code loader",
        Category.DOWNLOAD_EXECUTE: "a download-and-execute command",
        Category.HIDDEN_CODE: "hidden or disguised code",
        Category.OBFUSCATION: "obfuscated code",
    }.get(finding.category, finding.category.value)


def _within(finding: Finding, hit: SurfaceHit) -> bool:
    return finding.path == hit.surface.path and finding.line is not None and hit.span[0] <= finding.line <= hit.span[1]


def escalate(
    findings: list[Finding],
    hits: list[SurfaceHit],
    graph: Mapping[str, frozenset[str]],
    disguised_references: Mapping[str, list[tuple[str, int]]],
) -> list[Finding]:
    """Findings with reachability and auto-run severity applied (plus new surface findings)."""
    edges: dict[str, set[str]] = {k: set(v) for k, v in graph.items()}
    for target, refs in disguised_references.items():
        for path, _ in refs:
            edges.setdefault(path, set()).add(target)
    frozen = {k: frozenset(v) for k, v in edges.items()}
    reach: dict[str, list[str]] = {}  # finding id -> labels
    bad_by_surface: dict[str, list[Finding]] = {}
    for hit in hits:
        files = closure(hit.surface.runs_files, frozen)
        if hit.surface.kind in ("git-hook", "direnv"):
            files.add(hit.surface.path)
        for finding in findings:
            if finding.category in (Category.AUTO_RUN, Category.ANALYSIS) or finding.path is None:
                continue
            if finding.path in files or _within(finding, hit):
                reach.setdefault(finding.id, []).append(hit.label)
                if _is_bad(finding):
                    bad_by_surface.setdefault(hit.label, []).append(finding)
    out: list[Finding] = []
    surface_ids = {hit.finding.id for hit in hits if hit.finding is not None}
    for finding in findings:
        if finding.id in surface_ids:
            continue
        labels = tuple(dict.fromkeys((*finding.reachable_from, *reach.get(finding.id, ()))))
        if not labels:
            loaders = disguised_references.get(finding.path or "", [])
            if finding.rule == "hidden-code.disguised-file" and loaders:
                path, line = loaders[0]
                finding = replace(
                    finding,
                    severity=Severity.CRITICAL,
                    message=finding.message + f"; {path}:{line} loads it",
                    trace=(*finding.trace, TraceStep(path, line, 1, "loads the disguised file")),
                )
            out.append(finding)
            continue
        severity = finding.severity
        message = finding.message
        if _is_bad(finding):
            severity = scoring.RUN_AUTOMATICALLY
            message += f" - runs automatically ({labels[0]})"
        elif finding.category == Category.CODE_EXECUTION:
            severity = scoring.reachable(severity)
        out.append(replace(finding, severity=severity, message=message, reachable_from=labels))
    for hit in hits:
        out.extend(_surface_finding(hit, bad_by_surface.get(hit.label, [])))
    return out


def _surface_finding(hit: SurfaceHit, bad: list[Finding]) -> list[Finding]:
    surface: AutoRunSurface = hit.surface
    if not bad:
        return [hit.finding] if hit.finding is not None else []
    first = bad[0]
    where = f"{first.path}:{first.line}" if first.line else f"{first.path}"
    message = f"{surface.trigger} runs {_what(first)} at {where}"
    reaches = f"and that reaches {_what(first)} at {where}"
    trace = (
        TraceStep(surface.path, surface.line, 1, f"auto-run: {surface.kind} ({surface.trigger})"),
        *(TraceStep(f.path or "", f.line or 1, f.column or 1, f"{_what(f)}: {f.rule}") for f in bad[:5]),
    )
    if hit.finding is not None:
        finding = replace(hit.finding, severity=Severity.CRITICAL, message=f"{hit.finding.message}, {reaches}")
    else:
        finding = make_finding(
            "auto-run.runs-hidden-code",
            Severity.CRITICAL,
            Category.AUTO_RUN,
            surface.path,
            surface.line,
            None,
            message,
            " ; ".join(surface.commands),
        )
    hosts = tuple(dict.fromkeys(h for f in bad for h in f.hosts))
    return [
        replace(
            finding,
            trace=trace,
            hosts=hosts or finding.hosts,
            reachable_from=(hit.label,),
            id=finding_id(finding.rule, finding.path, finding.line, finding.column),
        )
    ]


def surfaces_of(hits: list[SurfaceHit]) -> tuple[AutoRunSurface, ...]:
    return tuple(hit.surface for hit in hits)


__all__ = ["closure", "escalate", "references_to", "surfaces_of"]
