"""Memory bounded on huge inputs: JSONC stripping is linear, configs and .env files are read in
bounds, and what is cut is said."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from inspector.static import endpoints
from inspector.static.autorun.jsonc import loads_jsonc, strip_jsonc
from inspector.static.autorun.surfaces import MAX_CONFIG_BYTES
from inspector.static.interface import RepoFile, RepoView
from tests.hostile._static_support import scan_static, with_rule


def test_strip_jsonc_keeps_memory_linear() -> None:
    text = '{"tasks": [' + '{"label": "a // not a comment", /* c */ "x": 1},\n' * 40_000 + "]}"
    tracemalloc.start()
    try:
        stripped = strip_jsonc(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * len(text)  # one list entry per character took about 10 bytes per character
    assert len(loads_jsonc(text)["tasks"]) == 40_000
    assert "a // not a comment" in stripped


def test_strip_jsonc_semantics() -> None:
    assert loads_jsonc('{"a": [1, /* c */ ], // x\n "b": "/*s*/",}') == {"a": [1], "b": "/*s*/"}
    assert strip_jsonc('{"a": 1 /* open') == '{"a": 1 '
    assert strip_jsonc('{"a": "\\"//"}') == '{"a": "\\"//"}'


def test_a_config_over_the_cap_is_a_finding_not_a_load(tmp_path: Path) -> None:
    (tmp_path / ".vscode").mkdir()
    with (tmp_path / ".vscode" / "tasks.json").open("w") as handle:
        handle.write('{"tasks": [')
        handle.write(" " * (MAX_CONFIG_BYTES + 1))
        handle.write("]}")
    result = scan_static(tmp_path)
    cut = with_rule(result, "analysis.unparsed-manifest")
    assert [f.path for f in cut] == [".vscode/tasks.json"]
    assert "read cap" in cut[0].message


def test_a_big_env_file_is_streamed_and_its_hosts_kept(tmp_path: Path) -> None:
    filler = "".join(f"KEY_{i}=value-{i}\n" for i in range(200_000))  # about 3.5 MB
    (tmp_path / ".env").write_text(filler + "API_URL=https://c2.env.test/api\n")
    (tmp_path / "a.js").write_text("fetch(process.env.API_URL);\n")
    result = scan_static(tmp_path)
    sources = [s for e in result.endpoints if e.host == "c2.env.test" for s in e.sources]
    assert any(s.path == ".env" and s.line == 200_001 for s in sources), result.endpoints


def test_a_huge_env_file_is_cut_with_a_skipped_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(endpoints, "MAX_ENV_SCAN_BYTES", 1 << 20)
    (tmp_path / ".env").write_text("A=1\n" * 600_000)
    result = scan_static(tmp_path)
    assert any(s.component == "endpoints:.env" and "first 1 MB" in s.reason for s in result.skipped)


def test_reads_are_bounded(tmp_path: Path) -> None:
    (tmp_path / "big.js").write_bytes(b"x" * 3_000_000)
    view = RepoView(tmp_path, (RepoFile("big.js", 3_000_000, False),))
    assert len(view.read("big.js", 1000)) == 1000
    assert len(view.read("big.js")) == 3_000_000
