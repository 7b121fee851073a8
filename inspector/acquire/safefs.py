"""File-system primitives for reading and writing a hostile tree without following it anywhere.

Every path a target controls is walked one component at a time from a directory descriptor we
opened ourselves (``openat`` with ``O_NOFOLLOW``), never as a string handed to ``realpath``:
a link, a FIFO or a device swapped in anywhere along the way is refused, not followed or read.
Reads are bounded, so a file that grows (or a /dev/zero look-alike) cannot outrun the limit.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress

from inspector.errors import AcquireError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a FIFO must not wait for a writer; the fstat check then refuses it.
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
CHUNK = 1024 * 1024


class UnsafePath(Exception):
    """A path component is a link or not a directory, or a file is not a regular file."""


class TooLarge(Exception):
    """A bounded read or copy reached its limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"over {limit} bytes")
        self.limit = limit


def kind_of(mode: int) -> str:
    """A word for the reviewer: what this file-system entry is."""
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def open_dir(path: str | os.PathLike[str], *, dir_fd: int | None = None) -> int:
    """Open a directory we name (the quarantine, a target root) without following a final link."""
    try:
        return os.open(path, _DIR_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        raise UnsafePath(f"{os.fsdecode(path)!r} is not a plain directory ({exc.strerror})") from None


def walk_components(base_fd: int, parts: Iterable[str], *, create: bool = False) -> int:
    """Descend from ``base_fd`` through ``parts``, one no-follow directory open per component.

    Returns a new descriptor (the caller closes it). With ``create``, missing directories are
    made (mode 0755) on the way. ``..``, ``.``, empty names and names with a slash are refused.
    """
    fd = os.dup(base_fd)
    try:
        for part in parts:
            if part in ("", ".", "..") or "/" in part or "\0" in part:
                raise UnsafePath(f"path component {part!r} is not allowed")
            if create:
                with suppress(FileExistsError):
                    os.mkdir(part, 0o755, dir_fd=fd)
            try:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                raise UnsafePath(f"{part!r} is a link or not a directory ({exc.strerror})") from None
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def open_regular(name: str, *, dir_fd: int) -> int:
    """Open ``name`` in ``dir_fd`` for reading only if it is a regular file (checked after open)."""
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        raise UnsafePath(f"{name!r} cannot be opened without following it ({exc.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise UnsafePath(f"{name!r} is a {kind_of(mode)}, not a regular file")
    os.set_blocking(fd, True)
    return fd


def read_bounded(fd: int, limit: int) -> bytes:
    """All of ``fd`` if it is at most ``limit`` bytes, else TooLarge (never reads past limit+1)."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, min(CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise TooLarge(limit)
        chunks.append(chunk)


def read_small_file(base_fd: int, relative: str, limit: int) -> bytes:
    """Read ``relative`` (slash-separated, under ``base_fd``) with no link followed on the way."""
    *dirs, name = relative.split("/")
    parent = walk_components(base_fd, dirs)
    try:
        fd = open_regular(name, dir_fd=parent)
    finally:
        os.close(parent)
    try:
        return read_bounded(fd, limit)
    finally:
        os.close(fd)


def copy_stream(chunks: Iterator[bytes], out_fd: int, limit: int) -> int:
    """Write ``chunks`` to ``out_fd``; TooLarge as soon as more than ``limit`` bytes arrive."""
    written = 0
    for chunk in chunks:
        written += len(chunk)
        if written > limit:
            raise TooLarge(limit)
        view = memoryview(chunk)
        while view:
            view = view[os.write(out_fd, view) :]
    return written


def fd_chunks(fd: int, limit: int) -> Iterator[bytes]:
    """Chunks read from ``fd``, stopping one byte past ``limit`` so a growing file is caught."""
    read = 0
    while read <= limit:
        chunk = os.read(fd, min(CHUNK, limit + 1 - read))
        if not chunk:
            return
        read += len(chunk)
        yield chunk


def create_file(name: str, *, dir_fd: int, mode: int = 0o644) -> int:
    """A new regular file in ``dir_fd``; an existing entry of that name (a link) is an error."""
    try:
        return os.open(name, _CREATE_FLAGS, mode, dir_fd=dir_fd)
    except FileExistsError:
        raise UnsafePath(f"{name!r} appears twice") from None
    except OSError as exc:
        raise UnsafePath(f"{name!r} cannot be created ({exc.strerror})") from None


@contextmanager
def closing_fd(fd: int) -> Iterator[int]:
    try:
        yield fd
    finally:
        os.close(fd)


def escaped(name: str | bytes) -> str:
    """A file name for display: bytes that are not valid UTF-8 become \\xNN, never raw."""
    raw = os.fsencode(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def limit_error(what: str, value: int, limit: int, option: str) -> AcquireError:
    return AcquireError(
        f"{what}: {value:,} is over the limit of {limit:,}",
        f"if you trust the size, raise it with {option}",
    )
