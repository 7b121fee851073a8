"""inspector: fetch, scan and run a stranger's repository in a sandbox, then let a human decide."""

# The name on PyPI (PyPI's `inspector` is someone else's); the import package and command are `inspector`.
DISTRIBUTION = "untrusted-repo-inspector"
__version__ = "0.1.0"
