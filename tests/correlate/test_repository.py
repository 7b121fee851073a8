from __future__ import annotations

from inspector.correlate.repository import repository_findings
from inspector.model import Category, HistorySummary, LinkRecord, Severity, SubmoduleRecord, Target


def _target(**kw) -> Target:
    base = dict(source="s", kind="git", path="/q", commit="a" * 40, branch="main", remote_url=None,
                fetched_at="2026-11-21T10:00:00+00:00", history=None)
    return Target(**{**base, **kw})


def test_escaping_link_and_submodule_become_findings():
    target = _target(
        links=(LinkRecord("key", "/home/u/.ssh/id_rsa", True), LinkRecord("alias", "index.js", False)),
        submodules=(SubmoduleRecord("vendor/x", "https://evil.invalid/x.git"),),
    )
    found = {f.rule: f for f in repository_findings(target)}
    assert set(found) == {"repository.link-outside", "repository.submodule"}
    assert found["repository.link-outside"].severity is Severity.MEDIUM
    assert "/home/u/.ssh/id_rsa" in found["repository.link-outside"].evidence
    assert all(f.category is Category.REPOSITORY for f in found.values())


def test_young_history_is_low_context_and_old_or_shallow_history_is_quiet():
    young = HistorySummary(3, "2026-11-18T09:00:00+00:00", "2026-11-20T09:00:00+00:00", ("recruiter",), False)
    [finding] = repository_findings(_target(history=young))
    assert finding.rule == "repository.young-history" and finding.severity is Severity.LOW
    assert "3 days old" in finding.message
    old = HistorySummary(300, "2019-01-01T00:00:00+00:00", "2026-11-20T09:00:00+00:00", ("a",), False)
    assert repository_findings(_target(history=old)) == []
    shallow = HistorySummary(50, "2026-11-18T09:00:00+00:00", "2026-11-20T09:00:00+00:00", ("a",), True)
    assert repository_findings(_target(history=shallow)) == []
