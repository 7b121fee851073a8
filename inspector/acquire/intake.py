"""The one hardened intake for a tree on disk: a local directory, or what an archive unpacked to.

The walk is iterative (a stack of directory descriptors, ``os.scandir`` on each), so 20,000
nested directories cost no recursion; directories deeper than ``Limits.max_depth`` are cut with a
finding. Only regular files, directories and links are taken; links are recorded and never
followed (there is no path string to resolve: every step is an ``openat`` with ``O_NOFOLLOW``
from the parent's descriptor, which also makes a self or pair link loop harmless); devices,
FIFOs and sockets are findings and are never opened. Names are kept as the bytes they are and
shown escaped when they are not valid UTF-8. Counting stops at ``max_files``, summing at
``max_bytes``, and a copy stops at ``max_file_bytes`` even if the file grows while it is read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field

from inspector.acquire import safefs
from inspector.acquire.interface import Limits
from inspector.model import Category, Engine, Finding, LinkRecord, Severity, new_finding

GIT_INTERNALS = ".git"


@dataclass
class Inventory:
    """What the walk saw. Paths are display strings (escaped); the digest is over raw bytes."""

    links: list[LinkRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    total_bytes: int = 0
    entries: int = 0
    digest_lines: list[bytes] = field(default_factory=list)

    def digest(self) -> str:
        return hashlib.sha256(b"\n".join(sorted(self.digest_lines))).hexdigest()


def special_file_finding(path: str, kind: str) -> Finding:
    # MEDIUM, above the repository default: a device, FIFO or socket in a source tree is a deliberate act.
    message = f"{path} is a {kind}: a source tree has no reason to hold one; inspector listed it and never opened it"
    return _medium_finding("repository.special-file", Category.REPOSITORY, path, message, f"{path}: {kind}")


def depth_cut_finding(path: str, depth: int) -> Finding:
    # MEDIUM, above the analysis default: code below the cut was not read at all.
    message = f"analysis cut at {depth} levels: {path} is nested deeper and was not read"
    evidence = f"{path}: more than {depth} nested directories"
    return _medium_finding("analysis.depth-cut", Category.ANALYSIS, path, message, evidence)


def _medium_finding(rule: str, category: Category, path: str, message: str, evidence: str) -> Finding:
    """An acquisition finding at MEDIUM, its id keyed by (rule, path, message) as it always was."""
    return new_finding(
        rule,
        category,
        Engine.ACQUIRE,
        message,
        severity=Severity.MEDIUM,
        path=path,
        evidence=evidence,
        id_key=(rule, path, message),
    )


def link_record(rel: str, points_to: str) -> LinkRecord:
    """A link, judged lexically: absolute, or leaving the root by ``..`` counted from its place."""
    depth = len(rel.split("/")) - 1
    escapes = points_to.startswith("/")
    for part in points_to.split("/"):
        if part == "..":
            depth -= 1
            escapes |= depth < 0
        elif part not in ("", "."):
            depth += 1
    return LinkRecord(path=rel, points_to=points_to, escapes=escapes)


class Walk:
    """Walk the tree under ``root_fd``; subclasses act on each entry (copy, count, digest)."""

    def __init__(
        self, limits: Limits, *, prefix: tuple[str, ...] = (), skip_dirs: frozenset[str] = frozenset()
    ) -> None:
        self.limits = limits
        self.inventory = Inventory()
        self.prefix = prefix  # where this walk's root is inside the target (".git" for its copy)
        self.skip_dirs = skip_dirs  # directory names not descended into (and not counted)

    # hooks for subclasses -------------------------------------------------------------
    def enter_dir(self, parent_ctx: int | None, name: str) -> int | None:
        return None

    def leave_dir(self, ctx: int | None) -> None:
        return None

    def take_file(self, dir_fd: int, name: str, rel: str, info: os.stat_result, ctx: int | None) -> str:
        """Handle one regular file; return its content digest."""
        with safefs.closing_fd(safefs.open_regular(name, dir_fd=dir_fd)) as fd:
            sha = hashlib.sha256()
            read = 0
            for chunk in safefs.fd_chunks(fd, self.limits.max_file_bytes):
                read += len(chunk)
                if read > self.limits.max_file_bytes:
                    raise safefs.TooLarge(self.limits.max_file_bytes)
                sha.update(chunk)
            return sha.hexdigest()

    def take_link(self, dir_fd: int, name: str, target: bytes, ctx: int | None) -> None:
        return None

    # the walk -------------------------------------------------------------------------
    def run(self, root_fd: int) -> Inventory:
        # Each frame: (directory fd, names of its sub-directories still to visit, path parts, ctx)
        stack: list[tuple[int, list[str], list[str], int | None]] = []
        try:
            root_pending: list[str] = []
            stack.append((os.dup(root_fd), root_pending, [], self.enter_dir(None, "")))
            root_pending.extend(self._list(stack[0][0], [], stack[0][3]))
            while stack:
                fd, pending, parts, ctx = stack[-1]
                if not pending:
                    stack.pop()
                    os.close(fd)
                    self.leave_dir(ctx)
                    continue
                name = pending.pop()
                child_parts = [*parts, name]
                if len(child_parts) > self.limits.max_depth:
                    self.inventory.findings.append(
                        depth_cut_finding(self._display(child_parts), self.limits.max_depth)
                    )
                    continue
                try:
                    child = safefs.walk_components(fd, [name])
                except safefs.UnsafePath:
                    continue  # swapped for something else since it was listed: not followed
                # On the stack before it is listed, so an error while listing still closes both.
                child_pending: list[str] = []
                stack.append((child, child_pending, child_parts, None))
                child_ctx = self.enter_dir(ctx, name)
                stack[-1] = (child, child_pending, child_parts, child_ctx)
                child_pending.extend(self._list(child, child_parts, child_ctx))
        finally:
            for fd, _pending, _parts, ctx in stack:
                os.close(fd)
                self.leave_dir(ctx)
        return self.inventory

    def _display(self, parts: list[str]) -> str:
        return safefs.escaped(os.fsencode("/".join([*self.prefix, *parts])))

    def _count(self) -> None:
        self.inventory.entries += 1
        if self.inventory.entries > self.limits.max_files:
            raise safefs.limit_error(
                "files, directories and links in the target", self.inventory.entries, self.limits.max_files,
                "--max-files",
            )

    def _list(self, fd: int, parts: list[str], ctx: int | None = None) -> list[str]:
        """Take every entry of one directory; return the sub-directories to descend into."""
        subdirs: list[str] = []
        listed: list[tuple[str, os.stat_result]] = []
        with os.scandir(fd) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                if not parts and not self.prefix and entry.name == GIT_INTERNALS:
                    self._take_git(fd, entry.name, info, ctx)
                elif not (entry.name in self.skip_dirs and stat.S_ISDIR(info.st_mode)):
                    self._count()  # while listing: a directory of a million entries stops early
                    listed.append((entry.name, info))
        listed.sort(key=lambda item: item[0])
        for name, info in listed:
            rel_parts = [*parts, name]
            rel = self._display(rel_parts)
            raw_rel = os.fsencode("/".join(rel_parts))
            mode = info.st_mode
            if stat.S_ISDIR(mode):
                subdirs.append(name)
            elif stat.S_ISLNK(mode):
                target = os.readlink(name, dir_fd=fd)
                target_bytes = os.fsencode(target)
                self.inventory.links.append(link_record(rel, safefs.escaped(target_bytes)))
                self.inventory.digest_lines.append(raw_rel + b"\0link\0" + target_bytes)
                self.take_link(fd, name, target_bytes, ctx)
            elif stat.S_ISREG(mode):
                if info.st_size > self.limits.max_file_bytes:
                    raise safefs.limit_error(f"size of {rel}", info.st_size, self.limits.max_file_bytes,
                                             "--max-file-size")
                self.inventory.files += 1
                self.inventory.total_bytes += info.st_size
                if self.inventory.total_bytes > self.limits.max_bytes:
                    raise safefs.limit_error("bytes in the target", self.inventory.total_bytes,
                                             self.limits.max_bytes, "--max-size")
                try:
                    digest = self.take_file(fd, name, rel, info, ctx)
                except safefs.TooLarge:
                    raise safefs.limit_error(f"size of {rel} (it grew while read)", info.st_size + 1,
                                             self.limits.max_file_bytes, "--max-file-size") from None
                except safefs.UnsafePath:
                    self.inventory.findings.append(special_file_finding(rel, "file swapped while read"))
                    continue
                self.inventory.digest_lines.append(raw_rel + b"\0file\0" + digest.encode())
            else:
                self.inventory.findings.append(special_file_finding(rel, safefs.kind_of(mode)))
        # pop() takes from the end: reverse so directories are visited in name order
        return subdirs[::-1]

    def _take_git(self, fd: int, name: str, info: os.stat_result, ctx: int | None) -> None:
        """.git is not part of the content digest or the counts; the history reader checks it."""
        return None


_INDEX_MAX = 64 * 1024 * 1024


def _untracked_node_modules(root_fd: int) -> bool:
    """A git working tree whose index lists no node_modules/: those are installed, not sent.

    The same rule as the static stage's, so a project with 300,000 installed files is neither
    counted against --max-files nor digested when it is read in place.
    """
    try:
        index = safefs.read_small_file(root_fd, f"{GIT_INTERNALS}/index", _INDEX_MAX)
    except (safefs.UnsafePath, safefs.TooLarge):
        return False
    return b"node_modules/" not in index


def inventory(root_fd: int, limits: Limits) -> Inventory:
    """Count, digest and list a tree in place (nothing is copied)."""
    skip = frozenset({"node_modules"}) if _untracked_node_modules(root_fd) else frozenset()
    return Walk(limits, skip_dirs=skip).run(root_fd)


class CopyWalk(Walk):
    """Copy a tree into ``dest_fd``: regular files (bounded), directories, links as links."""

    def __init__(self, limits: Limits, dest_fd: int, *, prefix: tuple[str, ...] = ()) -> None:
        super().__init__(limits, prefix=prefix)
        self.dest_fd = dest_fd
        self.copied_bytes = 0

    def enter_dir(self, parent_ctx: int | None, name: str) -> int | None:
        if parent_ctx is None:
            return os.dup(self.dest_fd)
        return safefs.walk_components(parent_ctx, [name], create=True)

    def leave_dir(self, ctx: int | None) -> None:
        if ctx is not None:
            os.close(ctx)

    def take_file(self, dir_fd: int, name: str, rel: str, info: os.stat_result, ctx: int | None) -> str:
        assert ctx is not None
        with (
            safefs.closing_fd(safefs.open_regular(name, dir_fd=dir_fd)) as src,
            safefs.closing_fd(safefs.create_file(name, dir_fd=ctx)) as out,
        ):
            sha = hashlib.sha256()
            written = 0
            for chunk in safefs.fd_chunks(src, self.limits.max_file_bytes):
                written += len(chunk)
                if written > self.limits.max_file_bytes:
                    raise safefs.TooLarge(self.limits.max_file_bytes)
                self.copied_bytes += len(chunk)
                if self.copied_bytes > self.limits.max_bytes:
                    raise safefs.limit_error("bytes copied", self.copied_bytes, self.limits.max_bytes, "--max-size")
                sha.update(chunk)
                safefs.copy_stream(iter((chunk,)), out, len(chunk))
            return sha.hexdigest()

    def take_link(self, dir_fd: int, name: str, target: bytes, ctx: int | None) -> None:
        assert ctx is not None
        os.symlink(target, name, dir_fd=ctx)

    def _take_git(self, fd: int, name: str, info: os.stat_result, ctx: int | None) -> None:
        """.git is copied too (the history is read from the copy), with the same rules and limits."""
        if ctx is None:
            return
        if stat.S_ISREG(info.st_mode):  # a worktree's pointer file: copied, so the copy says so too
            self.take_file(fd, name, name, info, ctx)
            return
        if stat.S_ISLNK(info.st_mode):
            self.take_link(fd, name, os.fsencode(os.readlink(name, dir_fd=fd)), ctx)
            return
        if not stat.S_ISDIR(info.st_mode):
            self.inventory.findings.append(special_file_finding(name, safefs.kind_of(info.st_mode)))
            return
        with safefs.closing_fd(safefs.walk_components(fd, [name])) as src_git:
            os.mkdir(name, 0o755, dir_fd=ctx)
            with safefs.closing_fd(safefs.walk_components(ctx, [name])) as dest_git:
                inner = CopyWalk(self.limits, dest_git, prefix=(GIT_INTERNALS,))
                inner.copied_bytes = self.copied_bytes
                inner.inventory.entries = self.inventory.entries
                inner.run(src_git)
                self.copied_bytes = inner.copied_bytes
                self.inventory.entries = inner.inventory.entries
                self.inventory.findings.extend(inner.inventory.findings)


def copy_tree(src_fd: int, dest_fd: int, limits: Limits) -> Inventory:
    return CopyWalk(limits, dest_fd).run(src_fd)
