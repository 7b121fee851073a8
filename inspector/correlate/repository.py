"""Findings about the repository itself, from what acquire recorded: links, submodules, history.

A lure repository is often days old, with a single author and a handful of commits; that alone
is weak (every new project starts that way), so it is LOW context, never a verdict on its own.
"""

from __future__ import annotations

from datetime import datetime

from inspector.model import Category, Engine, Finding, Severity, Target, new_finding

YOUNG_DAYS = 30


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None


def repository_findings(target: Target) -> list[Finding]:
    findings = [
        new_finding(
            "repository.link-outside",
            Category.REPOSITORY,
            Engine.ACQUIRE,
            message,
            # MEDIUM, above the repository default: a link out of the tree points at the reviewer's files.
            severity=Severity.MEDIUM,
            path=link.path,
            evidence=f"{link.path} -> {link.points_to}",
            id_key=("repository.link-outside", link.path, message),
        )
        for link in target.links
        if link.escapes
        for message in [f"symbolic link {link.path} points outside the repository; inspector did not follow it"]
    ]
    findings += [
        new_finding(
            "repository.submodule",
            Category.REPOSITORY,
            Engine.ACQUIRE,
            message,
            path=".gitmodules",
            evidence=f"{sub.path} = {sub.url}",
            id_key=("repository.submodule", ".gitmodules", message),
        )
        for sub in target.submodules
        for message in [f"submodule {sub.path} is listed but was not fetched: its code is not in this report"]
    ]
    history = target.history
    first, fetched = _parse(history.first_commit_at if history else None), _parse(target.fetched_at)
    if history and first and fetched and not history.truncated:
        age = (fetched - first).days
        if age < YOUNG_DAYS:
            authors = ", ".join(history.authors[:3]) or "unknown"
            message = f"the whole history is {age} days old ({history.commit_count} commits by {authors})"
            findings.append(
                new_finding(
                    "repository.young-history",
                    Category.REPOSITORY,
                    Engine.ACQUIRE,
                    message,
                    evidence=f"first commit {history.first_commit_at}, last commit {history.last_commit_at}",
                    id_key=("repository.young-history", None, message),
                )
            )
    return findings
