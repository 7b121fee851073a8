"""The decision ledger: JSON lines, each entry hash-chained to the one before.

An entry records who decided what about which commit of which repository, and the sha256 of
the report.json they read. ``entry_hash`` is the sha256 of the entry's canonical JSON without
that field, and ``prev_hash`` is the hash of the entry before (64 zeros for the first), so an
edited, reordered or deleted line breaks the chain. A side file ``<ledger>.head`` holds the
count and last hash, which also exposes lines cut from the end. The chain detects accidents and
casual edits; someone who can rewrite the whole file can rewrite the chain too.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector.errors import LedgerError
from inspector.model import Decision, HumanDecision, Report, Target

GENESIS = "0" * 64
FORMAT_VERSION = 1
_FIELDS = (
    "version",
    "seq",
    "repo",
    "commit",
    "report_digest",
    "verdict",
    "decision",
    "reviewer",
    "note",
    "time",
    "prev_hash",
    "entry_hash",
)


def report_digest(report_json: Path) -> str:
    """sha256 of report.json exactly as written: what the reviewer read."""
    try:
        return hashlib.sha256(report_json.read_bytes()).hexdigest()
    except OSError as exc:
        raise LedgerError(
            f"cannot read {report_json}: {exc.strerror or exc}",
            fix="pass a run directory written by `inspector vet` or `inspector run`",
        ) from exc


def repo_identity(target: Target) -> str:
    """The remote URL when there is one (the same repo fetched twice), else where it was read."""
    if target.remote_url:
        return target.remote_url
    return target.path if target.kind == "directory" else target.source


def version_identity(target: Target) -> str | None:
    """The commit, or for a tree without one the digest of its content."""
    if target.commit:
        return target.commit
    return f"sha256:{target.content_digest}" if target.content_digest else None


def _entry_hash(entry: dict[str, Any]) -> str:
    body = {key: value for key, value in entry.items() if key != "entry_hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class LedgerEntry:
    seq: int
    repo: str
    commit: str | None
    report_digest: str
    verdict: str
    decision: HumanDecision
    reviewer: str
    note: str
    time: str
    prev_hash: str
    entry_hash: str

    def to_decision(self) -> Decision:
        return Decision(
            decision=self.decision,
            reviewer=self.reviewer,
            note=self.note,
            decided_at=self.time,
            commit=self.commit,
            report_digest=self.report_digest,
            ledger_entry=self.entry_hash,
        )


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.head_path = path.with_name(path.name + ".head")

    def record(self, report: Report, report_digest: str, decision: HumanDecision, reviewer: str, note: str) -> Decision:
        """Append a decision about ``report``; refuses to extend a chain that is already broken."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._locked():
                entries = self._checked_entries()
                entry: dict[str, Any] = {
                    "version": FORMAT_VERSION,
                    "seq": len(entries) + 1,
                    "repo": repo_identity(report.target),
                    "commit": version_identity(report.target),
                    "report_digest": report_digest,
                    "verdict": report.verdict.value,
                    "decision": decision.value,
                    "reviewer": reviewer,
                    "note": note,
                    "time": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                    "prev_hash": entries[-1].entry_hash if entries else GENESIS,
                }
                entry["entry_hash"] = _entry_hash(entry)
                line = json.dumps(entry, ensure_ascii=True) + "\n"
                with self.path.open("a", encoding="ascii") as stream:
                    stream.write(line)
                    stream.flush()
                    os.fsync(stream.fileno())
                self._write_head(entry["seq"], entry["entry_hash"])
        except OSError as exc:
            raise LedgerError(
                f"cannot write the decision ledger {self.path}: {exc.strerror or exc}",
                fix="check the permissions of the ledger directory, or pass another ledger path",
            ) from exc
        return _parse(entry).to_decision()

    def find(self, repo: str, commit: str | None) -> Decision | None:
        """The latest decision for this repository at this commit; None without a commit.

        A target with no commit (a plain directory or archive) has no identity to tie a decision
        to, so every vet of it needs a new decision.
        """
        if commit is None:
            return None
        try:
            with self._locked(shared=True):
                entries = self._checked_entries()
        except OSError as exc:
            raise LedgerError(
                f"cannot read the decision ledger {self.path}: {exc.strerror or exc}",
                fix="check the permissions of the ledger file",
            ) from exc
        for entry in reversed(entries):
            if entry.repo == repo and entry.commit == commit:
                return entry.to_decision()
        return None

    def verify(self) -> list[str]:
        """Every problem with the chain, in file order; an empty list means it is intact."""
        return self._scan()[1]

    def entries(self) -> list[LedgerEntry]:
        with self._locked(shared=True):
            return self._checked_entries()

    def _checked_entries(self) -> list[LedgerEntry]:
        entries, problems = self._scan()
        if problems:
            raise LedgerError(
                f"the decision ledger {self.path} fails its hash-chain check: {problems[0]}"
                + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""),
                fix=f"restore {self.path} from a backup, or move it aside to start a new ledger "
                "(the old one stays evidence)",
            )
        return entries

    def _scan(self) -> tuple[list[LedgerEntry], list[str]]:
        problems: list[str] = []
        entries: list[LedgerEntry] = []
        try:
            raw_lines = self.path.read_bytes().split(b"\n")
        except FileNotFoundError:
            raw_lines = []
        if raw_lines and raw_lines[-1] == b"":
            raw_lines.pop()
        expected_prev = GENESIS
        for number, raw in enumerate(raw_lines, 1):
            try:
                data = json.loads(raw)
                if not isinstance(data, dict) or set(data) != set(_FIELDS):
                    raise ValueError("unexpected fields")
                entry = _parse(data)
            except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
                problems.append(f"line {number}: not a ledger entry ({exc})")
                expected_prev = ""
                continue
            if _entry_hash(data) != entry.entry_hash:
                problems.append(f"line {number}: content does not match its hash (edited)")
            if entry.prev_hash != expected_prev:
                problems.append(f"line {number}: does not follow the entry before it (reordered or deleted)")
            if entry.seq != number:
                problems.append(f"line {number}: sequence number {entry.seq} (lines added or removed)")
            expected_prev = entry.entry_hash
            entries.append(entry)
        problems.extend(self._check_head(len(raw_lines), entries))
        return entries, problems

    def _check_head(self, count: int, entries: list[LedgerEntry]) -> list[str]:
        try:
            head = json.loads(self.head_path.read_text(encoding="ascii"))
        except FileNotFoundError:
            return [f"{self.head_path.name} is missing but the ledger has entries"] if count else []
        except (OSError, ValueError) as exc:
            return [f"{self.head_path.name} cannot be read ({exc})"]
        if not isinstance(head, dict) or head.get("count") != count:
            return [
                f"the ledger has {count} entries but {self.head_path.name} records "
                f"{head.get('count') if isinstance(head, dict) else '?'} (lines cut from the end)"
            ]
        last = entries[-1].entry_hash if entries else GENESIS
        if head.get("last_hash") != last:
            return [f"the last entry is not the one {self.head_path.name} records (replaced)"]
        return []

    def _write_head(self, count: int, last_hash: str) -> None:
        temporary = self.head_path.with_name(self.head_path.name + ".tmp")
        temporary.write_text(json.dumps({"count": count, "last_hash": last_hash}) + "\n", encoding="ascii")
        temporary.replace(self.head_path)

    @contextmanager
    def _locked(self, shared: bool = False) -> Iterator[None]:
        # One writer at a time (two reviewers deciding at once must not fork the chain).
        lock_path = self.path.with_name(self.path.name + ".lock")
        if shared and not lock_path.parent.is_dir():
            yield
            return
        with lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _parse(data: dict[str, Any]) -> LedgerEntry:
    def text(key: str) -> str:
        value = data[key]
        if not isinstance(value, str):
            raise TypeError(f"{key} is not a string")
        return value

    commit = data["commit"]
    if commit is not None and not isinstance(commit, str):
        raise TypeError("commit is not a string")
    if not isinstance(data["seq"], int) or data["version"] != FORMAT_VERSION:
        raise TypeError("bad seq or version")
    return LedgerEntry(
        seq=data["seq"],
        repo=text("repo"),
        commit=commit,
        report_digest=text("report_digest"),
        verdict=text("verdict"),
        decision=HumanDecision(text("decision")),
        reviewer=text("reviewer"),
        note=text("note"),
        time=text("time"),
        prev_hash=text("prev_hash"),
        entry_hash=text("entry_hash"),
    )
