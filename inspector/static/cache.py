"""A content-addressed cache for per-file results of the static checks.

The key is the sha256 of (namespace, check version, kind, file bytes): ``kind`` is what the
checks judged the bytes as (the language, or the file's path for the text checks), so the same
bytes scanned as ``.js`` and as ``.py`` are two entries. Renaming a file of the same kind keeps
its entry; any edit or a new check version misses. Entries are pickles written atomically; a torn
or stale entry is a miss, never an error. Callers store only complete results: a result cut short
by a time or size budget is recomputed next time.

The cache is bounded: :meth:`ContentCache.prune` (run once per scan) removes the least recently
used entries when the directory holds more than ``max_entries`` entries or ``max_bytes`` bytes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

DEFAULT_MAX_ENTRIES = 200_000
DEFAULT_MAX_BYTES = 1 << 30
_PRUNE_TO = 0.8  # a prune leaves this fraction of each limit, so the next scans do not prune again


class ContentCache:
    def __init__(
        self,
        directory: Path | None,
        namespace: str,
        version: str,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.directory = directory
        self.salt = f"{namespace}/{version}\0".encode()
        self.max_entries = max_entries
        self.max_bytes = max_bytes

    def _key(self, kind: str, data: bytes) -> Path | None:
        if self.directory is None:
            return None
        digest = hashlib.sha256(self.salt + kind.encode("utf-8", "surrogateescape") + b"\0" + data).hexdigest()
        return self.directory / digest[:2] / f"{digest}.pickle"

    def get(self, kind: str, data: bytes) -> Any | None:
        key = self._key(kind, data)
        if key is None or not key.is_file():
            return None
        try:
            value = pickle.loads(key.read_bytes())
            os.utime(key)  # least recently used goes first when the cache is pruned
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, OSError):
            return None
        return value

    def put(self, kind: str, data: bytes, value: Any) -> None:
        key = self._key(kind, data)
        if key is None:
            return
        key.parent.mkdir(parents=True, exist_ok=True)
        tmp = key.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value))
        tmp.replace(key)

    def prune(self) -> int:
        """Remove least recently used entries over the limits; returns how many were removed."""
        if self.directory is None or not self.directory.is_dir():
            return 0
        entries: list[tuple[float, int, str]] = []
        total = 0
        for bucket in os.scandir(self.directory):
            if not bucket.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(bucket.path):
                try:
                    stat = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                entries.append((stat.st_mtime, stat.st_size, entry.path))
                total += stat.st_size
        if len(entries) <= self.max_entries and total <= self.max_bytes:
            return 0
        entries.sort()
        keep_entries, keep_bytes = int(self.max_entries * _PRUNE_TO), int(self.max_bytes * _PRUNE_TO)
        removed = 0
        for _mtime, size, path in entries:
            if len(entries) - removed <= keep_entries and total <= keep_bytes:
                break
            try:
                Path(path).unlink()
            except OSError:
                continue
            removed += 1
            total -= size
        return removed


__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_ENTRIES", "ContentCache"]
