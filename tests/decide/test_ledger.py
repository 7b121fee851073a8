from __future__ import annotations

import hashlib
import json

import pytest

from inspector.decide import Ledger, repo_identity, report_digest
from inspector.errors import LedgerError
from inspector.model import HumanDecision, Report, Target, ToolInfo, Verdict

REMOTE = "https://github.com/recruiter-demo/crypto-dashboard-api"


def _report(commit: str | None = "a" * 40, remote: str | None = REMOTE) -> Report:
    target = Target(
        source="git@github.com:recruiter-demo/crypto-dashboard-api",
        kind="git",
        path="/tmp/q",
        commit=commit,
        branch="main",
        remote_url=remote,
        fetched_at="2026-11-21T10:00:00Z",
        history=None,
    )
    return Report(tool=ToolInfo("inspector", "0.1.0"), target=target, verdict=Verdict.MALICIOUS)


@pytest.fixture
def ledger(tmp_path) -> Ledger:
    return Ledger(tmp_path / "data" / "decisions.jsonl")


def _three(ledger: Ledger) -> None:
    ledger.record(_report("a" * 40), "1" * 64, HumanDecision.PENDING, "alice", "")
    ledger.record(_report("a" * 40), "2" * 64, HumanDecision.REJECT, "alice", "fake recruiter")
    ledger.record(_report("b" * 40), "3" * 64, HumanDecision.APPROVE, "bob", "clean after review")


def test_record_and_find_latest_for_the_commit(ledger):
    _three(ledger)
    found = ledger.find(REMOTE, "a" * 40)
    assert found is not None
    assert found.decision is HumanDecision.REJECT
    assert found.note == "fake recruiter" and found.reviewer == "alice"
    assert found.report_digest == "2" * 64
    assert found.commit == "a" * 40
    assert found.ledger_entry and len(found.ledger_entry) == 64
    assert ledger.verify() == []


def test_new_commit_needs_a_new_decision(ledger):
    _three(ledger)
    assert ledger.find(REMOTE, "c" * 40) is None
    assert ledger.find("https://github.com/someone-else/repo", "a" * 40) is None


def test_no_commit_never_matches(ledger):
    ledger.record(_report(commit=None), "1" * 64, HumanDecision.APPROVE, "alice", "")
    assert ledger.find(REMOTE, None) is None


def test_repo_identity_prefers_the_remote():
    assert repo_identity(_report().target) == REMOTE
    assert repo_identity(_report(remote=None).target) == "git@github.com:recruiter-demo/crypto-dashboard-api"


def test_entries_are_chained_json_lines(ledger):
    _three(ledger)
    lines = [json.loads(line) for line in ledger.path.read_text().splitlines()]
    assert [entry["seq"] for entry in lines] == [1, 2, 3]
    assert lines[0]["prev_hash"] == "0" * 64
    assert lines[1]["prev_hash"] == lines[0]["entry_hash"]
    assert lines[2]["prev_hash"] == lines[1]["entry_hash"]
    assert lines[1]["verdict"] == "malicious" and lines[1]["decision"] == "reject"
    assert lines[1]["time"].endswith("Z")


def test_find_on_a_missing_ledger(tmp_path):
    assert Ledger(tmp_path / "none" / "decisions.jsonl").find(REMOTE, "a" * 40) is None
    assert Ledger(tmp_path / "none" / "decisions.jsonl").verify() == []


def _rewrite(ledger: Ledger, change) -> None:
    lines = ledger.path.read_text().splitlines()
    ledger.path.write_text("".join(line + "\n" for line in change(lines)))


def _edit_note(lines):
    entry = json.loads(lines[1])
    entry["decision"] = "approve"
    return [lines[0], json.dumps(entry), lines[2]]


def _edit_and_rehash(lines):
    # Re-hashing the edited entry does not help: the next entry still points at the old hash.
    entry = json.loads(lines[1])
    entry["decision"] = "approve"
    body = {k: v for k, v in entry.items() if k != "entry_hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    entry["entry_hash"] = hashlib.sha256(canonical.encode()).hexdigest()
    return [lines[0], json.dumps(entry), lines[2]]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_edit_note, "edited"),
        (_edit_and_rehash, "does not follow"),
        (lambda lines: [lines[0], lines[2], lines[1]], "does not follow"),
        (lambda lines: [lines[0], lines[2]], "does not follow"),
        (lambda lines: lines[:2], "cut from the end"),
        (lambda lines: [lines[0], "not json", lines[2]], "not a ledger entry"),
    ],
    ids=["edited", "edited-and-rehashed", "reordered", "deleted-middle", "deleted-last", "garbage"],
)
def test_tampering_is_detected(ledger, change, expected):
    _three(ledger)
    _rewrite(ledger, change)
    problems = ledger.verify()
    assert problems and any(expected in problem for problem in problems), problems
    with pytest.raises(LedgerError) as caught:
        ledger.find(REMOTE, "a" * 40)
    assert "hash-chain" in caught.value.message and "backup" in caught.value.fix
    with pytest.raises(LedgerError):
        ledger.record(_report(), "4" * 64, HumanDecision.APPROVE, "mallory", "")


def test_deleted_head_is_detected(ledger):
    _three(ledger)
    ledger.head_path.unlink()
    assert any("missing" in problem for problem in ledger.verify())


def test_report_digest_is_sha256_of_the_bytes(tmp_path):
    path = tmp_path / "report.json"
    content = b'{"schema": "inspector.report/1"}\n'
    path.write_bytes(content)
    assert report_digest(path) == hashlib.sha256(content).hexdigest()
    with pytest.raises(LedgerError):
        report_digest(tmp_path / "missing.json")


def test_unwritable_ledger(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(LedgerError) as caught:
        Ledger(blocker / "decisions.jsonl").record(_report(), "1" * 64, HumanDecision.APPROVE, "a", "")
    assert caught.value.fix
