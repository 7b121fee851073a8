"""Fixtures: the local RDAP stub server (rdap_stub.py)."""

from tests.correlate.rdap_stub import rdap_stub

__all__ = ["rdap_stub"]
