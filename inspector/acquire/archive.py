"""A .zip or .tar(.gz|.bz2|.xz) archive: unpacked into the quarantine, refusing anything that
would escape it or exhaust the disk.

Refused outright (the archive is hostile, we do not unpack part of it): absolute member names,
``..`` components, links whose target leaves the destination, hard links, device and FIFO
members, more members or more bytes than the limits, and compression ratios of a zip bomb.
What is unpacked gets inert permissions: 0644 files and 0755 directories, no setuid, no exec.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import zipfile
from pathlib import Path

from inspector.acquire.interface import Limits, Source
from inspector.acquire.inventory import describe
from inspector.errors import AcquireError
from inspector.model import Target

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_CHUNK = 1024 * 1024


def is_archive(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def _refuse(archive: str, why: str) -> AcquireError:
    return AcquireError(f"archive {archive} refused: {why}", "do not unpack it by hand either; ask for a git URL")


def _safe_member_path(dest: Path, name: str, archive: str) -> Path:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise _refuse(archive, f"member {name!r} has an absolute path")
    normalized = posixpath.normpath(name.replace("\\", "/"))
    if normalized == ".." or normalized.startswith("../") or "/../" in f"/{normalized}/":
        raise _refuse(archive, f"member {name!r} escapes the destination")
    target = dest / normalized
    if not target.resolve().is_relative_to(dest.resolve()):
        raise _refuse(archive, f"member {name!r} escapes the destination")
    return target


def _check_link(dest: Path, member_path: Path, link_target: str, name: str, archive: str) -> None:
    if link_target.startswith("/") or not (member_path.parent / link_target).resolve().is_relative_to(
        dest.resolve()
    ):
        raise _refuse(archive, f"link {name!r} points outside the destination ({link_target!r})")


class ArchiveSource(Source):
    kind = "archive"

    def __init__(self, path: Path, display: str, *, limits: Limits) -> None:
        self.path = path
        self.display = display
        self.limits = limits

    def fetch(self, quarantine: Path) -> Target:
        if not self.path.is_file():
            raise AcquireError(f"{self.display}: no such archive", "check the path")
        dest = quarantine / "repo"
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        try:
            if self.path.name.lower().endswith(".zip"):
                self._unzip(dest)
            else:
                self._untar(dest)
        except AcquireError:
            shutil.rmtree(dest, ignore_errors=True)
            raise
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
            shutil.rmtree(dest, ignore_errors=True)
            raise AcquireError(f"{self.display} is not a readable archive: {exc}", "check the file") from None
        _make_inert(dest)
        root = _single_top_dir(dest)
        return describe(root, kind=self.kind, source=self.display)

    def _check_totals(self, count: int, total: int) -> None:
        compressed = max(self.path.stat().st_size, 1)
        if count > self.limits.max_files:
            raise _refuse(self.display, f"{count} members is over the limit of {self.limits.max_files}")
        if total > self.limits.max_bytes:
            raise _refuse(self.display, f"{total} bytes unpacked is over the limit of {self.limits.max_bytes}")
        if total > 10 * _CHUNK and total / compressed > self.limits.max_ratio:
            raise _refuse(self.display, f"compression ratio {total / compressed:.0f}:1 looks like a zip bomb")

    def _unzip(self, dest: Path) -> None:
        with zipfile.ZipFile(self.path) as archive:
            members = archive.infolist()
            self._check_totals(len(members), sum(m.file_size for m in members))
            links: list[tuple[Path, str]] = []
            for member in members:
                target = _safe_member_path(dest, member.filename, self.display)
                mode = member.external_attr >> 16
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                if member.file_size > 10 * _CHUNK and member.compress_size and (
                    member.file_size / member.compress_size > self.limits.max_ratio
                ):
                    raise _refuse(self.display, f"member {member.filename!r} looks like a zip bomb")
                if stat.S_ISLNK(mode):
                    link_target = archive.read(member)[:4096].decode(errors="replace")
                    _check_link(dest, target, link_target, member.filename, self.display)
                    links.append((target, link_target))
                    continue
                if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
                    raise _refuse(self.display, f"member {member.filename!r} is not a regular file")
                target.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with archive.open(member) as src, target.open("wb") as out:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        if written > member.file_size or written > self.limits.max_bytes:
                            raise _refuse(self.display, f"member {member.filename!r} is larger than it says")
                        out.write(chunk)
            # Links are made last so no later member can be written through one.
            for target, link_target in links:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(link_target)

    def _untar(self, dest: Path) -> None:
        with tarfile.open(self.path) as archive:
            members = archive.getmembers()
            self._check_totals(len(members), sum(m.size for m in members if m.isfile()))
            for member in members:
                target = _safe_member_path(dest, member.name, self.display)
                if member.issym():
                    _check_link(dest, target, member.linkname, member.name, self.display)
                elif member.islnk():
                    raise _refuse(self.display, f"member {member.name!r} is a hard link")
                elif not (member.isfile() or member.isdir()):
                    raise _refuse(self.display, f"member {member.name!r} is a device, FIFO or other special file")
            try:
                archive.extractall(dest, filter="data")
            except tarfile.FilterError as exc:
                raise _refuse(self.display, str(exc)) from None


def _make_inert(root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames:
            path = Path(dirpath) / name
            if not path.is_symlink():
                path.chmod(0o755)
        for name in filenames:
            path = Path(dirpath) / name
            if not path.is_symlink():
                path.chmod(0o644)


def _single_top_dir(dest: Path) -> Path:
    """GitHub-style archives wrap everything in one directory; treat that as the root."""
    entries = list(dest.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return dest
