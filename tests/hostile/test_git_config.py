"""A target's git config names a program (or a lazy-fetch remote): inspector must never run it.

Every case is checked twice. The control runs plain git in the hostile repository, the way any
tool that trusts the repository would, and must create the marker (or reach the server): it
proves the config is live on this machine's git. Then inspector scans the same repository as a
local directory and as each archive kind, and the marker must be absent, no request may reach
the server, and the scan must still end with a verdict.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from inspector.model import Verdict
from tests.hostile.conftest import ARCHIVE_KINDS, Marker, Server, git, git_on_tty, package

SIGNATURES = {
    "pgp": "-----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEexample\n =abcd\n -----END PGP SIGNATURE-----",
    "ssh": "-----BEGIN SSH SIGNATURE-----\n U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTk\n -----END SSH SIGNATURE-----",
}


def _base_repo(root: Path) -> Path:
    repo = root / "lure"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "index.js").write_text("console.log('hello')\n")
    (repo / ".gitattributes").write_text("*.js diff=lure filter=lure\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    (repo / "README.md").write_text("please run me\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second")
    return repo


def _signed_head(repo: Path, kind: str) -> None:
    """Make HEAD a commit with a gpgsig header, which log.showSignature hands to the gpg program."""
    tree = git(repo, "rev-parse", "HEAD^{tree}").stdout.strip()
    parent = git(repo, "rev-parse", "HEAD").stdout.strip()
    body = (
        f"tree {tree}\nparent {parent}\nauthor A <a@example.test> 1700000000 +0000\n"
        f"committer A <a@example.test> 1700000000 +0000\ngpgsig {SIGNATURES[kind]}\n\nsigned\n"
    )
    sha = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", "--literally", input_text=body).stdout.strip()
    git(repo, "update-ref", "HEAD", sha)


def _append_config(repo: Path, text: str) -> None:
    config = repo / ".git" / "config"
    config.write_text(config.read_text() + text)


@dataclass(frozen=True)
class Case:
    """One program-valued key: how to plant it, and the plain-git command that would run it."""

    plant: Callable[[Path, Marker, Server], None]
    control: tuple[str, ...]
    on_tty: bool = False  # the control needs a terminal (a pager starts only for one)


def _gpg(repo: Path, marker: Marker, server: Server) -> None:
    _signed_head(repo, "pgp")
    _append_config(repo, f"[gpg]\n\tprogram = {marker.script}\n[log]\n\tshowSignature = true\n")


def _gpg_ssh(repo: Path, marker: Marker, server: Server) -> None:
    _signed_head(repo, "ssh")
    allowed = repo.parent / "allowed_signers"
    allowed.write_text("a@example.test ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExample\n")
    _append_config(
        repo,
        f"[gpg]\n\tformat = ssh\n[gpg \"ssh\"]\n\tprogram = {marker.script}\n\tallowedSignersFile = {allowed}\n"
        "[log]\n\tshowSignature = true\n",
    )


def _fsmonitor(repo: Path, marker: Marker, server: Server) -> None:
    _append_config(repo, f"[core]\n\tfsmonitor = {marker.script}\n")


def _ssh_command(repo: Path, marker: Marker, server: Server) -> None:
    _append_config(repo, f"[core]\n\tsshCommand = {marker.shell}\n[remote \"origin\"]\n\turl = ssh://lure.invalid/x.git\n")


def _pager(repo: Path, marker: Marker, server: Server) -> None:
    _append_config(repo, f"[core]\n\tpager = {marker.shell}\n[pager]\n\tlog = true\n")


def _textconv(repo: Path, marker: Marker, server: Server) -> None:
    _append_config(repo, f"[diff \"lure\"]\n\ttextconv = {marker.script}\n[log]\n\tdiffMerges = on\n")


def _filter(repo: Path, marker: Marker, server: Server) -> None:
    _append_config(repo, f"[filter \"lure\"]\n\tclean = {marker.shell}\n\tsmudge = {marker.shell}\n")
    (repo / "index.js").write_text("console.log('changed')\n")  # a dirty file: status and diff run clean


def _filter_process(repo: Path, marker: Marker, server: Server) -> None:
    _append_config(repo, f"[filter \"lure\"]\n\tprocess = {marker.script}\n")
    (repo / "index.js").write_text("console.log('changed')\n")


def _credential_helper(repo: Path, marker: Marker, server: Server) -> None:
    _append_config(repo, f"[credential]\n\thelper = \"!{marker.shell}\"\n[remote \"origin\"]\n\turl = {server.url}\n")


def _hooks(repo: Path, marker: Marker, server: Server) -> None:
    hooks = repo / ".lure-hooks"
    hooks.mkdir()
    for where in (hooks, repo / ".git" / "hooks"):
        for name in ("pre-commit", "post-checkout", "post-merge", "reference-transaction", "post-index-change"):
            (where / name).write_text(f"#!/bin/sh\n{marker.shell}\n")
            (where / name).chmod(0o755)
    _append_config(repo, "[core]\n\thooksPath = .lure-hooks\n")


def _include(repo: Path, marker: Marker, server: Server) -> None:
    """The program is named in another file the config includes."""
    _signed_head(repo, "pgp")
    included = repo / ".git" / "lure.inc"
    included.write_text(f"[gpg]\n\tprogram = {marker.script}\n[log]\n\tshowSignature = true\n")
    _append_config(repo, "[include]\n\tpath = lure.inc\n")


CASES = {
    "gpg.program": Case(_gpg, ("log", "-1")),
    "gpg.ssh.program": Case(_gpg_ssh, ("log", "-1")),
    "core.fsmonitor": Case(_fsmonitor, ("status",)),
    "core.sshCommand": Case(_ssh_command, ("fetch", "-q", "origin")),
    "core.pager": Case(_pager, ("-p", "log", "-1"), on_tty=True),
    "diff.textconv": Case(_textconv, ("log", "-p", "-2")),
    "filter.clean-smudge": Case(_filter, ("diff",)),
    "filter.process": Case(_filter_process, ("diff",)),
    "credential.helper": Case(_credential_helper, ("fetch", "-q", "origin")),
    "core.hooksPath": Case(_hooks, ("commit", "-q", "--allow-empty", "-m", "x")),
    "include.path": Case(_include, ("log", "-1")),
}


def _hostile_repo(tmp_path: Path, name: str, marker: Marker, server: Server) -> Path:
    repo = _base_repo(tmp_path / "src")
    CASES[name].plant(repo, marker, server)
    return repo


@pytest.mark.parametrize("name", sorted(CASES))
def test_control_plain_git_runs_the_planted_program(tmp_path, marker, http_server, name):
    repo = _hostile_repo(tmp_path, name, marker, http_server)
    if CASES[name].on_tty:
        git_on_tty(repo, *CASES[name].control)
    else:
        git(repo, *CASES[name].control, check=False)
    ran = marker.path.exists() or (name == "credential.helper" and http_server.requests)
    if not ran and name == "gpg.ssh.program":
        pytest.skip("this git does not hand an SSH signature to gpg.ssh.program without a valid key line")
    assert ran, f"the planted {name} did not run under plain git: the hostile case is not live"


@pytest.mark.parametrize("kind", ARCHIVE_KINDS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_scan_never_runs_the_targets_program(tmp_path, marker, http_server, scan, name, kind):
    repo = _hostile_repo(tmp_path, name, marker, http_server)
    target = package(repo, kind, tmp_path / "archives")
    report = scan(target)
    assert not marker.path.exists(), f"{name} ran a program of the target's on the host ({kind})"
    assert http_server.requests == [], f"{name}: the target made inspector send {http_server.requests}"
    assert report.verdict in set(Verdict)
    history = report.target.history
    assert history is not None and history.commit_count >= 2, report.skipped


def _partial_clone(tmp_path: Path, marker: Marker, server: Server) -> Path:
    """A partial clone whose first commit is missing; its promisor remote is the test's server,
    and a credential helper runs a shell command when that server asks for a password."""
    repo = _base_repo(tmp_path / "src")
    first = git(repo, "rev-parse", "HEAD~1").stdout.strip()
    (repo / ".git" / "objects" / first[:2] / first[2:]).unlink()
    config = (repo / ".git" / "config").read_text()
    config = config.replace("repositoryformatversion = 0", "repositoryformatversion = 1")
    (repo / ".git" / "config").write_text(
        config
        + f"[extensions]\n\tpartialClone = origin\n[remote \"origin\"]\n\turl = {server.url}\n\tpromisor = true\n"
        f"\tpartialclonefilter = blob:none\n[credential]\n\thelper = \"!{marker.shell}\"\n"
    )
    return repo


def test_control_plain_git_fetches_the_missing_object(tmp_path, marker, http_server):
    repo = _partial_clone(tmp_path, marker, http_server)
    git(repo, "log", check=False, env={"GIT_TERMINAL_PROMPT": "0"})
    assert http_server.requests, "plain git did not try the promisor remote: the hostile case is not live"


@pytest.mark.parametrize("kind", ARCHIVE_KINDS)
def test_partial_clone_fetches_nothing_and_still_gives_a_verdict(tmp_path, marker, http_server, scan, kind):
    repo = _partial_clone(tmp_path, marker, http_server)
    report = scan(package(repo, kind, tmp_path / "archives"))
    assert http_server.requests == [], f"a lazy fetch reached the server: {http_server.requests}"
    assert not marker.path.exists(), "the credential helper ran"
    assert report.verdict in set(Verdict)
    assert report.target.history is None
    assert [s.component for s in report.skipped if "history not read" in s.reason] == ["git history"]


def test_no_safe_directory_override_and_no_temp_dir_left(tmp_path, marker, http_server, scan, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    scan(_hostile_repo(tmp_path, "gpg.program", marker, http_server))
    assert list((tmp_path / "tmp").iterdir()) == [], "inspector left temporary directories behind"
    from inspector.acquire import gitcmd

    assert not any("safe.directory" in option for option in gitcmd.hardening_config(tmp_path))


@pytest.mark.parametrize("shape", ["fifo-in-pack", "link-as-object-dir", "git-is-a-file"])
def test_special_entries_in_objects_make_history_not_done(tmp_path, marker, http_server, scan, shape):
    """A FIFO would hang git, a link would lead it elsewhere: the history is skipped, loudly."""
    repo = _base_repo(tmp_path / "src")
    objects = repo / ".git" / "objects"
    if shape == "fifo-in-pack":
        os.mkfifo(objects / "pack" / "pack-0000.pack")
    elif shape == "link-as-object-dir":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (objects / "ff").symlink_to(elsewhere)
    else:
        shutil.rmtree(repo / ".git")
        (repo / ".git").write_text(f"gitdir: {tmp_path}\n")
    report = scan(repo)
    assert report.verdict in set(Verdict) and report.target.history is None
    (skipped,) = [s for s in report.skipped if s.component == "git history"]
    assert "history not read" in skipped.reason
