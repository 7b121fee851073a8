from __future__ import annotations

from pathlib import Path

import pytest

from inspector.acquire import AcquireOptions, acquire
from inspector.errors import AcquireError
from inspector.static.interface import RepoView


def test_clone_runs_no_hook_and_records_history(tmp_path, git_daemon, hooks_everywhere):
    target = acquire(git_daemon, AcquireOptions(workdir=tmp_path / "q")).target
    assert not hooks_everywhere.exists(), "a hook ran during the fetch"
    assert target.kind == "git"
    assert target.commit and len(target.commit) == 40
    assert target.history is not None and target.history.commit_count == 2
    assert target.history.authors == ("A",)
    assert target.branch == "main"
    assert Path(target.path).is_relative_to(tmp_path / "q")
    hooks = Path(target.path) / ".git" / "hooks"
    assert not any(p.name in ("post-checkout", "post-merge") for p in hooks.iterdir()) if hooks.exists() else True


def test_links_are_listed_and_never_read_through(tmp_path, git_daemon):
    target = acquire(git_daemon, AcquireOptions(workdir=tmp_path / "q")).target
    links = {link.path: link for link in target.links}
    assert links["escaping-link"].escapes and links["escaping-link"].points_to == "/etc/passwd"
    assert not links["inside-link"].escapes
    view = RepoView(Path(target.path), ())
    with pytest.raises(PermissionError):
        view.read("escaping-link")


def test_submodule_is_listed_not_fetched(tmp_path, git_daemon):
    target = acquire(git_daemon, AcquireOptions(workdir=tmp_path / "q")).target
    assert [(s.path, s.url) for s in target.submodules] == [("vendor/evil", "https://evil.invalid/x.git")]
    assert not (Path(target.path) / "vendor" / "evil").exists()


def test_shallow_clone_marks_history_truncated(tmp_path, git_daemon):
    target = acquire(git_daemon, AcquireOptions(workdir=tmp_path / "q", depth=1)).target
    assert target.history is not None
    assert target.history.commit_count == 1 and target.history.truncated


@pytest.mark.parametrize("url", ["file:///etc", "ext::sh -c touch% /tmp/pwned", "--upload-pack=touch /tmp/x"])
def test_dangerous_transports_are_refused(tmp_path, url):
    with pytest.raises(AcquireError):
        acquire(url, AcquireOptions(workdir=tmp_path / "q"))


def test_unreachable_url_is_one_clear_error(tmp_path):
    # Port 9 on loopback: nothing listens there, so nothing leaves the machine.
    with pytest.raises(AcquireError, match="could not clone"):
        acquire("git://127.0.0.1:9/nothing.git", AcquireOptions(workdir=tmp_path / "q"))


def test_credentials_are_redacted_from_the_record():
    from inspector.acquire.remote import redact

    assert redact("https://user:tok3n@example.test/o/r.git") == "https://example.test/o/r.git"
