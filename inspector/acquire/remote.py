"""A git remote: a shallow, hook-less clone into the quarantine, watched for size and time.

The clone is made with ``--no-checkout``; the commit's tree is then listed (streamed, stopped at
the limit) and checked out only when its file count and size are within the limits, so a git
bomb (a 100 KB repository whose tree expands to a million files) is refused before it is written.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import git

from inspector.acquire.gitcmd import git_env, hardened_git, hardening_config
from inspector.acquire.interface import Acquired, Limits, Source
from inspector.acquire.inventory import describe
from inspector.acquire.safefs import limit_error
from inspector.errors import AcquireError

SCP_LIKE = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/].*$")
URL_SCHEMES = ("https://", "http://", "ssh://", "git://")


def is_git_url(text: str) -> bool:
    return text.startswith(URL_SCHEMES) or bool(SCP_LIKE.match(text))


def redact(url: str) -> str:
    """Drop credentials from a URL before it is written into a report."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url


def _tree_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_symlink() and p.is_file())


class GitRemoteSource(Source):
    kind = "git"

    def __init__(self, url: str, *, depth: int, limits: Limits, poll_s: float = 0.5) -> None:
        if url.startswith("-"):
            raise AcquireError(f"{url!r} is not a repository URL", "give an https or ssh git URL")
        self.url = url
        self.depth = depth
        self.limits = limits
        self.poll_s = poll_s

    def fetch(self, quarantine: Path) -> Acquired:
        dest = quarantine / "repo"
        if dest.exists():
            shutil.rmtree(dest)
        with tempfile.TemporaryDirectory(prefix="inspector-git-template-") as template:
            self._clone(dest, Path(template))
            try:
                self._check_tree(dest, Path(template))
                checkout = hardened_git(Path(template), dest)
                checkout.checkout("-q", "-f", "HEAD", kill_after_timeout=self.limits.timeout_s)
            except AcquireError:
                shutil.rmtree(dest, ignore_errors=True)
                raise
            except git.GitCommandError as exc:
                shutil.rmtree(dest, ignore_errors=True)
                raise AcquireError(
                    f"checkout of {redact(self.url)} failed: {str(exc.stderr).strip()[:300]}", "check the repository"
                ) from None
        return describe(dest, kind=self.kind, source=redact(self.url), limits=self.limits, remote_url=redact(self.url))

    def _check_tree(self, dest: Path, template: Path) -> None:
        """Count the commit's files and bytes from the tree listing before anything is written."""
        g = hardened_git(template, dest)
        proc = g.ls_tree("-r", "-l", "-z", "--full-tree", "HEAD", as_process=True)
        files = 0
        total = 0
        pending = b""
        stream = proc.proc.stdout if proc.proc is not None else None
        try:
            while stream is not None and (chunk := stream.read(1 << 16)):
                *entries, pending = (pending + chunk).split(b"\0")
                for entry in entries:
                    files += 1
                    size = entry.split(b"\t", 1)[0].split()[-1]
                    total += int(size) if size.isdigit() else 0
                if files > self.limits.max_files:
                    raise limit_error(f"clone of {redact(self.url)} refused: files in the tree", files,
                                      self.limits.max_files, "--max-files")
                if total > self.limits.max_bytes:
                    raise limit_error(f"clone of {redact(self.url)} refused: bytes in the tree", total,
                                      self.limits.max_bytes, "--max-size")
        finally:
            if proc.proc is not None:
                proc.proc.kill()
                proc.proc.wait()

    def _clone(self, dest: Path, template: Path) -> None:
        argv = [
            "git", *(arg for pair in hardening_config(template) for arg in ("-c", pair)),
            "clone", "--no-checkout", "--no-recurse-submodules", "--no-tags", "--single-branch",
            *([f"--depth={self.depth}"] if self.depth > 0 else []), "--", self.url, str(dest),
        ]
        with tempfile.TemporaryFile() as stderr:
            try:
                # Its own session, so the whole group (git-remote-https, ssh) can be killed at once.
                proc = subprocess.Popen(
                    argv, env=git_env(template), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=stderr, start_new_session=True,
                )
            except FileNotFoundError:
                raise AcquireError("git is not installed", "install git (Debian: apt-get install git)") from None
            try:
                self._watch(proc, dest)
            finally:
                # Refused, or a signal arrived: git and its helpers must not outlive us.
                if proc.poll() is None or proc.returncode != 0:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            stderr.seek(0)
            detail_text = stderr.read(64 * 1024).decode(errors="replace").strip()
        if proc.returncode != 0:
            shutil.rmtree(dest, ignore_errors=True)
            detail = detail_text.splitlines()[-1] if detail_text else f"git exited {proc.returncode}"
            raise AcquireError(
                f"could not clone {redact(self.url)}: {detail[:300]}",
                "check the URL and your network; private repos need your ssh key or a credential helper",
            )
        if not (dest / ".git").is_dir():
            raise AcquireError(f"clone of {redact(self.url)} produced no repository")

    def _watch(self, proc: subprocess.Popen[bytes], dest: Path) -> None:
        started = time.monotonic()
        while proc.poll() is None:
            too_big = dest.exists() and _tree_size(dest) > self.limits.max_bytes
            if time.monotonic() - started > self.limits.timeout_s or too_big:
                shutil.rmtree(dest, ignore_errors=True)
                if too_big:
                    raise AcquireError(
                        f"clone of {redact(self.url)} stopped: over {self.limits.max_bytes:,} bytes",
                        "if you trust its size, raise it with --max-size",
                    )
                raise AcquireError(
                    f"clone of {redact(self.url)} stopped: over {self.limits.timeout_s:.0f} s",
                    "retry on a faster link, or with --depth 1",
                )
            time.sleep(self.poll_s)


__all__ = ["GitRemoteSource", "is_git_url", "redact"]
