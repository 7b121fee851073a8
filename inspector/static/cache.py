"""A content-addressed cache for per-file results of the static checks.

The key is the sha256 of (namespace, version, file bytes): renaming a file keeps its entry, any
edit or a new check version misses. Entries are pickles written atomically; a torn or stale
entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any


class ContentCache:
    def __init__(self, directory: Path | None, namespace: str, version: str) -> None:
        self.directory = directory
        self.salt = f"{namespace}/{version}\0".encode()
        self.namespace = namespace

    def _key(self, data: bytes) -> Path | None:
        if self.directory is None:
            return None
        digest = hashlib.sha256(self.salt + data).hexdigest()
        return self.directory / self.namespace / digest[:2] / f"{digest}.pickle"

    def get(self, data: bytes) -> Any | None:
        key = self._key(data)
        if key is None or not key.is_file():
            return None
        try:
            return pickle.loads(key.read_bytes())
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None

    def put(self, data: bytes, value: Any) -> None:
        key = self._key(data)
        if key is None:
            return
        key.parent.mkdir(parents=True, exist_ok=True)
        tmp = key.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value))
        tmp.replace(key)


__all__ = ["ContentCache"]
