"""Group the misses of a malicious-PyPI score by behaviour shape (notes for detection work, issue 10).

Reads a results file of ``bench/score.py`` (pypi-mal-* corpora), takes every target inspector called
clean or could not scan, reads the ``.py``/``setup.cfg`` text of its archive IN MEMORY (bounded; nothing
is unpacked to disk, installed, imported or run) and names the first matching shape of SHAPES. Prints
counts and package names per shape; ``--markdown`` prints the table for docs/benchmarks.md. Shapes are
descriptions of code, never hosts or payloads.

Only development-split packages are opened (checked again here by folder name).

    python bench/miss_shapes.py RESULTS.jsonl [--markdown]
"""

from __future__ import annotations

import argparse
import json
import re
import tarfile
import zipfile
from collections import defaultdict
from pathlib import Path

from corpora import corpora_root, in_development_split

MAX_MEMBER = 2 << 20
MAX_TOTAL = 16 << 20
NET = (
    r"(requests\.(post|get|put)|urlopen|urllib\.request|http\.client|urlretrieve|httpx\.|aiohttp"
    r"|socket\.connect|webhook)"
)
EXEC = r"(\bexec\s*\(|\beval\s*\(|os\.system|subprocess\.|Popen|os\.startfile|os\.popen)"

# (shape, all of these patterns) in order: the first full match names the shape.
SHAPES: list[tuple[str, list[str]]] = [
    (
        "builtins/chr arithmetic obfuscation (getattr(__builtins__, ...) with shifted ints) in setup.py",
        [r"getattr\(__builtins__", r"<<"],
    ),
    ("junk-code obfuscator (dead if-branches, random names) around the payload", [r"Obfuscator__|__obfuscator"]),
    ("PyArmor-protected module", [r"pyarmor|__pyarmor__"]),
    ("encrypted payload (Fernet) decrypted then exec", [r"Fernet", r"\bexec\s*\("]),
    (
        "bytes literal stager written to a temp file then started",
        [
            r"\bb['\"].{0,400}(exec|urlopen|import )",
            r"(tempfile|gettempdir|NamedTemporaryFile|TEMP|APPDATA)",
            r"(os\.system|Popen|subprocess|startfile|start )",
        ],
    ),
    ("zlib/marshal/lzma blob into exec", [r"(zlib\.decompress|marshal\.loads|lzma\.decompress)", EXEC]),
    ("hex-encoded code or command into exec/os.system", [r"(fromhex|unhexlify|(\\x[0-9a-fA-F]{2}){12,})", EXEC]),
    ("base64-decoded code into exec/eval", [r"b64decode|base64\.b\d+decode", r"\b(exec|eval)\s*\("]),
    ("code pushed off-screen by a long run of whitespace on one line", [r"[ \t]{150,}\S"]),
    (
        "Discord/Telegram/browser credential stealer posting to a webhook or bot",
        [r"(discord|api\.telegram|Login Data|leveldb|Local State|sendMessage|webhooks)", NET],
    ),
    ("os.environ dumped and posted", [r"(dict\(os\.environ\)|os\.environ\.copy|str\(os\.environ|os\.environ\))", NET]),
    (
        "host/user/cwd beacon at install (dependency-confusion style)",
        [r"(gethostname|getuser|platform\.node|getlogin|os\.uname)", NET],
    ),
    ("download of a file then executed", [NET, r"(open\(.{0,80}['\"]wb|urlretrieve|write\()", EXEC]),
    (
        "shell download-execute (curl/wget/powershell) through os.system/subprocess",
        [r"(curl|wget|powershell|Invoke-WebRequest|iwr )", EXEC],
    ),
    ("local file read and posted", [r"open\(", r"requests\.post|urlopen"]),
    ("network call at install/import (other)", [NET]),
    ("process start of another command (other)", [EXEC]),
]


def python_text(archive: Path) -> str:
    """The text of the archive's Python and setup files, read in memory within MAX_* bounds."""
    parts: list[str] = []
    total = 0
    wanted = (".py", "setup.cfg", ".pth")
    with archive.open("rb") as handle:
        is_zip = handle.read(4) == b"PK\x03\x04"
    if is_zip:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if info.filename.endswith(wanted) and info.file_size <= MAX_MEMBER and total < MAX_TOTAL:
                    data = zf.read(info)[:MAX_MEMBER]
                    total += len(data)
                    parts.append(data.decode("utf-8", "replace"))
    else:
        with tarfile.open(archive) as tf:
            for member in tf:
                if member.isfile() and member.name.endswith(wanted) and member.size <= MAX_MEMBER and total < MAX_TOTAL:
                    stream = tf.extractfile(member)
                    if stream is not None:
                        data = stream.read(MAX_MEMBER)
                        total += len(data)
                        parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


def shape_of(text: str) -> str:
    if not text.strip():
        return "no Python code in the archive (payload elsewhere or a placeholder)"
    for shape, patterns in SHAPES:
        if all(re.search(p, text, re.S | re.I) for p in patterns):
            return shape
    return "no payload shape recognised (placeholder or typosquat without code)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    base = corpora_root() / "pypi-malregistry-dev"
    archives = dict(line.split("\t", 1) for line in (base / "packages.tsv").read_text().splitlines() if line)
    rows: dict[str, dict] = {}
    for line in args.results.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["target"]] = row
    groups: dict[str, list[str]] = defaultdict(list)
    for name, row in sorted(rows.items()):
        if not row["corpus"].startswith("pypi-mal") or row.get("inspector", {}).get("verdict") not in (
            "clean",
            "error",
        ):
            continue
        if not in_development_split(name):
            raise SystemExit(f"{name} is not in the development split: refusing to open it")
        try:
            text = python_text(base / "samples" / archives[name].strip())
        except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
            groups[f"archive unreadable ({type(exc).__name__})"].append(name)
            continue
        groups[shape_of(text)].append(name)
    total = sum(len(v) for v in groups.values())
    ordered = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    if args.markdown:
        print(f"| shape | misses (of {total}) | examples |\n|---|---|---|")
        for shape, names in ordered:
            print(f"| {shape} | {len(names)} | {', '.join(names[:4])} |")
        return
    for shape, names in ordered:
        print(f"{len(names):4d}  {shape}\n      {', '.join(names)}")
    print(f"{total} misses")


if __name__ == "__main__":
    main()
