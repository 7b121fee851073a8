"""Every git invocation on a stranger's repository goes through here (GitPython).

The overrides are given as ``git -c`` options so they win over anything the repository's own
``.git/config`` says (hooksPath, fsmonitor, filters), and the environment is pinned so that
git never prompts, never runs an LFS smudge filter and never uses a dangerous transport.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

import git

from inspector.errors import AcquireError

# file:// and local paths are refused for anything git would fetch on its own (submodules,
# alternates: CVE-2022-39253); ext:: would run a command of the remote's choosing.
ALLOWED_PROTOCOLS = "https:http:ssh:git"


@cache
def empty_hooks_dir() -> str:
    """A directory with no hooks in it, for core.hooksPath and the clone template."""
    return tempfile.mkdtemp(prefix="inspector-nohooks-")


def hardening_config() -> list[str]:
    pairs = {
        "core.hooksPath": empty_hooks_dir(),
        "core.fsmonitor": "false",
        "core.symlinks": "true",  # links stay links; analyzers refuse to read through them
        "core.protectNTFS": "true",
        "core.protectHFS": "true",
        "protocol.file.allow": "never",
        "protocol.ext.allow": "never",
        "transfer.fsckObjects": "true",
        "fetch.fsckObjects": "true",
        "submodule.recurse": "false",
        "filter.lfs.smudge": "",
        "filter.lfs.process": "",
        "filter.lfs.required": "false",
        "init.templateDir": empty_hooks_dir(),
        "safe.directory": "*",
    }
    return [f"{key}={value}" for key, value in pairs.items()]


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_LFS_SKIP_SMUDGE="1",
        GIT_ALLOW_PROTOCOL=ALLOWED_PROTOCOLS,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TEMPLATE_DIR=empty_hooks_dir(),
        GIT_ASKPASS="/bin/false",
        SSH_ASKPASS="/bin/false",
        GIT_SSH_COMMAND=os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
    )
    return env


def hardened_git(working_dir: Path | None = None) -> git.Git:
    """A GitPython command object with the hardening applied to every call it makes."""
    try:
        g = git.Git(str(working_dir) if working_dir else None)
        g.set_persistent_git_options(c=hardening_config())
        g.update_environment(**git_env())
    except git.GitCommandNotFound:
        raise AcquireError("git is not installed", "install git (Debian: apt-get install git)") from None
    return g


def git_output(repo: Path, *args: str, timeout: float = 60.0) -> str:
    """Run a read-only git command in ``repo`` with the hardening applied; return stdout."""
    try:
        # Calling the sub-command by name (not execute()) is what applies the -c options.
        subcommand = args[0].replace("-", "_")
        out = getattr(hardened_git(repo), subcommand)(*args[1:], kill_after_timeout=timeout)
    except git.GitCommandNotFound:
        raise AcquireError("git is not installed", "install git (Debian: apt-get install git)") from None
    except git.GitCommandError as exc:
        raise AcquireError(f"git {args[0]} failed: {str(exc.stderr).strip()[:300]}") from None
    return str(out)
