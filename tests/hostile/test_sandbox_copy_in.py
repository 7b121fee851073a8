"""The workspace copied into the sandbox: regular files, directories and links, nothing else.

The tree handed to the sandbox can be a stranger's directory read in place, so the archive that
streams it into the container must not open a FIFO (it would block), read a device (forever),
follow a link out of the tree, or recurse once per directory level.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.sandbox.docker import _archive_tree
from tests.hostile.conftest import nest, remove_nested


def _members(root: Path) -> dict[str, tarfile.TarInfo]:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w|") as archive:
        _archive_tree(archive, root)
    buffer.seek(0)
    with tarfile.open(fileobj=buffer, mode="r") as archive:
        return {member.name: member for member in archive.getmembers()}


def test_only_files_directories_and_links_are_archived(tmp_path: Path) -> None:
    outside = tmp_path / "outside-secret"
    outside.write_text("not for the sandbox")
    root = tmp_path / "tree"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.js").write_text("console.log(1)\n")
    (root / "escape").symlink_to(outside)
    os.link(root / "src" / "app.js", root / "hardlink.js")
    os.mkfifo(root / "pipe.js")
    if os.geteuid() == 0:
        os.mknod(root / "zero-device.js", stat.S_IFCHR | 0o666, os.makedev(1, 5))

    members = _members(root)

    assert set(members) == {"src", "src/app.js", "escape", "hardlink.js"}
    assert members["escape"].issym() and members["escape"].linkname == str(outside)
    # The two names of one inode: whichever is archived first carries the data, the other links to it.
    first, second = sorted((members["src/app.js"], members["hardlink.js"]), key=lambda m: not m.isreg())
    assert first.isreg() and first.size == len("console.log(1)\n")
    assert second.islnk() and second.linkname == first.name


DEPTH = 1500  # deeper than the interpreter's recursion limit, within PATH_MAX with 1-character names


@pytest.fixture
def deep_tree(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "deep"
    root.mkdir()
    nest(root, DEPTH, "leaf.js")
    try:
        yield root
    finally:
        remove_nested(root, "leaf.js")


def test_a_deep_tree_does_not_exhaust_the_stack(deep_tree: Path) -> None:
    members = _members(deep_tree)
    assert sum(1 for name in members if name.endswith("/leaf.js")) == 1
    assert sum(1 for member in members.values() if member.isdir()) == DEPTH


class _CountingSink(io.RawIOBase):
    """Stands for the sandbox's socket: counts what is written, keeps nothing."""

    def __init__(self) -> None:
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.written += len(data)
        return len(data)


def test_a_big_file_is_streamed_not_held_in_memory(tmp_path: Path) -> None:
    """`run` built the workspace tar in memory (2.1 GB for a 2 GB file); the stream holds a block."""
    root = tmp_path / "tree"
    root.mkdir()
    size = 256 * 1024 * 1024
    with (root / "big.bin").open("wb") as handle:
        handle.truncate(size)  # sparse: costs no disk
    sink = _CountingSink()
    tracemalloc.start()
    try:
        with tarfile.open(fileobj=sink, mode="w|") as archive:
            _archive_tree(archive, root)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.written > size
    assert peak < 8 * 1024 * 1024
