"""Record a human decision about a report in a hash-chained ledger, and find it again."""

from inspector.decide.ledger import Ledger, LedgerEntry, repo_identity, report_digest, version_identity

__all__ = ["Ledger", "LedgerEntry", "repo_identity", "report_digest", "version_identity"]
