"""A .zip or .tar(.gz|.bz2|.xz) archive: unpacked member by member into the quarantine.

The destination directory is opened once; every member's path is resolved one component at a
time from that descriptor with ``openat(..., O_NOFOLLOW | O_DIRECTORY)`` and files are created
with ``O_CREAT | O_EXCL | O_NOFOLLOW``, so nothing is ever written through a link, whatever
``realpath`` would have said (the CVE-2025-4517 shape: nested 247-character directories and a
link chain past PATH_MAX, where Python 3.11.7's ``tarfile`` ``data`` filter is fooled; we do not
use ``extractall`` or its filters at all).

Link members are recorded (they appear in the report's links) and never created on disk, so no
later reader can follow one either. Refused outright (the archive is hostile, we do not unpack
part of it): absolute member names, ``..`` components, links whose target is absolute or leaves
the archive, links that point at or through another link (chains and loops), members written
through a link's path, hard links, device and FIFO members, duplicate names, more members or
more bytes than the limits (members are counted while headers stream in: a zip's central
directory is counted before it is parsed, a tar's headers one at a time), and compression
ratios of a zip bomb. Members nested deeper than ``Limits.max_depth`` are not unpacked; a
finding says so. Files are created 0644 and directories 0755: no setuid, no exec bit.
"""

from __future__ import annotations

import lzma
import os
import shutil
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO

from inspector.acquire import safefs
from inspector.acquire.intake import depth_cut_finding, link_record
from inspector.acquire.interface import Acquired, Limits, Source
from inspector.acquire.inventory import describe
from inspector.errors import AcquireError
from inspector.model import Finding, LinkRecord

# Wheels and eggs are zips. The suffix only says "an archive": its format is read from its first
# bytes (registries hold zips named .tar.gz, and the target chose the name).
ARCHIVE_SUFFIXES = (".zip", ".whl", ".egg", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_CHUNK = 1024 * 1024
_BOMB_FLOOR = 10 * _CHUNK  # ratios are judged only past this many bytes
_LINK_TARGET_MAX = 4096


def is_archive(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def _starts_like_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) in _ZIP_MAGIC


def _refuse(archive: str, why: str) -> AcquireError:
    return AcquireError(
        f"archive {archive} refused: {safefs.escaped(why)}", "do not unpack it by hand either; ask for a git URL"
    )


class _Refused(Exception):
    """Raised inside extraction; turned into one AcquireError naming the archive."""


def member_parts(name: str) -> list[str]:
    """The path components of a member name; absolute names and ``..`` are refused."""
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise _Refused(f"member {name!r} has an absolute path")
    parts = [part for part in unified.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise _Refused(f"member {name!r} escapes the destination")
    if any("\0" in part for part in parts):
        raise _Refused(f"member {name!r} has a NUL in its name")
    return parts


class Extractor:
    """Writes members under one directory descriptor; no path string is ever resolved."""

    def __init__(self, dest_fd: int, limits: Limits, compressed_bytes: int) -> None:
        self.dest_fd = dest_fd
        self.limits = limits
        self.compressed = max(compressed_bytes, 1)
        self.members = 0
        self.written = 0
        self.links: dict[tuple[str, ...], str] = {}
        self.created: set[tuple[str, ...]] = set()
        self.findings: list[Finding] = []

    def count(self) -> None:
        self.members += 1
        if self.members > self.limits.max_files:
            raise safefs.limit_error("members in the archive", self.members, self.limits.max_files, "--max-files")

    def _place(self, name: str) -> list[str] | None:
        parts = member_parts(name)
        if len(parts) > self.limits.max_depth:
            cut = "/".join(parts[: self.limits.max_depth + 1])
            self.findings.append(depth_cut_finding(safefs.escaped(os.fsencode(cut)), self.limits.max_depth))
            return None
        for end in range(1, len(parts) + 1):
            if tuple(parts[:end]) in self.links:
                raise _Refused(f"member {name!r} would be written through the link {'/'.join(parts[:end])!r}")
        return parts or None

    def directory(self, name: str) -> None:
        parts = self._place(name)
        if parts is None:
            return
        os.close(safefs.walk_components(self.dest_fd, parts, create=True))
        self._created(parts)

    def _created(self, parts: list[str]) -> None:
        for end in range(1, len(parts) + 1):
            self.created.add(tuple(parts[:end]))

    def file(self, name: str, declared_size: int, chunks: Iterator[bytes]) -> None:
        parts = self._place(name)
        if parts is None:
            return
        if declared_size > self.limits.max_file_bytes:
            raise safefs.limit_error(f"size of member {safefs.escaped(name)}", declared_size,
                                     self.limits.max_file_bytes, "--max-file-size")
        parent = safefs.walk_components(self.dest_fd, parts[:-1], create=True)
        try:
            out = safefs.create_file(parts[-1], dir_fd=parent, mode=0o644)
        finally:
            os.close(parent)
        self._created(parts)
        with safefs.closing_fd(out):
            size = 0
            for chunk in chunks:
                size += len(chunk)
                self.written += len(chunk)
                if size > declared_size:
                    raise _Refused(f"member {name!r} is larger than it says")
                if size > self.limits.max_file_bytes:
                    raise safefs.limit_error(f"size of member {safefs.escaped(name)}", size,
                                             self.limits.max_file_bytes, "--max-file-size")
                if self.written > self.limits.max_bytes:
                    raise safefs.limit_error("bytes unpacked", self.written, self.limits.max_bytes, "--max-size")
                if self.written > _BOMB_FLOOR and self.written / self.compressed > self.limits.max_ratio:
                    raise _Refused(f"compression ratio {self.written / self.compressed:.0f}:1 looks like a zip bomb")
                safefs.copy_stream(iter((chunk,)), out, len(chunk))

    def link(self, name: str, target: str) -> None:
        parts = self._place(name)
        if parts is None:
            return
        record = link_record("/".join(parts), target)
        if record.escapes:
            raise _Refused(f"link {name!r} points outside the destination ({target!r})")
        self.links[tuple(parts)] = target

    def finish(self) -> None:
        """Links are judged once every member is known: chains, loops, and names reused by files."""
        for parts, target in self.links.items():
            if parts in self.created:
                raise _Refused(f"link {'/'.join(parts)!r} has the same name as a file or directory")
            resolved: list[str] = list(parts[:-1])
            for component in target.split("/"):
                if component in ("", "."):
                    continue
                if component == "..":
                    if resolved:
                        resolved.pop()
                    continue
                resolved.append(component)
                if tuple(resolved) in self.links:
                    raise _Refused(f"link {'/'.join(parts)!r} points at or through another link (a chain or loop)")

    def link_records(self, strip: int) -> tuple[LinkRecord, ...]:
        return tuple(link_record("/".join(parts[strip:]), target) for parts, target in self.links.items())


class ArchiveSource(Source):
    kind = "archive"

    def __init__(self, path: Path, display: str, *, limits: Limits) -> None:
        self.path = path
        self.display = display
        self.limits = limits

    def fetch(self, quarantine: Path) -> Acquired:
        if not self.path.is_file():
            raise AcquireError(f"{self.display}: no such archive", "check the path")
        dest = quarantine / "repo"
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        try:
            with safefs.closing_fd(safefs.open_dir(dest)) as dest_fd:
                extractor = Extractor(dest_fd, self.limits, self.path.stat().st_size)
                if _starts_like_zip(self.path):
                    self._unzip(extractor)
                else:
                    self._untar(extractor)
                extractor.finish()
        except AcquireError:
            shutil.rmtree(dest, ignore_errors=True)
            raise
        except (_Refused, safefs.UnsafePath) as exc:
            shutil.rmtree(dest, ignore_errors=True)
            raise _refuse(self.display, str(exc)) from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, EOFError, OSError, ValueError,
                NotImplementedError, struct.error, zlib.error, lzma.LZMAError) as exc:
            shutil.rmtree(dest, ignore_errors=True)
            raise AcquireError(
                f"{self.display} is not a readable archive: {safefs.escaped(str(exc))[:300]}", "check the file"
            ) from None
        root = _single_top_dir(dest, extractor)
        strip = 0 if root == dest else 1
        return describe(
            root,
            kind=self.kind,
            source=self.display,
            limits=self.limits,
            extra_links=extractor.link_records(strip),
            extra_findings=tuple(extractor.findings),
        )

    def _unzip(self, extractor: Extractor) -> None:
        with self.path.open("rb") as raw:
            count_zip_entries(raw, self.limits.max_files)
        with zipfile.ZipFile(self.path) as archive:
            members = archive.infolist()
            declared = sum(m.file_size for m in members)
            if declared > self.limits.max_bytes:
                raise safefs.limit_error("bytes declared by the archive", declared, self.limits.max_bytes,
                                         "--max-size")
            if declared > _BOMB_FLOOR and declared / extractor.compressed > self.limits.max_ratio:
                raise _Refused(f"compression ratio {declared / extractor.compressed:.0f}:1 looks like a zip bomb")
            for member in members:
                extractor.count()
                if not member.filename:
                    raise _Refused("a member has an empty name")
                if member.flag_bits & 0x1:
                    raise _Refused(f"member {member.filename!r} is encrypted: its content cannot be checked")
                mode = member.external_attr >> 16
                if member.is_dir():
                    extractor.directory(member.filename)
                    continue
                if member.file_size > _BOMB_FLOOR and member.compress_size and (
                    member.file_size / member.compress_size > self.limits.max_ratio
                ):
                    raise _Refused(f"member {member.filename!r} looks like a zip bomb")
                if stat.S_ISLNK(mode):
                    with archive.open(member) as src:
                        target = src.read(_LINK_TARGET_MAX + 1)
                    if len(target) > _LINK_TARGET_MAX:
                        raise _Refused(f"link {member.filename!r} has a target over {_LINK_TARGET_MAX} bytes")
                    extractor.link(member.filename, target.decode("utf-8", "surrogateescape"))
                    continue
                if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
                    raise _Refused(f"member {member.filename!r} is a {safefs.kind_of(mode)}, not a regular file")
                with archive.open(member) as src:
                    extractor.file(member.filename, member.file_size, _read_chunks(src))

    def _untar(self, extractor: Extractor) -> None:
        with tarfile.open(self.path) as archive:
            while (member := archive.next()) is not None:
                # tarfile keeps every header it has read; drop them so 2M headers cost nothing.
                archive.members.clear()  # type: ignore[attr-defined]  # public attribute, not in typeshed
                extractor.count()
                if member.isdir():
                    extractor.directory(member.name)
                elif member.issym():
                    extractor.link(member.name, member.linkname)
                elif member.islnk():
                    raise _Refused(f"member {member.name!r} is a hard link")
                elif member.isfile():
                    src = archive.extractfile(member)
                    if src is None:
                        raise _Refused(f"member {member.name!r} has no data")
                    with src:
                        extractor.file(member.name, member.size, _read_chunks(src))
                else:
                    raise _Refused(f"member {member.name!r} is a device, FIFO or other special file")


def _read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_CENTRAL_HEADER = b"PK\x01\x02"


def count_zip_entries(raw: BinaryIO, limit: int) -> int:
    """Count central-directory entries without building them, stopping past ``limit``.

    zipfile builds one ZipInfo per entry before we could count them (a 2M-entry directory is
    gigabytes of objects); this walks the raw records instead. An archive this cannot make sense
    of is left to zipfile to reject.
    """
    size = raw.seek(0, os.SEEK_END)
    tail_start = max(0, size - (65535 + 22))
    raw.seek(tail_start)
    tail = raw.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return 0
    eocd_pos = tail_start + at
    cd_size = struct.unpack_from("<I", tail, at + 12)[0]
    cd_end = eocd_pos
    locator = at - 20
    if locator >= 0 and tail[locator : locator + 4] == _ZIP64_LOCATOR:
        record_pos = struct.unpack_from("<Q", tail, locator + 8)[0]
        raw.seek(record_pos)
        record = raw.read(56)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            cd_size = struct.unpack_from("<Q", record, 40)[0]
            cd_end = record_pos
    start = cd_end - cd_size
    if start < 0:
        return 0
    raw.seek(start)
    count = 0
    read = 0
    while read + 46 <= cd_size:
        header = raw.read(46)
        if len(header) < 46 or header[:4] != _CENTRAL_HEADER:
            break
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", header, 28)
        skip = name_len + extra_len + comment_len
        raw.seek(skip, os.SEEK_CUR)
        read += 46 + skip
        count += 1
        if count > limit:
            raise safefs.limit_error("members in the archive", count, limit, "--max-files")
    return count


def _single_top_dir(dest: Path, extractor: Extractor) -> Path:
    """GitHub-style archives wrap everything in one directory; treat that as the root."""
    entries = list(dest.iterdir())
    tops = {parts[0] for parts in extractor.links}
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink() and tops <= {entries[0].name}:
        return entries[0]
    return dest
