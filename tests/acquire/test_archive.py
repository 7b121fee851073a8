from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from inspector.acquire import AcquireOptions, Limits, acquire
from inspector.errors import AcquireError


def _zip(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def _tar(path: Path, build) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        build(archive)
    return path


def _add(archive: tarfile.TarFile, name: str, data: bytes = b"x", **attrs) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    archive.addfile(info, io.BytesIO(data) if info.isfile() else None)


def _options(tmp_path: Path, **limits) -> AcquireOptions:
    return AcquireOptions(workdir=tmp_path / "q", limits=Limits(**limits))


def test_good_zip_unpacks_with_inert_permissions(tmp_path):
    archive = tmp_path / "lure.zip"
    with zipfile.ZipFile(archive, "w") as z:
        info = zipfile.ZipInfo("lure-main/run.sh")
        info.external_attr = (stat.S_IFREG | 0o4755) << 16
        z.writestr(info, "#!/bin/sh\necho hi\n")
        z.writestr("lure-main/src/index.js", "console.log(1)\n")
    target = acquire(str(archive), _options(tmp_path)).target
    root = Path(target.path)
    assert root.name == "lure-main"
    mode = (root / "run.sh").stat().st_mode
    assert not mode & (stat.S_ISUID | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    assert target.file_count == 2 and target.kind == "archive"


@pytest.mark.parametrize(
    "members",
    [{"../evil.js": b"x"}, {"a/../../evil.js": b"x"}, {"/etc/evil.js": b"x"}],
    ids=["dotdot", "nested-dotdot", "absolute"],
)
def test_zip_members_escaping_are_refused(tmp_path, members):
    archive = _zip(tmp_path / "a.zip", members)
    with pytest.raises(AcquireError, match="refused"):
        acquire(str(archive), _options(tmp_path))
    assert not (tmp_path / "evil.js").exists()


def test_zip_link_pointing_out_is_refused(tmp_path):
    archive = _zip(tmp_path / "a.zip", {"x/readme": b"x"}, links={"x/key": "../../../../home/u/.ssh/id_rsa"})
    with pytest.raises(AcquireError, match="points outside"):
        acquire(str(archive), _options(tmp_path))


def test_zip_link_inside_is_recorded_not_created(tmp_path):
    archive = _zip(tmp_path / "a.zip", {"x/readme": b"x"}, links={"x/alias": "readme"})
    target = acquire(str(archive), _options(tmp_path)).target
    # Archive links are listed for the reviewer and never created: nothing can follow them later.
    assert not (Path(target.path) / "alias").exists() and not (Path(target.path) / "alias").is_symlink()
    assert [(link.path, link.points_to, link.escapes) for link in target.links] == [("alias", "readme", False)]


def test_zip_bomb_is_refused(tmp_path):
    archive = _zip(tmp_path / "bomb.zip", {"zeros.bin": b"\0" * (64 * 1024 * 1024)})
    with pytest.raises(AcquireError, match="zip bomb"):
        acquire(str(archive), _options(tmp_path))


def test_archive_over_the_size_limit_is_refused(tmp_path):
    archive = _zip(tmp_path / "big.zip", {"a.js": b"a" * 5000, "b.js": b"b" * 5000})
    with pytest.raises(AcquireError, match="over the limit"):
        acquire(str(archive), _options(tmp_path, max_bytes=8000))


@pytest.mark.parametrize(
    "build",
    [
        lambda t: _add(t, "../evil.js"),
        lambda t: _add(t, "/tmp/evil.js"),
        lambda t: _add(t, "x/link", type=tarfile.SYMTYPE, linkname="/etc/passwd"),
        lambda t: _add(t, "x/link", type=tarfile.SYMTYPE, linkname="../../outside"),
        lambda t: _add(t, "x/hard", type=tarfile.LNKTYPE, linkname="/etc/passwd"),
        lambda t: _add(t, "x/dev", type=tarfile.CHRTYPE),
    ],
    ids=["dotdot", "absolute", "abs-symlink", "rel-symlink-out", "hardlink", "device"],
)
def test_tar_members_escaping_are_refused(tmp_path, build):
    archive = _tar(tmp_path / "a.tar.gz", build)
    with pytest.raises(AcquireError, match="refused"):
        acquire(str(archive), _options(tmp_path))


def test_tar_setuid_is_dropped(tmp_path):
    archive = _tar(tmp_path / "a.tgz", lambda t: _add(t, "p/tool", b"#!/bin/sh\n", mode=0o4755))
    target = acquire(str(archive), _options(tmp_path)).target
    mode = (Path(target.path) / "tool").stat().st_mode
    assert not mode & (stat.S_ISUID | stat.S_IXUSR)


def test_not_an_archive_is_one_clear_error(tmp_path):
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(AcquireError, match="not a readable archive"):
        acquire(str(bogus), _options(tmp_path))


@pytest.mark.parametrize("name", ["pkg-1.0.tar.gz", "pkg-1.0-py3-none-any.whl", "pkg-1.0.egg"])
def test_a_zip_is_read_as_a_zip_whatever_its_name(tmp_path, name):
    """Registries hold zips named .tar.gz; wheels and eggs are zips."""
    archive = _zip(tmp_path / name, {"pkg/__init__.py": b"x = 1\n", "pkg-1.0.dist-info/METADATA": b"Name: pkg\n"})
    target = acquire(str(archive), _options(tmp_path)).target
    assert target.kind == "archive" and target.file_count == 2


def test_a_tar_named_zip_is_read_as_a_tar(tmp_path):
    archive = tmp_path / "lure.zip"
    with tarfile.open(archive, "w:gz") as tar:
        _add(tar, "lure/index.js", b"console.log(1)\n")
    target = acquire(str(archive), _options(tmp_path)).target
    assert (Path(target.path) / "index.js").read_bytes() == b"console.log(1)\n"
