"""The one way to make a :class:`Finding`: its id, its default severity, its fields.

An id is the first 16 hex digits of sha256 over its key parts joined with ``:``. The key is
``(rule, path, line, column)`` unless a detector gives another (a per-host endpoint finding adds
the host; run-level findings name what identifies them): the same rule at the same place gets the
same id in every report, which the decision ledger and report diffs rely on.
"""

from __future__ import annotations

import hashlib

from inspector.model.report import Category, Engine, Finding, FlowEnds, Severity, Technique, TraceStep
from inspector.model.scoring import DEFAULT_SEVERITY


def finding_id(*parts: object) -> str:
    """sha256 of the parts joined with ``:`` (``None`` as "None"), 16 hex digits."""
    key = ":".join(str(part) for part in parts)
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def new_finding(
    rule: str,
    category: Category,
    engine: Engine,
    message: str,
    *,
    severity: Severity | None = None,
    path: str | None = None,
    line: int | None = None,
    column: int | None = None,
    evidence: str = "",
    trace: tuple[TraceStep, ...] = (),
    hosts: tuple[str, ...] = (),
    flow: FlowEnds | None = None,
    techniques: tuple[Technique, ...] = (),
    id_key: tuple[object, ...] | None = None,
) -> Finding:
    """A finding of one engine; ``severity`` defaults to the category's (inspector.model.scoring)."""
    return Finding(
        id=finding_id(*(id_key if id_key is not None else (rule, path, line, column))),
        rule=rule,
        severity=severity if severity is not None else DEFAULT_SEVERITY[category],
        category=category,
        path=path,
        line=line,
        column=column,
        message=message,
        evidence=evidence,
        engines=(engine,),
        trace=trace,
        hosts=hosts,
        flow=flow,
        techniques=techniques,
    )


__all__ = ["finding_id", "new_finding"]
