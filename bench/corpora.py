"""Build the real-world detection corpora of issue 10 OUTSIDE the checkout (a benchmark tool, not a test).

Nothing fetched lands in the repository: the corpora live under ``$INSPECTOR_CORPORA`` (default
``~/.cache/inspector-corpora``). The repository keeps only the lists that make them reproducible
(``bench/corpus-lists/``): package names, versions, commits and hashes.

Subcommands (each idempotent and resumable: what is already there is kept, a rerun fills the gaps):

    python bench/corpora.py lists                 # (re)make the candidate lists from the env package lists
    python bench/corpora.py pypi-mal GIT_DIR      # malicious PyPI, development split only, from the registry's git dir
    python bench/corpora.py benign-pypi           # 300 most downloaded PyPI packages (sdist, else wheel)
    python bench/corpora.py benign-npm            # 300 most downloaded npm packages (npm pack)
    python bench/corpora.py repos MIRROR_ROOT     # look-alike GitHub repos, git archive of the pinned commit
    python bench/corpora.py replicas              # defanged npm replicas (bench/replicas/) packed into place
    python bench/corpora.py status                # what is there

Prerequisites: git, the shared venv (for ``packaging``), npm (Debian: ``apt-get install npm``), and for
``pypi-mal`` and ``repos`` bare git directories brought by the session's ``fetch`` tool
(github:lxyeternal/pypi_malregistry and the repos of ``bench/corpus-lists/benign-repos.txt``).

SAFETY. The malicious samples are archives: they are only written to disk as the registry holds
them and later handed to scanners; never unpacked here, installed, imported or run. Only the
development split of the registry is ever read: a package (top-level folder) belongs to it when the
sha256 of its lowercased name starts with a hex digit 0-7. The filter runs on the folder names of
the root tree before any other object of the registry is read; the other half is never listed.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

REPO = Path(__file__).resolve().parents[1]
LISTS = REPO / "bench" / "corpus-lists"
ENV_PACKAGES = Path("/work/.library/env/packages")
# PEP 691: the JSON form of the simple index. Files are fetched by URL and checked against the index's
# sha256; nothing of a package is built or run (pip download would run an sdist's build back-end).
SIMPLE_INDEX = "https://pypi.org/simple"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
MAX_PACKAGE_BYTES = 256 * 1024 * 1024
NICE = ["nice", "-n", "10"]
SAMPLE_SEED = 10  # issue 10
SAMPLE_SIZE = 300
ARCHIVE_PREFERENCE = (".tar.gz", ".tgz", ".whl", ".zip", ".tar.bz2", ".egg")
DEV_DIGITS = frozenset("01234567")


def corpora_root() -> Path:
    return Path(os.environ.get("INSPECTOR_CORPORA", Path.home() / ".cache" / "inspector-corpora")).expanduser()


def in_development_split(package_folder: str) -> bool:
    """The registry's development half: sha256 of the lowercased top-level folder name starts with 0-7."""
    return hashlib.sha256(package_folder.lower().encode()).hexdigest()[0] in DEV_DIGITS


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- lists


def _ranked(table: str, column: str, count: int, *, highest_first: bool) -> list[tuple[str, str]]:
    """(name, version) of the `count` best rows of an env package table, ordered by an integer column."""
    rows: list[tuple[int, str, str]] = []
    with (ENV_PACKAGES / table).open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            value = (row.get(column) or "").strip()
            if value.isdigit():
                key = -int(value) if highest_first else int(value)
                rows.append((key, row["name"], (row.get("version") or "").strip()))
    rows.sort()
    return [(name, version) for _, name, version in rows[:count]]


def top_pypi(count: int) -> list[tuple[str, str]]:
    """The `count` best-ranked packages of pypi.tsv (column rank_among_15000_most_downloaded)."""
    return _ranked("pypi.tsv", "rank_among_15000_most_downloaded", count, highest_first=False)


def top_npm(count: int) -> list[tuple[str, str]]:
    """The `count` npm packages with most downloads a month (npm.tsv)."""
    return _ranked("npm.tsv", "downloads_a_month", count, highest_first=True)


def write_candidates(path: Path, rows: Iterable[tuple[str, str]], header: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [f"{name}\t{version}" for name, version in rows]
    path.write_text("\n".join(lines) + "\n")
    log(f"wrote {path.relative_to(REPO)}")


def read_table(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split("\t") for line in path.read_text().splitlines() if line and not line.startswith("#")]


def cmd_lists(_: argparse.Namespace) -> None:
    write_candidates(
        LISTS / "benign-pypi-300.txt",
        top_pypi(300),
        "The 300 best-ranked packages of the env list pypi.tsv (rank_among_15000_most_downloaded), name<TAB>version.\n"
        "An empty version means the list had none: the newest is taken and recorded in benign-pypi-300.lock.tsv.",
    )
    write_candidates(
        LISTS / "benign-npm-300.txt",
        top_npm(300),
        "The 300 npm packages with most downloads a month in the env list npm.tsv, name<TAB>version.\n"
        "What was packed (version, file, sha256) is recorded in benign-npm-300.lock.tsv.",
    )


# ------------------------------------------------------------------------------------ malicious PyPI


def git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True).stdout


def development_folders(git_dir: Path, commit: str) -> list[str]:
    """Top-level folders of the registry's development split (root tree only: names, no contents)."""
    folders = []
    for line in git(git_dir, "ls-tree", "-z", commit).split(b"\0"):
        if not line:
            continue
        meta, _, name_bytes = line.partition(b"\t")
        if meta.split()[1] != b"tree":
            continue
        name = name_bytes.decode("utf-8", "surrogateescape")
        if in_development_split(name):
            folders.append(name)
    return sorted(folders)


@dataclass(frozen=True)
class Blob:
    path: str  # package/version/file as in the registry
    sha: str
    size: int


def blobs_under(git_dir: Path, commit: str, folders: list[str]) -> Iterator[Blob]:
    """Blobs under the given folders only (each folder checked against the split again, by name)."""
    for start in range(0, len(folders), 200):
        chunk = folders[start : start + 200]
        assert all(in_development_split(folder) for folder in chunk)
        out = git(git_dir, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", *[f"{f}/" for f in chunk])
        for line in out.split(b"\0"):
            if not line:
                continue
            meta, _, path_bytes = line.partition(b"\t")
            _mode, kind, sha, size = meta.split()
            path = path_bytes.decode("utf-8", "surrogateescape")
            if kind != b"blob" or not in_development_split(path.split("/", 1)[0]):
                continue
            yield Blob(path, sha.decode(), int(size) if size.isdigit() else -1)


def safe_relative(path: str) -> Path | None:
    parts = path.split("/")
    if any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts):
        return None
    return Path(*parts)


def cmd_pypi_mal(args: argparse.Namespace) -> None:
    git_dir = Path(args.git_dir).resolve()
    commit = git(git_dir, "rev-parse", args.commit).decode().strip()
    dest = corpora_root() / "pypi-malregistry-dev"
    samples = dest / "samples"
    samples.mkdir(parents=True, exist_ok=True)
    folders = development_folders(git_dir, commit)
    log(f"registry {commit}: {len(folders)} development-split packages")
    blobs = list(blobs_under(git_dir, commit, folders))
    wanted = []
    for blob in blobs:
        relative = safe_relative(blob.path)
        if relative is None:
            log(f"skipped unsafe path {blob.path!r}")
            continue
        target = samples / relative
        if not (target.exists() and target.stat().st_size == blob.size):
            wanted.append((blob, target))
    log(f"{len(blobs)} files, {len(wanted)} to write")
    # One cat-file process streams all blobs; the bytes go straight to the file, nothing is unpacked.
    if wanted:
        proc = subprocess.Popen(
            ["git", f"--git-dir={git_dir}", "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert proc.stdin is not None and proc.stdout is not None
        missing = 0
        for index, (blob, target) in enumerate(wanted):
            proc.stdin.write(f"{blob.sha}\n".encode())
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) < 3 or header[1] != b"blob":
                missing += 1
                continue
            size = int(header[2])
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            with partial.open("wb") as out:
                remaining = size
                while remaining:
                    chunk = proc.stdout.read(min(remaining, 1 << 20))
                    if not chunk:
                        raise RuntimeError("git cat-file ended early")
                    out.write(chunk)
                    remaining -= len(chunk)
            proc.stdout.read(1)  # the newline after each object
            partial.replace(target)
            if index % 1000 == 0:
                log(f"  {index}/{len(wanted)}")
        proc.stdin.close()
        proc.wait()
        if missing:
            log(f"{missing} blobs missing from the mirror (large files may be absent)")
    packages = choose_package_archives(samples)
    (dest / "REGISTRY").write_text(
        json.dumps(
            {"repo": "lxyeternal/pypi_malregistry", "commit": commit, "split": "sha256(lower(folder))[0] in 0-7"}
        )
        + "\n"
    )
    (dest / "packages.tsv").write_text("".join(f"{name}\t{path}\n" for name, path in sorted(packages.items())))
    log(f"{len(packages)} packages with an archive")
    sample_file = LISTS / "pypi-malregistry-dev-300.txt"
    if args.resample or not sample_file.exists():
        chosen = sorted(random.Random(SAMPLE_SEED).sample(sorted(packages), min(SAMPLE_SIZE, len(packages))))
        sample_file.write_text(
            f"# Fixed random {len(chosen)} of the development split of lxyeternal/pypi_malregistry at {commit}\n"
            f"# (random.Random({SAMPLE_SEED}).sample of the sorted package folders that hold an archive).\n"
            "# Package folder names only; the samples live outside the checkout.\n" + "\n".join(chosen) + "\n"
        )
        log(f"wrote {sample_file.relative_to(REPO)}")


def version_key(text: str) -> tuple[tuple[int, object], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.\-_+]", text))


def choose_package_archives(samples: Path) -> dict[str, str]:
    """One archive per package: the newest version folder, preferring an sdist."""
    chosen: dict[str, str] = {}
    for package in sorted(p for p in samples.iterdir() if p.is_dir()):
        candidates = []
        for version in package.iterdir():
            files = [version] if version.is_file() else [f for f in version.rglob("*") if f.is_file()]
            for file in files:
                rank = next(
                    (i for i, suffix in enumerate(ARCHIVE_PREFERENCE) if file.name.lower().endswith(suffix)), None
                )
                if rank is not None and not file.name.endswith(".part"):
                    candidates.append((version_key(version.name), -rank, file))
        if candidates:
            candidates.sort()
            chosen[package.name] = str(candidates[-1][2].relative_to(samples))
    return chosen


# ---------------------------------------------------------------------------------------- benign PyPI


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _release_files(name: str, version: str) -> tuple[str, list[dict[str, object]]]:
    """(version, its files) from the JSON simple index; the newest final release when no version."""
    request = urllib.request.Request(f"{SIMPLE_INDEX}/{canonicalize_name(name)}/", headers={"Accept": SIMPLE_JSON})
    with urllib.request.urlopen(request, timeout=60) as response:
        index = json.load(response)
    by_version: dict[Version, list[dict[str, object]]] = {}
    for file in index["files"]:
        if file.get("yanked"):
            continue
        filename = str(file["filename"])
        try:
            if filename.endswith(".whl"):
                parsed = parse_wheel_filename(filename)[1]
            elif filename.endswith((".tar.gz", ".zip")):
                parsed = parse_sdist_filename(filename)[1]
            else:
                continue
        except (InvalidSdistFilename, InvalidWheelFilename, InvalidVersion):
            continue
        by_version.setdefault(parsed, []).append(file)
    if version:
        wanted = Version(version)
        return version, by_version.get(wanted, [])
    finals = sorted(v for v in by_version if not v.is_prerelease and not v.is_devrelease)
    return (str(finals[-1]), by_version[finals[-1]]) if finals else ("", [])


def _preferred(files: list[dict[str, object]]) -> tuple[str, dict[str, object]] | None:
    """sdist first (.tar.gz, then .zip), else a pure-Python wheel, else any wheel."""
    def named(*suffixes: str) -> list[dict[str, object]]:
        return [f for f in files if str(f["filename"]).endswith(suffixes)]

    for kind, group in (
        ("sdist", named(".tar.gz")),
        ("sdist", named(".zip")),
        ("wheel", named("-none-any.whl")),
        ("wheel", named(".whl")),
    ):
        if group:
            return kind, sorted(group, key=lambda f: str(f["filename"]))[0]
    return None


def index_download(name: str, version: str, into: Path) -> tuple[str, str]:
    """Download one release file of `name` into `into`; return (kind, note). sdist first, else wheel.

    The index names each file with its sha256; a download that does not match it, or that is bigger
    than MAX_PACKAGE_BYTES, is deleted. A listed version the index no longer has falls back to the
    newest final release (said in the note).
    """
    note = ""
    got_version, files = _release_files(name, version)
    if version and not files:
        got_version, files = _release_files(name, "")
        note = f"pinned {version} not on the index, took {got_version}"
    chosen = _preferred(files)
    if chosen is None:
        return "missing", note or "no sdist or wheel on the index"
    kind, file = chosen
    filename = Path(str(file["filename"])).name  # a bare name: the index does not choose the path
    hashes = file.get("hashes")
    expected = str(hashes.get("sha256", "")) if isinstance(hashes, dict) else ""
    part = into / f"{filename}.part"
    digest = hashlib.sha256()
    written = 0
    try:
        with urllib.request.urlopen(str(file["url"]), timeout=300) as response, part.open("wb") as out:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                written += len(chunk)
                if written > MAX_PACKAGE_BYTES:
                    break
                digest.update(chunk)
                out.write(chunk)
        if written > MAX_PACKAGE_BYTES or not expected or digest.hexdigest() != expected:
            reason = "over the size cap" if written > MAX_PACKAGE_BYTES else "sha256 does not match the index"
            return "missing", "; ".join(filter(None, [note, f"{filename}: {reason}"]))
        part.rename(into / filename)
        return kind, note
    finally:
        part.unlink(missing_ok=True)


def cmd_benign_pypi(args: argparse.Namespace) -> None:
    wanted = read_table(LISTS / "benign-pypi-300.txt")
    dest = corpora_root() / "benign-pypi"
    dest.mkdir(parents=True, exist_ok=True)
    lock_path = LISTS / "benign-pypi-300.lock.tsv"
    lock = {row[0]: row for row in read_table(lock_path)}

    def one(row: list[str]) -> list[str]:
        name, version = row[0], (row[1] if len(row) > 1 else "")
        folder = dest / name
        existing = [f for f in folder.iterdir() if f.is_file()] if folder.exists() else []
        if existing and name in lock and lock[name][3] != "missing":
            return lock[name]
        if len(existing) == 1 and not existing[0].name.endswith(".part"):  # downloaded by an interrupted run
            got = existing[0]
            kind = "wheel" if got.name.endswith(".whl") else "sdist"
            return [name, version, got.name, kind, sha256_file(got), "kept from an earlier run"]
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        try:
            kind, note = index_download(name, version, folder)
        except (OSError, ValueError, KeyError) as exc:  # the index or the download failed: a gap to fill later
            kind, note = "missing", f"{type(exc).__name__}: {exc}"[:160]
        files = [f for f in folder.iterdir() if f.is_file()]
        if not files:
            log(f"  {name}: missing ({note})")
            return [name, version, "", "missing", "", note]
        got = files[0]
        log(f"  {name}: {kind} {got.name}")
        return [name, version, got.name, kind, sha256_file(got), note]

    rows = [r for r in wanted if r and r[0]]
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        for future in as_completed([pool.submit(one, r) for r in rows]):
            row = future.result()
            lock[row[0]] = row
            write_lock(lock_path, lock, [r[0] for r in rows], "name\tlisted_version\tfile\tkind\tsha256\tnote")


def write_lock(path: Path, lock: dict[str, list[str]], order: list[str], header: str) -> None:
    lines = [f"# {header}"] + ["\t".join(lock[name]) for name in order if name in lock]
    path.write_text("\n".join(lines) + "\n")


# ----------------------------------------------------------------------------------------- benign npm


def cmd_benign_npm(args: argparse.Namespace) -> None:
    if shutil.which("npm") is None:
        raise SystemExit("npm not found: apt-get install npm")
    wanted = [r for r in read_table(LISTS / "benign-npm-300.txt") if r and r[0]]
    dest = corpora_root() / "benign-npm"
    dest.mkdir(parents=True, exist_ok=True)
    lock_path = LISTS / "benign-npm-300.lock.tsv"
    lock = {row[0]: row for row in read_table(lock_path)}

    def one(row: list[str]) -> list[str]:
        name, version = row[0], (row[1] if len(row) > 1 else "")
        folder = dest / name.replace("/", "+")
        if name in lock and lock[name][3] == "tgz" and (folder / lock[name][2]).exists():
            return lock[name]
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        # --ignore-scripts: npm pack of a registry spec only downloads the tarball, but never run lifecycle scripts.
        for spec in ([f"{name}@{version}"] if version else []) + [name]:
            result = subprocess.run(
                [*NICE, "npm", "pack", "--ignore-scripts", "--silent", "--json", spec],
                capture_output=True,
                text=True,
                timeout=300,
                cwd=folder,
            )
            files = [f for f in folder.iterdir() if f.name.endswith(".tgz")]
            if result.returncode == 0 and files:
                got_version = ""
                with contextlib.suppress(ValueError, IndexError, AttributeError):
                    got_version = json.loads(result.stdout)[0].get("version", "")
                note = "" if spec.endswith(f"@{version}") and version else "newest"
                log(f"  {name}: {files[0].name}")
                return [name, version, files[0].name, "tgz", sha256_file(files[0]), f"{got_version} {note}".strip()]
        log(f"  {name}: missing")
        return [name, version, "", "missing", "", result.stderr.strip()[-160:]]

    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        for future in as_completed([pool.submit(one, r) for r in wanted]):
            row = future.result()
            lock[row[0]] = row
            write_lock(lock_path, lock, [r[0] for r in wanted], "name\tlisted_version\tfile\tkind\tsha256\tversion")


# ---------------------------------------------------------------------------------------------- repos


def export_tree(git_dir: Path, commit: str, folder: Path) -> list[str]:
    """Write the commit's tree into `folder` (what git archive would, but tolerating blobs the mirror lacks).

    Files and links only (no hooks, no submodules, no LFS smudge); paths with '..' or absolute names are
    refused; returns the paths whose blobs were absent (a mirror keeps its largest files out).
    """
    entries = []
    for line in git(git_dir, "ls-tree", "-r", "-z", "--full-tree", commit).split(b"\0"):
        if not line:
            continue
        meta, _, path_bytes = line.partition(b"\t")
        mode, kind, sha = meta.split()
        relative = safe_relative(path_bytes.decode("utf-8", "surrogateescape"))
        if kind == b"blob" and relative is not None:
            entries.append((mode, sha.decode(), relative))
    missing = []
    proc = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None
    for mode, sha, relative in entries:
        proc.stdin.write(f"{sha}\n".encode())
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            missing.append(str(relative))
            continue
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == b"120000":
            target.symlink_to(data.decode("utf-8", "surrogateescape"))
        else:
            target.write_bytes(data)
            if mode == b"100755":
                target.chmod(0o755)
    proc.stdin.close()
    proc.wait()
    return missing


def cmd_repos(args: argparse.Namespace) -> None:
    """Export each listed repo's pinned commit (or the mirror's HEAD, then pinned) from its fetched git dir."""
    mirror = Path(args.mirror_root)
    list_path = LISTS / "benign-repos.txt"
    rows = read_table(list_path)
    dest = corpora_root() / "benign-repos"
    dest.mkdir(parents=True, exist_ok=True)
    out_rows = []
    for row in rows:
        repo, kind = row[0], (row[1] if len(row) > 1 else "")
        commit = row[2] if len(row) > 2 else ""
        git_dir = mirror / repo.replace("/", "+") / "repo"
        if (git_dir / ".git").is_dir():  # some snapshots arrive as a work-tree-less repo/.git
            git_dir = git_dir / ".git"
        folder = dest / repo.replace("/", "+")
        if not git_dir.exists():
            log(f"  {repo}: no mirror at {git_dir} (bring it with fetch github:{repo})")
            out_rows.append(row)
            continue
        if not commit:
            commit = git(git_dir, "rev-parse", "HEAD").decode().strip()
        stamp = folder / ".inspector-bench-commit"
        if not (stamp.exists() and stamp.read_text().strip() == commit):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            missing = export_tree(git_dir, commit, folder)
            if missing:
                log(f"  {repo}: {len(missing)} large blobs absent from the mirror, left out: {missing[:3]}")
            stamp.write_text(commit + "\n")
        files = sum(1 for p in folder.rglob("*") if p.is_file())
        log(f"  {repo}: {commit[:12]} {files} files")
        out_rows.append([repo, kind, commit])
    lines = [line for line in list_path.read_text().splitlines() if line.startswith("#")]
    list_path.write_text("\n".join(lines + ["\t".join(r) for r in out_rows]) + "\n")


# ------------------------------------------------------------------------------------------ replicas


def pack_inner(inner: Path, tgz: Path) -> None:
    """npm-style tarball (members under package/) with fixed owners and times, so rebuilds are identical."""
    import gzip
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for file in sorted(p for p in inner.rglob("*") if p.is_file()):
            info = tarfile.TarInfo(str(file.relative_to(inner.parent)))
            data = file.read_bytes()
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    tgz.parent.mkdir(parents=True, exist_ok=True)
    tgz.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))


def cmd_replicas(_: argparse.Namespace) -> None:
    """Copy the defanged JS replicas into the corpora folder; `inner/package` becomes the .tgz the outer names."""
    source = REPO / "bench" / "replicas"
    dest = corpora_root() / "js-replicas"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for replica in sorted(p for p in source.iterdir() if p.is_dir()):
        target = dest / replica.name
        shutil.copytree(replica, target, ignore=shutil.ignore_patterns("inner"))
        inner = replica / "inner" / "package"
        if inner.is_dir():
            manifest = json.loads((replica / "package.json").read_text())
            specs = [
                v for v in manifest.get("dependencies", {}).values() if v.startswith("file:") and v.endswith(".tgz")
            ]
            for spec in specs:
                pack_inner(inner, target / spec.removeprefix("file:"))
        log(f"  {replica.name}")


# --------------------------------------------------------------------------------------------- status


def cmd_status(_: argparse.Namespace) -> None:
    root = corpora_root()
    print(f"corpora root: {root}")
    for sub in sorted(p for p in root.iterdir() if p.is_dir()) if root.exists() else []:
        count = sum(1 for p in sub.iterdir())
        print(f"  {sub.name}: {count} entries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("lists").set_defaults(func=cmd_lists)
    mal = sub.add_parser("pypi-mal")
    mal.add_argument("git_dir", help="bare git dir of lxyeternal/pypi_malregistry")
    mal.add_argument("--commit", default="HEAD")
    mal.add_argument("--resample", action="store_true", help="redraw the fixed 300 (changes the committed list)")
    mal.set_defaults(func=cmd_pypi_mal)
    for name, func in (("benign-pypi", cmd_benign_pypi), ("benign-npm", cmd_benign_npm)):
        p = sub.add_parser(name)
        p.add_argument("--workers", type=int, default=2)
        p.set_defaults(func=func)
    repos = sub.add_parser("repos")
    repos.add_argument("mirror_root", nargs="?", default="/work/.mirror")
    repos.set_defaults(func=cmd_repos)
    sub.add_parser("replicas").set_defaults(func=cmd_replicas)
    sub.add_parser("status").set_defaults(func=cmd_status)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
