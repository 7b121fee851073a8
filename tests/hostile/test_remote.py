"""Remote clones: a git bomb is refused before checkout, and a signal mid-clone exits 128+N with
git and its helpers killed and the quarantine removed. Servers are the test's own, on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.acquire import AcquireOptions, Limits, acquire
from inspector.errors import AcquireError
from tests.cli.conftest import INSPECTOR
from tests.gitserver import serve_git
from tests.hostile.conftest import git


def _mktree(repo: Path, entries: list[str]) -> str:
    return git(repo, "mktree", input_text="".join(f"{e}\n" for e in entries)).stdout.strip()


@pytest.fixture
def git_bomb(tmp_path: Path) -> Path:
    """A few-KB repository whose one commit expands to 40^3 = 64,000 files (same blob, shared trees)."""
    repo = tmp_path / "served" / "bomb"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    blob = git(repo, "hash-object", "-w", "--stdin", input_text="x\n").stdout.strip()
    tree = _mktree(repo, [f"100644 blob {blob}\tf{i}" for i in range(40)])
    for _level in range(2):
        tree = _mktree(repo, [f"040000 tree {tree}\td{i}" for i in range(40)])
    commit = git(repo, "commit-tree", tree, "-m", "bomb").stdout.strip()
    git(repo, "update-ref", "refs/heads/main", commit)
    return repo


@pytest.fixture
def bomb_url(git_bomb: Path) -> Iterator[str]:
    with serve_git(git_bomb.parent) as base:
        yield f"{base}/bomb"


def test_git_bomb_is_refused_before_checkout(tmp_path, bomb_url):
    with pytest.raises(AcquireError) as caught:
        acquire(bomb_url, AcquireOptions(workdir=tmp_path / "q", limits=Limits(max_files=10_000)))
    assert "files in the tree" in caught.value.message and "--max-files" in caught.value.fix
    assert list((tmp_path / "q").iterdir()) == []  # nothing checked out, nothing left


@pytest.fixture
def silent_server() -> Iterator[socket.socket]:
    """Accepts connections and never answers: a clone from it hangs until it is stopped."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(120)
    try:
        yield server
    finally:
        server.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_mid_clone_exits_128_plus_n_and_cleans_up(tmp_path, silent_server, signum):
    port = silent_server.getsockname()[1]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path / "d")}
    workdir = tmp_path / "q"
    url = f"http://127.0.0.1:{port}/lure.git"
    proc = subprocess.Popen(
        [INSPECTOR, "scan", url, "--no-semgrep", "--offline", "--workdir", str(workdir)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        connection, _ = silent_server.accept()  # the clone is under way: inspector is mid-run
        with connection:
            proc.send_signal(signum)
            _out, err = proc.communicate(timeout=120)
            # Drain what git sent until the peer closes: a git or helper left running would keep
            # the connection open and this recv would time out.
            connection.settimeout(60)
            while connection.recv(1 << 16):
                pass
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signum, err
    assert "Traceback" not in err and f"interrupted by {signal.Signals(signum).name}" in err
    assert list(workdir.iterdir()) == [], "the half-done fetch was left in the quarantine"
