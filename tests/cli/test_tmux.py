"""The CLI in a real terminal, driven through tmux: what the reviewer actually sees on screen.

Each test starts its own tmux server (``-L`` socket of its own), runs the console script in a
100x30 pane, waits until the expected text is drawn and reads the pane back with capture-pane.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import EXAMPLES, INSPECTOR

pytestmark = pytest.mark.tmux

TMUX = shutil.which("tmux")
WHITESPACE_HIDDEN = EXAMPLES / "malicious" / "vite-cookie-whitespace"
LURE = EXAMPLES / "malicious" / "api-debug-lure"
HIDDEN_HOST = "ip-check-api-7d2c.vercel.test"


class Pane:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=30, check=True)
        return done.stdout

    def capture(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "t")

    def wait_for(self, text: str, wait_s: float = 240.0) -> str:
        """The pane once ``text`` is on it (a wait for readiness, not a timing bound on inspector)."""
        deadline = time.monotonic() + wait_s
        while True:
            screen = self.capture()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the pane shows:\n{screen}")
            time.sleep(0.5)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    if TMUX is None:
        pytest.skip("SKIPPED LOUDLY: tmux is not installed (apt-get install -y tmux; scripts/setup does it)")
    pane = Pane(f"inspector-test-{uuid.uuid4().hex[:12]}")
    yield pane
    subprocess.run([TMUX, "-L", pane.socket, "kill-server"], capture_output=True, timeout=30, check=False)


def _start(pane: Pane, tmp_path: Path, *args: str) -> None:
    env = {
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
        "LESS": "",
    }
    exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    # A detached pane starts at tmux's default size and is resized to -x/-y just after: wait for
    # it. The shell stays after the command, so the pane (and what it printed) is still there.
    command = f"sleep 1; env {exports} {shlex.join([INSPECTOR, *args])}; echo '== exited' $?; sleep 600"
    pane.tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "30", command)


def test_show_in_a_terminal_shows_the_marker_and_the_hidden_loader(pane, tmp_path):
    _start(pane, tmp_path, "show", str(WHITESPACE_HIDDEN), "public/vite.cookie.js:8", "--no-semgrep", "--offline")
    screen = pane.wait_for("spaces]")
    assert "[380 spaces]" in screen
    flat = "".join(screen.split())
    assert "fetch('https://jsonkeeper.com/b/Q0Q0Z')" in flat and "newFunction('require',d.cookie)" in flat
    assert "public/vite.cookie.js" in screen, screen
    pane.keys("q")
    assert "== exited 0" in pane.wait_for("== exited")


def test_vet_shows_the_static_verdict_and_hosts_before_asking_to_run(pane, tmp_path):
    _start(pane, tmp_path, "vet", str(LURE), "--offline", "--no-semgrep", "--output", str(tmp_path / "out"))
    screen = pane.wait_for("Run this in the disposable sandbox")
    static_at = screen.index("Static scan (nothing has run yet)")
    assert static_at < screen.index("MALICIOUS") < screen.index("Run plan") < screen.index("Run this")
    assert static_at < screen.index(HIDDEN_HOST) < screen.index("Run plan")  # the hosts table
    assert static_at < screen.index("Why") < screen.index("Run plan")
    pane.keys("n", "Enter")  # decline: nothing runs, and no container engine is needed
    pane.wait_for("Decision")
    pane.keys("Enter")
    screen = pane.wait_for("== exited")
    assert "Left pending" in screen
    assert "the run was declined at the prompt" in screen
