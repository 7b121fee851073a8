from __future__ import annotations

import json

import jsonschema
import pytest

from inspector import __version__
from tests.cli.conftest import EXAMPLES, REPO

VERBS = ("vet", "fetch", "scan", "run", "report", "decide", "images", "doctor")


def test_help_lists_every_verb(inspector):
    result = inspector("--help")
    assert result.returncode == 0
    for verb in VERBS:
        assert f"\n  {verb} " in result.stdout, verb


def test_version(inspector):
    result = inspector("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"untrusted-repo-inspector {__version__}"


@pytest.mark.parametrize(
    "args",
    [("scan", "/nonexistent"), ("fetch", "/nonexistent"), ("scan", "file:///etc"), ("report", "/nonexistent")],
)
def test_operational_errors_are_one_clear_line(inspector, args):
    result = inspector(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(("error:", "Error:")), result.stderr
    assert result.stdout == ""


def test_usage_error_exits_2(inspector):
    result = inspector("scan")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_scan_json_is_clean_and_valid(inspector):
    result = inspector("scan", str(EXAMPLES / "malicious" / "api-debug-lure"), "--format", "json", "--offline")
    assert result.returncode == 1, result.stderr  # malicious, at the default --fail-on
    report = json.loads(result.stdout)  # nothing else mixed into stdout
    jsonschema.validate(report, json.loads((REPO / "inspector" / "model" / "report.schema.json").read_text()))
    assert report["verdict"] == "malicious"
    assert all(not f["path"] or not f["path"].startswith("/") for f in report["findings"])


def test_fail_on_thresholds(inspector):
    lure = str(EXAMPLES / "malicious" / "api-debug-lure")
    assert inspector("scan", lure, "--fail-on", "never", "--offline").returncode == 0
    benign = sorted((EXAMPLES / "benign").iterdir())[0]
    assert inspector("scan", str(benign), "--fail-on", "suspicious", "--offline").returncode in (0, 1)


def test_scan_output_file_and_rerender(inspector, tmp_path):
    out = tmp_path / "r.sarif"
    result = inspector("scan", str(EXAMPLES / "malicious" / "api-debug-lure"), "--format", "sarif",
                       "--output", str(out), "--offline", "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["version"] == "2.1.0"


def test_terminal_output_never_carries_raw_escapes(inspector, tmp_path):
    repo = tmp_path / "hostile"
    repo.mkdir()
    name = "evil\x1b[31m\u202e.js"
    (repo / name).write_text("const u = 'https://c2.evil.test/\x1b]0;pwned\x07';\neval(require('x'));\n")
    result = inspector("scan", str(repo), "--offline", "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    for bad in ("\x1b", "\x07", "\u202e"):
        assert bad not in result.stdout and bad not in result.stderr


def test_fetch_reports_links_and_submodules(inspector, tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "a.js").write_text("x\n")
    (repo / "out").symlink_to("/etc/passwd")
    result = inspector("fetch", str(repo), "--format", "json", "--workdir", str(tmp_path / "q"))
    assert result.returncode == 0, result.stderr
    fetched = json.loads(result.stdout)
    assert fetched["links"] == [{"path": "out", "points_to": "/etc/passwd", "escapes": True}]
    assert fetched["path"].startswith(str(tmp_path / "q"))


def test_doctor_names_each_component(inspector):
    result = inspector("doctor")
    assert result.returncode in (0, 2)
    assert result.stdout.startswith(f"untrusted-repo-inspector {__version__} (Python ")
    for name in ("git", "tree-sitter", "semgrep", "docker"):
        assert name in result.stdout.lower(), name
    assert f"semgrep rule pack: {REPO / 'inspector' / 'static' / 'semgrep-rules'}" in " ".join(result.stdout.split())
