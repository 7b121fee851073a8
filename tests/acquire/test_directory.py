from __future__ import annotations

from pathlib import Path

import pytest

from inspector.acquire import AcquireOptions, acquire
from inspector.errors import AcquireError


def test_local_repo_is_read_without_running_its_hooks(tmp_path, hostile_repo, hooks_everywhere):
    repo, marker = hostile_repo
    # core.fsmonitor is a command git would run on index refresh: a planted one must not run.
    (repo / ".git" / "config").write_text(
        (repo / ".git" / "config").read_text() + f"[core]\n\tfsmonitor = touch {marker}\n"
    )
    for copy in (False, True):
        target = acquire(str(repo), AcquireOptions(workdir=tmp_path / "q", copy_directories=copy)).target
        assert target.kind == "directory"
        assert target.history is not None and target.history.commit_count == 2
        assert {link.path for link in target.links} == {"inside-link", "escaping-link"}
    assert not marker.exists() and not hooks_everywhere.exists()


def test_copy_keeps_links_as_links(tmp_path, hostile_repo):
    repo, _ = hostile_repo
    target = acquire(str(repo), AcquireOptions(workdir=tmp_path / "q", copy_directories=True)).target
    copied = Path(target.path) / "escaping-link"
    assert copied.is_symlink() and Path(target.path).is_relative_to(tmp_path / "q")


def test_missing_path_is_one_clear_error(tmp_path):
    with pytest.raises(AcquireError, match="no such file or directory"):
        acquire(str(tmp_path / "nope"), AcquireOptions(workdir=tmp_path / "q"))
