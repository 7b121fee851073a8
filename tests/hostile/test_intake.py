"""Hostile file shapes in a local directory or an archive: nothing is opened that is not a regular
file, nothing is followed, nothing crashes, and every limit stops with one line naming its option."""

from __future__ import annotations

import io
import os
import socket
import stat
import subprocess
import tarfile
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.acquire import AcquireOptions, Limits, acquire, safefs
from inspector.acquire.intake import CopyWalk
from inspector.errors import AcquireError
from inspector.model import Verdict
from tests.hostile.conftest import nest, remove_nested

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="LOUD SKIP: device nodes and tmpfs mounts need root (os.mknod, mount)")


def _options(tmp_path: Path, copy: bool = False, **limits: int) -> AcquireOptions:
    return AcquireOptions(workdir=tmp_path / "q", copy_directories=copy, limits=Limits(**limits))


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "lure"
    root.mkdir()
    (root / "index.js").write_text("console.log(1)\n")
    return root


def _rules(acquired) -> list[str]:
    return sorted(f.rule for f in acquired.findings)


# ----------------------------------------------------------------- devices, FIFOs, sockets


@needs_root
@pytest.mark.parametrize("copy", [False, True], ids=["in-place", "copy"])
def test_character_device_is_listed_and_never_read(tmp_path, copy):
    root = _tree(tmp_path)
    os.mknod(root / "zero-device.js", stat.S_IFCHR | 0o644, os.makedev(1, 5))  # like /dev/zero
    acquired = acquire(str(root), _options(tmp_path, copy))
    assert _rules(acquired) == ["repository.special-file"]
    assert "character device" in acquired.findings[0].message
    assert acquired.target.file_count == 1
    if copy:
        assert not (Path(acquired.target.path) / "zero-device.js").exists()


@needs_root
def test_device_copy_fits_in_a_small_tmpfs(tmp_path):
    """The copy of a tree holding /dev/zero look-alikes lands in a 4 MB tmpfs without filling it."""
    root = _tree(tmp_path)
    for index in range(4):
        os.mknod(root / f"zero-{index}.js", stat.S_IFCHR | 0o644, os.makedev(1, 5))
    quarantine = tmp_path / "small"
    quarantine.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(quarantine)], check=False)
    if mounted.returncode != 0:
        pytest.skip("LOUD SKIP: could not mount a tmpfs here")
    try:
        acquired = acquire(str(root), AcquireOptions(workdir=quarantine, copy_directories=True))
        assert len(acquired.findings) == 4
        usage = os.statvfs(quarantine)
        assert (usage.f_blocks - usage.f_bfree) * usage.f_frsize < 1024 * 1024
    finally:
        subprocess.run(["umount", str(quarantine)], check=True)


@pytest.mark.parametrize("copy", [False, True], ids=["in-place", "copy"])
def test_fifo_and_socket_are_listed_and_never_opened(tmp_path, copy):
    root = _tree(tmp_path)
    os.mkfifo(root / "pipe.js")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "s.sock"))
        acquired = acquire(str(root), _options(tmp_path, copy))
    kinds = sorted(f.evidence for f in acquired.findings)
    assert kinds == ["pipe.js: FIFO", "s.sock: socket"]


def test_fifo_swapped_in_after_listing_is_refused_by_fstat(tmp_path):
    root = _tree(tmp_path)
    os.mkfifo(root / "late.js")
    with safefs.closing_fd(safefs.open_dir(root)) as fd, pytest.raises(safefs.UnsafePath, match="FIFO"):
        safefs.open_regular("late.js", dir_fd=fd)  # O_NONBLOCK: the open itself does not wait


def test_reads_stop_at_the_limit_on_an_endless_source():
    with open("/dev/zero", "rb") as zero:  # noqa: PTH123 - a raw descriptor is the point
        chunks = list(safefs.fd_chunks(zero.fileno(), 3 * 1024 * 1024))
    assert sum(len(c) for c in chunks) == 3 * 1024 * 1024 + 1


def test_copy_stops_at_the_file_limit_even_if_the_file_grew(tmp_path):
    """The copy trusts the bytes it reads, not the size the listing saw."""
    root = _tree(tmp_path)
    (root / "grows.js").write_bytes(b"a" * 10_000)
    dest = tmp_path / "dest"
    dest.mkdir()
    listed_small = os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, 10, 0, 0, 0))
    with safefs.closing_fd(safefs.open_dir(root)) as src, safefs.closing_fd(safefs.open_dir(dest)) as out:
        walk = CopyWalk(Limits(max_file_bytes=4096), out)
        with pytest.raises(safefs.TooLarge):
            walk.take_file(src, "grows.js", "grows.js", listed_small, out)
    assert (dest / "grows.js").stat().st_size <= 4096


# ----------------------------------------------------------------- limits


@pytest.mark.parametrize(
    ("limits", "option"),
    [
        ({"max_files": 5}, "--max-files"),
        ({"max_bytes": 1000}, "--max-size"),
        ({"max_file_bytes": 100}, "--max-file-size"),
    ],
)
@pytest.mark.parametrize("copy", [False, True], ids=["in-place", "copy"])
def test_directory_limits_name_their_option(tmp_path, limits, option, copy):
    root = _tree(tmp_path)
    for index in range(10):
        (root / f"f{index}.js").write_bytes(b"x" * 200)
    with pytest.raises(AcquireError) as caught:
        acquire(str(root), _options(tmp_path, copy, **limits))
    assert option in caught.value.fix and "over the limit" in caught.value.message
    assert not (tmp_path / "q").exists() or list((tmp_path / "q").iterdir()) == []


def test_cli_limit_is_one_line_exit_2(tmp_path):
    from tests.cli.conftest import INSPECTOR

    root = _tree(tmp_path)
    for index in range(10):
        (root / f"f{index}.js").write_text("1\n")
    done = subprocess.run(
        [INSPECTOR, "scan", str(root), "--no-semgrep", "--offline", "--max-files", "3"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path / "d")},
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error:") and "--max-files" in done.stderr


# ----------------------------------------------------------------- links, loops, nesting, names


@pytest.mark.parametrize("copy", [False, True], ids=["in-place", "copy"])
def test_link_loops_are_recorded_not_followed(tmp_path, copy):
    root = _tree(tmp_path)
    (root / "self").symlink_to("self")
    (root / "ping").symlink_to("pong")
    (root / "pong").symlink_to("ping")
    (root / "up").symlink_to("..")
    acquired = acquire(str(root), _options(tmp_path, copy))
    links = {link.path: link for link in acquired.target.links}
    assert set(links) == {"self", "ping", "pong", "up"}
    assert links["up"].escapes and not links["self"].escapes


@pytest.fixture
def deep_tree(tmp_path: Path) -> Iterator[Path]:
    root = _tree(tmp_path)
    nest(root, 20_000, "deep.js")
    try:
        yield root
    finally:
        remove_nested(root, "deep.js")


@pytest.mark.parametrize("copy", [False, True], ids=["in-place", "copy"])
def test_twenty_thousand_nested_directories_are_cut_with_a_finding(tmp_path, deep_tree, copy):
    acquired = acquire(str(deep_tree), _options(tmp_path, copy))
    cut = [f for f in acquired.findings if f.rule == "analysis.depth-cut"]
    assert len(cut) == 1 and "analysis cut at 256 levels" in cut[0].message
    assert acquired.target.file_count == 1  # index.js; deep.js is below the cut


def test_names_that_are_not_utf8_are_shown_escaped(tmp_path):
    root = _tree(tmp_path)
    raw = os.fsencode(root) + b"/bad-\xff\xfe.js"
    with open(raw, "wb") as out:  # noqa: PTH123 - a bytes path
        out.write(b"1\n")
    os.symlink(b"target-\xff", os.fsencode(root) + b"/link-\xfe")  # noqa: PTH211 - bytes paths
    acquired = acquire(str(root), _options(tmp_path, copy=True))
    assert acquired.target.file_count == 2
    (link,) = acquired.target.links
    assert link.path == "link-\\xfe" and link.points_to == "target-\\xff"
    assert (Path(acquired.target.path) / os.fsdecode(b"bad-\xff\xfe.js")).is_file()


def test_scan_of_a_hostile_directory_gives_a_verdict(tmp_path, scan):
    root = _tree(tmp_path)
    os.mkfifo(root / "pipe.js")
    (root / "self").symlink_to("self")
    report = scan(root)
    assert report.verdict in set(Verdict)
    assert "repository.special-file" in {f.rule for f in report.findings}


# ----------------------------------------------------------------- archives


def _tar(path: Path, members: list[tarfile.TarInfo], mode: str = "w") -> Path:
    with tarfile.open(path, mode) as archive:
        for info in members:
            archive.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return path


def _info(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "", size: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.size = size
    return info


def test_cve_2025_4517_link_chain_past_path_max_writes_nothing_outside(tmp_path):
    """16 nested 247-character directories, each shadowed by a one-letter link, then a link
    climbing out through them and a file written through it (the published PoC's shape)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    component = "d" * 247
    steps = "abcdefghijklmnop"
    members: list[tarfile.TarInfo] = []
    path = ""
    for step in steps:
        members.append(_info(os.path.join(path, component), tarfile.DIRTYPE))  # noqa: PTH118
        members.append(_info(os.path.join(path, step), tarfile.SYMTYPE, component))  # noqa: PTH118
        path = os.path.join(path, component)  # noqa: PTH118
    link_path = os.path.join(*steps, "l" * 254)  # noqa: PTH118
    members.append(_info(link_path, tarfile.SYMTYPE, "../" * len(steps)))
    members.append(_info("escape", tarfile.SYMTYPE, f"{link_path}/../../../../../../../../../..{outside}"))
    members.append(_info("escape/pwned", size=6))
    archive = _tar(tmp_path / "cve.tar", members)
    with pytest.raises(AcquireError, match="refused"):
        acquire(str(archive), _options(tmp_path))
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "q").exists() or list((tmp_path / "q").iterdir()) == []


@pytest.mark.parametrize(
    "links",
    [{"a/self": "self"}, {"a/ping": "pong", "a/pong": "ping"}, {"a/one": "two", "a/two": "file"}],
    ids=["self-loop", "pair-loop", "chain"],
)
@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_archive_link_loops_and_chains_are_refused(tmp_path, links, kind):
    if kind == "zip":
        archive = tmp_path / "a.zip"
        with zipfile.ZipFile(archive, "w") as out:
            out.writestr("a/file", "x")
            for name, target in links.items():
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                out.writestr(info, target)
    else:
        members = [_info("a/file", size=1)] + [_info(n, tarfile.SYMTYPE, t) for n, t in links.items()]
        archive = _tar(tmp_path / "a.tar", members)
    with pytest.raises(AcquireError, match="another link"):
        acquire(str(archive), _options(tmp_path))


def test_archive_file_written_through_a_link_is_refused(tmp_path):
    archive = _tar(tmp_path / "a.tar", [_info("a/dir", tarfile.SYMTYPE, "sub"), _info("a/dir/x.js", size=1)])
    with pytest.raises(AcquireError, match="through the link"):
        acquire(str(archive), _options(tmp_path))


def test_tar_headers_are_counted_while_streaming(tmp_path):
    archive = tmp_path / "many.tar.gz"
    _tar(archive, [_info(f"m/{index}") for index in range(20_000)], mode="w:gz")
    tracemalloc.start()
    try:
        with pytest.raises(AcquireError) as caught:
            acquire(str(archive), _options(tmp_path, max_files=1000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "--max-files" in caught.value.fix
    assert peak < 8 * 1024 * 1024, f"{peak} bytes held while reading headers"


def test_zip_entries_are_counted_before_zipfile_parses_them(tmp_path):
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for index in range(5000):
            out.writestr(f"m/{index}", "")
    with pytest.raises(AcquireError) as caught:
        acquire(str(archive), _options(tmp_path, max_files=100))
    assert "members in the archive" in caught.value.message and "--max-files" in caught.value.fix


def test_archive_member_over_the_file_limit_names_its_option(tmp_path):
    archive = _tar(tmp_path / "a.tar", [_info("a/big.js", size=5000)])
    with pytest.raises(AcquireError) as caught:
        acquire(str(archive), _options(tmp_path, max_file_bytes=1000))
    assert "--max-file-size" in caught.value.fix


def test_archive_deep_members_are_cut_with_a_finding(tmp_path):
    archive = _tar(tmp_path / "a.tar", [_info("/".join(["d"] * 300) + "/x.js", size=1), _info("top.js", size=1)])
    acquired = acquire(str(archive), _options(tmp_path))
    assert [f.rule for f in acquired.findings] == ["analysis.depth-cut"]
    assert acquired.target.file_count == 1


def test_archive_names_that_are_not_utf8_are_unpacked(tmp_path):
    archive = tmp_path / "a.tar"
    with tarfile.open(archive, "w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape") as out:
        info = _info(os.fsdecode(b"p/bad-\xff.js"), size=1)
        out.addfile(info, io.BytesIO(b"x"))
    acquired = acquire(str(archive), _options(tmp_path))
    assert acquired.target.file_count == 1


def test_installed_node_modules_do_not_count_against_the_limits(tmp_path):
    """A working tree whose index does not list node_modules/ (installed, not sent): not counted,
    as the static stage does not scan it either; the same folder in a plain directory counts."""
    from tests.hostile.conftest import git

    root = _tree(tmp_path)
    installed = root / "node_modules" / "dep"
    installed.mkdir(parents=True)
    for index in range(50):
        (installed / f"{index}.js").write_text("1\n")
    with pytest.raises(AcquireError, match="over the limit"):
        acquire(str(root), _options(tmp_path, max_files=20))
    git(root, "init", "-q")
    git(root, "add", "index.js")
    acquired = acquire(str(root), _options(tmp_path, max_files=20))
    assert acquired.target.file_count == 1
