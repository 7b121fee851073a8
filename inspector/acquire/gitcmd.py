"""The git command for cloning a remote (GitPython); history is read by :mod:`.history`.

A clone is the one git operation that talks to the target's server, so it keeps git's own
transport hardening: ``-c`` overrides that win over anything in the clone's config, no hooks
(``core.hooksPath=/dev/null`` and an empty template directory of the caller's), no LFS smudge,
no file/ext transports, no prompts, and no system config. There is no ``safe.directory``
override: the clone is a directory we created and own.
"""

from __future__ import annotations

import os
from pathlib import Path

import git

from inspector.errors import AcquireError

# file:// and local paths are refused for anything git would fetch on its own (submodules,
# alternates: CVE-2022-39253); ext:: would run a command of the remote's choosing.
ALLOWED_PROTOCOLS = "https:http:ssh:git"


def hardening_config(template_dir: Path) -> list[str]:
    pairs = {
        "core.hooksPath": "/dev/null",
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
        "init.templateDir": str(template_dir),
    }
    return [f"{key}={value}" for key, value in pairs.items()]


def git_env(template_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_LFS_SKIP_SMUDGE="1",
        GIT_ALLOW_PROTOCOL=ALLOWED_PROTOCOLS,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TEMPLATE_DIR=str(template_dir),
        GIT_ASKPASS="/bin/false",
        SSH_ASKPASS="/bin/false",
        GIT_SSH_COMMAND=os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
    )
    return env


def hardened_git(template_dir: Path, working_dir: Path | None = None) -> git.Git:
    """A GitPython command object with the hardening applied to every call it makes.

    ``template_dir`` is an empty directory the caller owns and removes (the clone's template).
    """
    try:
        g = git.Git(str(working_dir) if working_dir else None)
        g.set_persistent_git_options(c=hardening_config(template_dir))
        g.update_environment(**git_env(template_dir))
    except git.GitCommandNotFound:
        raise AcquireError("git is not installed", "install git (Debian: apt-get install git)") from None
    return g


def git_version() -> str:
    """For `inspector doctor`: git's version, asked with no repository and no config of ours."""
    try:
        return ".".join(str(part) for part in git.Git().version_info)
    except git.GitCommandNotFound:
        raise AcquireError("git is not installed", "install git (Debian: apt-get install git)") from None
