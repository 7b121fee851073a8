"""Read a target's git history without letting the target configure git.

Design: git runs against a private ``GIT_DIR`` that we create in a temporary directory, never
against the target's ``.git``. That directory holds our own ``config`` (nothing but the object
format), a detached ``HEAD`` with the commit id we resolved ourselves (HEAD, loose refs and
packed-refs are parsed here as data, with bounded no-follow reads; so is ``remote.origin.url``
from the target's config, as text for the report, never handed to git), a copy of ``shallow``, and an
``objects`` directory whose entries are links to the target's object sub-directories
(``objects/??`` and ``objects/pack``), each checked to be a plain directory of regular files.
The environment is pinned: no system or global config (``GIT_CONFIG_NOSYSTEM``,
``GIT_CONFIG_GLOBAL=/dev/null``, ``HOME`` in the private directory), no ``GIT_*`` variable of
the user's, no pager, no protocols, no replace refs.

Why this and not a pure-Python object parser (dulwich): every way git has of running a program
or fetching (``gpg.program``, ``core.fsmonitor``, ``core.sshCommand``, ``core.pager``,
``diff.*.textconv``, ``filter.*``, ``credential.helper``, hooks, the promisor remote of a partial
clone) is named in a configuration file, an environment variable or the hooks directory; here all
three are ours, and the config git reads is a file we wrote with one key in it. What remains
target-controlled is object *data*, parsed by git's C code, which is fuzzed upstream, fast on
large histories, and bounded here by a timeout, ``--max-count`` and a cap on its output; a
pure-Python parser would run that same hostile data in inspector's own process, where a
decompression bomb or a deep delta chain costs our memory and stack. ``objects/info`` is not
linked, so the target's ``alternates`` (objects from elsewhere on the disk), ``http-alternates``
and commit-graph are never read.

A history that cannot be read (a missing object, a broken ref, a link or FIFO inside ``.git``)
is a :class:`~inspector.model.Skipped` value; the scan goes on without it.
"""

from __future__ import annotations

import configparser
import os
import re
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from inspector.acquire import safefs
from inspector.model import HistorySummary, Skipped

MAX_COMMITS = 20_000
TIMEOUT_S = 60.0
_AUTHOR_COLUMNS = 200
_SMALL = 1024 * 1024  # HEAD, loose refs, shallow, config
_PACKED_REFS_MAX = 64 * 1024 * 1024
_MAX_OBJECT_ENTRIES = 2_000_000
_HEX = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REF = re.compile(r"refs/(?:[A-Za-z0-9_+-][A-Za-z0-9._+-]*/)*[A-Za-z0-9_+-][A-Za-z0-9._+-]*")
_OBJECT_DIR = re.compile(r"[0-9a-f]{2}")
_FIX = "nothing to do for the scan; to see the history, read it yourself in a throw-away copy"


@dataclass(frozen=True)
class History:
    commit: str | None
    branch: str | None
    remote_url: str | None
    summary: HistorySummary | None
    skipped: Skipped | None = None


class _Unreadable(Exception):
    """The repository's metadata is not something we read (reason in the message)."""


def read_history(root: Path, *, max_commits: int = MAX_COMMITS, timeout_s: float = TIMEOUT_S) -> History:
    """(commit, branch, remote, summary) of the repository at ``root/.git``; all None without one."""
    try:
        info = os.lstat(root / ".git")
    except FileNotFoundError:
        return History(None, None, None, None)
    try:
        if stat.S_ISREG(info.st_mode):
            raise _Unreadable(".git is a file pointing at another directory (a worktree or submodule)")
        if not stat.S_ISDIR(info.st_mode):
            raise _Unreadable(f".git is a {safefs.kind_of(info.st_mode)}")
        with safefs.closing_fd(safefs.open_dir(root / ".git")) as git_fd:
            return _read(git_fd, max_commits, timeout_s)
    except (_Unreadable, safefs.UnsafePath, safefs.TooLarge, OSError) as exc:
        return History(None, None, None, None, _skipped(str(exc)))


def _skipped(reason: str) -> Skipped:
    return Skipped("git history", f"history not read: {safefs.escaped(reason)[:300]}", _FIX)


def _read(git_fd: int, max_commits: int, timeout_s: float) -> History:
    commit, branch = _resolve_head(git_fd)
    remote = _origin_url(git_fd)
    if commit is None:
        return History(None, branch, remote, None)  # an empty repository: nothing to read
    shallow = _read_optional(git_fd, "shallow", _SMALL * 16)
    with tempfile.TemporaryDirectory(prefix="inspector-history-") as private:
        private_dir = Path(private)
        _private_git_dir(private_dir, git_fd, commit, shallow)
        rows, error = _log(private_dir, max_commits, timeout_s)
    if error is not None:
        return History(commit, branch, remote, None, _skipped(error))
    dates = sorted(row[1] for row in rows)
    summary = HistorySummary(
        commit_count=len(rows),
        first_commit_at=dates[0] if dates else None,
        last_commit_at=dates[-1] if dates else None,
        authors=tuple(sorted({row[2] for row in rows})),
        truncated=shallow is not None or len(rows) >= max_commits,
    )
    return History(commit, branch, remote, summary)


def _read_optional(git_fd: int, relative: str, limit: int) -> bytes | None:
    try:
        return safefs.read_small_file(git_fd, relative, limit)
    except safefs.UnsafePath:
        return None


def _resolve_head(git_fd: int) -> tuple[str | None, str | None]:
    try:
        head = safefs.read_small_file(git_fd, "HEAD", 4096).decode("ascii").strip()
    except safefs.UnsafePath as exc:
        raise _Unreadable(f"HEAD: {exc}") from None
    except UnicodeDecodeError:
        raise _Unreadable("HEAD is not a ref or a commit id") from None
    if _HEX.fullmatch(head):
        return head, None
    if not head.startswith("ref: "):
        raise _Unreadable("HEAD is not a ref or a commit id")
    ref = head[5:].strip()
    if not _REF.fullmatch(ref) or ".." in ref or ref.endswith(".lock"):
        raise _Unreadable(f"HEAD names an unusual ref {ref!r}")
    branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None
    loose = _read_optional(git_fd, ref, 4096)
    if loose is not None:
        value = loose.decode("ascii", "replace").strip()
        if not _HEX.fullmatch(value):
            raise _Unreadable(f"{ref} does not hold a commit id")
        return value, branch
    packed = _read_optional(git_fd, "packed-refs", _PACKED_REFS_MAX)
    for line in (packed or b"").decode("utf-8", "replace").splitlines():
        value, _, name = line.partition(" ")
        if name == ref and _HEX.fullmatch(value):
            return value, branch
    return None, branch  # unborn branch: the repository has no commit yet


def _origin_url(git_fd: int) -> str | None:
    """remote.origin.url, parsed as text for the report (git never reads this file)."""
    raw = _read_optional(git_fd, "config", _SMALL)
    if raw is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(raw.decode("utf-8", "replace"))
    except configparser.Error:
        return None
    url = parser.get('remote "origin"', "url", fallback="").strip()
    return url[:2000] or None


def _private_git_dir(private: Path, git_fd: int, commit: str, shallow: bytes | None) -> None:
    git_dir = private / "git"
    (git_dir / "refs").mkdir(parents=True)
    (private / "home").mkdir()
    object_format = "sha256" if len(commit) == 64 else "sha1"
    version = 1 if object_format == "sha256" else 0
    (git_dir / "config").write_text(
        f"[core]\n\trepositoryformatversion = {version}\n\tbare = true\n"
        + (f"[extensions]\n\tobjectformat = {object_format}\n" if version else "")
    )
    (git_dir / "HEAD").write_text(commit + "\n")
    if shallow is not None:
        lines = shallow.decode("ascii", "replace").split()
        if not all(_HEX.fullmatch(line) for line in lines):
            raise _Unreadable("the shallow file does not hold commit ids")
        (git_dir / "shallow").write_text("".join(f"{line}\n" for line in lines))
    objects = git_dir / "objects"
    objects.mkdir()
    try:
        objects_fd = safefs.walk_components(git_fd, ["objects"])
    except safefs.UnsafePath as exc:
        raise _Unreadable(f"objects: {exc}") from None
    with safefs.closing_fd(objects_fd):
        real_objects = str(Path(f"/proc/self/fd/{objects_fd}").readlink())
        _check_object_dirs(objects_fd, objects, real_objects)


def _check_object_dirs(objects_fd: int, private_objects: Path, real_objects: str) -> None:
    """Link objects/?? and objects/pack into the private directory after checking each holds only
    regular files (a FIFO there would hang git, a link would lead it elsewhere)."""
    seen = 0
    with os.scandir(objects_fd) as entries:
        names = [entry.name for entry in entries]
    for name in names:
        if not (_OBJECT_DIR.fullmatch(name) or name == "pack"):
            continue  # info/ (alternates, commit-graph) and anything else: not ours to read
        try:
            sub_fd = safefs.walk_components(objects_fd, [name])
        except safefs.UnsafePath as exc:
            raise _Unreadable(f"objects/{name}: {exc}") from None
        with safefs.closing_fd(sub_fd), os.scandir(sub_fd) as files:
            for entry in files:
                seen += 1
                if seen > _MAX_OBJECT_ENTRIES:
                    raise _Unreadable(f"more than {_MAX_OBJECT_ENTRIES:,} entries under objects/")
                mode = entry.stat(follow_symlinks=False).st_mode
                if not stat.S_ISREG(mode):
                    what = safefs.kind_of(mode)
                    raise _Unreadable(f"objects/{name}/{safefs.escaped(entry.name)} is a {what}")
        (private_objects / name).symlink_to(f"{real_objects}/{name}")


def git_environment(private: Path) -> dict[str, str]:
    """The whole environment git gets: nothing of the user's GIT_* and no config but ours."""
    keep = ("PATH", "LANG", "LC_ALL", "TZ")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(
        GIT_DIR=str(private / "git"),
        HOME=str(private / "home"),
        XDG_CONFIG_HOME=str(private / "home"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_ATTR_NOSYSTEM="1",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_NO_LAZY_FETCH="1",  # git >= 2.45; older git has no promisor without our config anyway
        GIT_TERMINAL_PROMPT="0",
        GIT_ALLOW_PROTOCOL="",
        GIT_OPTIONAL_LOCKS="0",
        GIT_PAGER="cat",
        PAGER="cat",
    )
    return env


def _log(private: Path, max_commits: int, timeout_s: float) -> tuple[list[list[str]], str | None]:
    argv = [
        "git",
        "--no-pager",
        "--no-replace-objects",
        "log",
        "--no-show-signature",
        "--no-color",
        "--no-mailmap",
        f"--max-count={max_commits}",
        f"--format=%H%x00%aI%x00%<({_AUTHOR_COLUMNS},trunc)%an",
        "HEAD",
        "--",
    ]
    try:
        done = subprocess.run(
            argv,
            cwd=private,
            env=git_environment(private),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except FileNotFoundError:
        return [], "git is not installed (Debian: apt-get install git)"
    except subprocess.TimeoutExpired:
        return [], f"git log took more than {timeout_s:.0f} s"
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return [], f"git log failed: {lines[-1] if lines else f'exit {done.returncode}'}"
    rows = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        fields = line.split("\x00")
        if len(fields) == 3:
            rows.append([fields[0], fields[1], fields[2].rstrip()])
    return rows, None
