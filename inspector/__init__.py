"""inspector: fetch, scan and run a stranger's repository in a sandbox, then let a human decide."""

__version__ = "0.1.0"
