"""Findings about the repository itself, from what acquire recorded: links, submodules, history.

A lure repository is often days old, with a single author and a handful of commits; that alone
is weak (every new project starts that way), so it is LOW context, never a verdict on its own.
"""

from __future__ import annotations

from datetime import datetime

from inspector.model import Category, Engine, Finding, Severity, Target, new_finding

YOUNG_DAYS = 30


def _finding(rule: str, severity: Severity, path: str | None, message: str, evidence: str) -> Finding:
    return new_finding(
        rule,
        Category.REPOSITORY,
        Engine.ACQUIRE,
        message,
        severity=severity,
        path=path,
        evidence=evidence,
        id_key=(rule, path, message),
    )


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None


def repository_findings(target: Target) -> list[Finding]:
    findings = [
        _finding(
            "repository.link-outside",
            Severity.MEDIUM,
            link.path,
            f"symbolic link {link.path} points outside the repository; inspector did not follow it",
            f"{link.path} -> {link.points_to}",
        )
        for link in target.links
        if link.escapes
    ]
    findings += [
        _finding(
            "repository.submodule",
            Severity.LOW,
            ".gitmodules",
            f"submodule {sub.path} is listed but was not fetched: its code is not in this report",
            f"{sub.path} = {sub.url}",
        )
        for sub in target.submodules
    ]
    history = target.history
    first, fetched = _parse(history.first_commit_at if history else None), _parse(target.fetched_at)
    if history and first and fetched and not history.truncated:
        age = (fetched - first).days
        if age < YOUNG_DAYS:
            authors = ", ".join(history.authors[:3]) or "unknown"
            findings.append(
                _finding(
                    "repository.young-history",
                    Severity.LOW,
                    None,
                    f"the whole history is {age} days old ({history.commit_count} commits by {authors})",
                    f"first commit {history.first_commit_at}, last commit {history.last_commit_at}",
                )
            )
    return findings
