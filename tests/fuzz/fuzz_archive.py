"""Fuzz the archive intake: bytes -> .zip / .tar / .tar.gz -> ArchiveSource.fetch.

Any outcome but a finished fetch or an AcquireError is a crash: a traceback, a file written
outside the quarantine, a link left on disk, or a quarantine over the limits.

    python tests/fuzz/fuzz_archive.py -max_total_time=600 CORPUS_DIR   # atheris (libFuzzer flags)
    FUZZ_SECONDS=60 python tests/fuzz/fuzz_archive.py                   # without atheris: a
        bounded random-mutation loop over the seed corpus (printed loudly)

The seed corpus (tests/fuzz/corpus/archive, a few hundred bytes each) is made by
tests/fuzz/make_seeds.py. Give libFuzzer a copy of it: it writes new inputs into that directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from fuzzloop import WORK, fuzz

try:
    import atheris
except ImportError:  # pragma: no cover - the fallback is exercised where atheris is missing
    atheris = None

if atheris is not None:
    with atheris.instrument_imports(include=["inspector.acquire", "zipfile", "tarfile"]):
        from inspector.acquire.archive import ArchiveSource
        from inspector.acquire.interface import Limits
        from inspector.errors import AcquireError
else:
    from inspector.acquire.archive import ArchiveSource
    from inspector.acquire.interface import Limits
    from inspector.errors import AcquireError

SUFFIXES = (".zip", ".tar", ".tar.gz")
LIMITS = Limits(max_bytes=2 * 1024 * 1024, max_files=300, max_file_bytes=512 * 1024, max_depth=32, max_ratio=200.0)
SEEDS = Path(__file__).parent / "corpus" / "archive"


def _check_quarantine(box: Path, archive: Path) -> None:
    outside = sorted(p.name for p in box.iterdir())
    if outside != sorted([archive.name, "q"]):
        raise AssertionError(f"something was written beside the quarantine: {outside}")
    files = 0
    total = 0
    stack = [box / "q"]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                if entry.is_symlink():
                    raise AssertionError(f"a link was created on disk: {entry.path}")
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    files += 1
                    total += info.st_size
                    if info.st_mode & 0o7111:
                        raise AssertionError(f"exec or setuid bit on {entry.path}")
    if files > LIMITS.max_files or total > LIMITS.max_bytes:
        raise AssertionError(f"quarantine over the limits: {files} files, {total} bytes")


def one_input(data: bytes) -> None:
    if not data:
        return
    suffix = SUFFIXES[data[0] % len(SUFFIXES)]
    box = Path(tempfile.mkdtemp(prefix="inspector-fuzz-archive-", dir=WORK))
    try:
        archive = box / f"archive{suffix}"
        archive.write_bytes(data[1:])
        quarantine = box / "q"
        quarantine.mkdir()
        with contextlib.suppress(AcquireError):  # a refusal is a fine outcome; anything else is not
            ArchiveSource(archive, archive.name, limits=LIMITS).fetch(quarantine)
        _check_quarantine(box, archive)
    finally:
        shutil.rmtree(box, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(fuzz(one_input, SEEDS, atheris))
