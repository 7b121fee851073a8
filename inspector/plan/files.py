"""Reading manifests of the target as data: bounded, never through a link, never fatal."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

_MAX_MANIFEST_BYTES = 2 * 1024 * 1024


def read_text(root: Path, rel: str) -> str | None:
    path = root / rel
    if path.is_symlink() or not path.is_file() or path.stat().st_size > _MAX_MANIFEST_BYTES:
        return None
    if not path.resolve().is_relative_to(root.resolve()):
        return None
    return path.read_text(errors="replace")


def read_json(root: Path, rel: str) -> dict[str, Any] | None:
    text = read_text(root, rel)
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def read_toml(root: Path, rel: str) -> dict[str, Any] | None:
    text = read_text(root, rel)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def exists(root: Path, rel: str) -> bool:
    path = root / rel
    return path.is_file() and not path.is_symlink()
