"""Hostile inputs built at run time: repositories whose git config names a program, archives of
them, and a loopback HTTP server of the test's own that counts every request it receives."""

from __future__ import annotations

import http.server
import os
import pty
import subprocess
import tarfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from inspector import pipeline
from inspector.acquire import safefs
from inspector.model import Report
from inspector.progress import SilentProgress

GIT_ENV = {
    "GIT_AUTHOR_NAME": "A",
    "GIT_AUTHOR_EMAIL": "a@example.test",
    "GIT_COMMITTER_NAME": "A",
    "GIT_COMMITTER_EMAIL": "a@example.test",
    "GIT_CONFIG_NOSYSTEM": "1",
}
ARCHIVE_KINDS = ("directory", "zip", "tar", "tar.gz")


def git_on_tty(cwd: Path, *args: str) -> None:
    """Plain git with a terminal on stdout (git only starts a pager for a terminal)."""
    leader, follower = pty.openpty()
    try:
        home = cwd.parent / "git-home"
        home.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PAGER"))}
        subprocess.run(
            ["git", *args], cwd=cwd, env={**env, **GIT_ENV, "HOME": str(home)}, stdout=follower,
            stderr=follower, stdin=subprocess.DEVNULL, timeout=60, check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)


def git(
    cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Plain git, as a user (or the old inspector) would run it: the repository's config applies."""
    home = cwd.parent / "git-home"
    home.mkdir(exist_ok=True)
    full_env = {**os.environ, **GIT_ENV, "HOME": str(home), **(env or {})}
    for key in [k for k in full_env if k.startswith("GIT_") and k not in GIT_ENV and k not in (env or {})]:
        del full_env[key]
    return subprocess.run(
        ["git", *args], cwd=cwd, env=full_env, capture_output=True, text=True, check=check, timeout=60,
        input=input_text if input_text is not None else "",
    )


def package(repo: Path, kind: str, out_dir: Path) -> Path:
    """The repository (with its .git) as a local directory or an archive of the given kind."""
    if kind == "directory":
        return repo
    out_dir.mkdir(parents=True, exist_ok=True)
    if kind == "zip":
        path = out_dir / "lure.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(repo.rglob("*")):
                if file.is_file() and not file.is_symlink():
                    archive.write(file, f"lure/{file.relative_to(repo).as_posix()}")
        return path
    path = out_dir / ("lure.tar" if kind == "tar" else "lure.tar.gz")
    with tarfile.open(path, "w" if kind == "tar" else "w:gz") as archive:
        archive.add(repo, arcname="lure")
    return path


def nest(base: Path, depth: int, leaf: str) -> None:
    """``depth`` nested directories ``d/d/...`` holding an empty file ``leaf``, made through descriptors
    (the path can be far past PATH_MAX)."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            child = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        with safefs.closing_fd(os.open(leaf, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)):
            pass
    finally:
        os.close(fd)


def remove_nested(base: Path, leaf: str) -> None:
    """Undo :func:`nest`. shutil.rmtree (pytest's clean-up) recurses once per level on 3.11: lift the
    chain one level at a time instead (rename d/d over d)."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        while True:
            try:
                os.rename("d/d", "lifted", src_dir_fd=fd, dst_dir_fd=fd)
            except FileNotFoundError:
                break
            os.rmdir("d", dir_fd=fd)
            os.rename("lifted", "d", src_dir_fd=fd, dst_dir_fd=fd)
        os.unlink(f"d/{leaf}", dir_fd=fd)
        os.rmdir("d", dir_fd=fd)
    finally:
        os.close(fd)


@pytest.fixture
def scan(tmp_path: Path) -> Callable[[Path], Report]:
    """A whole `inspector scan --no-semgrep --offline` in process, with its own directories."""
    settings = pipeline.Settings(workdir=tmp_path / "quarantine", data_dir=tmp_path / "data", cache_dir=tmp_path / "c")

    def run(target: Path) -> Report:
        request = pipeline.ScanRequest(target=str(target), semgrep=False, offline=True)
        return pipeline.scan(request, settings, SilentProgress())

    return run


@dataclass
class Marker:
    path: Path
    script: Path  # an executable that creates the marker, at a path outside the target

    @property
    def shell(self) -> str:
        return f"touch {self.path}"


@pytest.fixture
def marker(tmp_path: Path) -> Marker:
    path = tmp_path / "TARGET-RAN-A-PROGRAM"
    script = tmp_path / "tools" / "tools.sh"
    script.parent.mkdir()
    script.write_text(f"#!/bin/sh\ntouch {path}\nexit 1\n")
    script.chmod(0o755)
    return Marker(path, script)


class CountingHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request 401 with a Basic challenge (so git would ask a credential helper)."""

    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(f"GET {self.path}")
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="lure"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        return None


@dataclass
class Server:
    url: str
    requests: list[str]


@pytest.fixture
def http_server() -> Iterator[Server]:
    """A loopback HTTP server of the test's own; every request it sees is recorded."""
    requests: list[str] = []
    handler = type("Handler", (CountingHandler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{server.server_address[1]}/lure.git", requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
