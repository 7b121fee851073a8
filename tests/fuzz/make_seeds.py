"""Write the archive fuzzer's seed corpus (tiny, generated): python tests/fuzz/make_seeds.py

Each seed is one byte choosing the archive kind (0 zip, 1 tar, 2 tar.gz; see fuzz_archive.py)
followed by the archive: plain files, a nested directory, an inside link, a link chain, an
escaping name, a hard link and a FIFO member, so mutations start next to every refusal path.
"""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path

OUT = Path(__file__).parent / "corpus" / "archive"


def _zip(members: dict[str, bytes], links: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in links.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def _tar(entries: list[tuple[str, bytes, str]], mode: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, kind, data in entries:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.REGTYPE:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data.encode()))
            else:
                info.linkname = data
                archive.addfile(info)
    return buffer.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    files = {"p/index.js": b"console.log(1)\n", "p/src/a/b.py": b"print(2)\n"}
    seeds = {
        "zip-plain": b"\0" + _zip(files, {}),
        "zip-links": b"\0" + _zip(files, {"p/alias": "index.js", "p/one": "two", "p/two": "index.js"}),
        "zip-escape": b"\0" + _zip({"../x": b"x", "/abs": b"y"}, {"p/out": "../../etc/passwd"}),
    }
    entries = [
        ("p", tarfile.DIRTYPE, ""),
        ("p/index.js", tarfile.REGTYPE, "console.log(1)\n"),
        ("p/alias", tarfile.SYMTYPE, "index.js"),
        ("p/loop", tarfile.SYMTYPE, "loop"),
    ]
    hostile = [("p/hard", tarfile.LNKTYPE, "p/index.js"), ("p/fifo", tarfile.FIFOTYPE, ""),
               ("p/l/../../x", tarfile.REGTYPE, "x")]
    seeds["tar-plain"] = b"\1" + _tar(entries, "w")
    seeds["tar-hostile"] = b"\1" + _tar(hostile, "w")
    seeds["tgz-plain"] = b"\2" + _tar(entries, "w:gz")
    for name, data in seeds.items():
        (OUT / name).write_bytes(data)


if __name__ == "__main__":
    main()
