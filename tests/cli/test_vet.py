"""The issue's acceptance, end to end through the console script: vet -> reports -> decide -> vet."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import EXAMPLES

LURE = EXAMPLES / "malicious" / "api-debug-lure"
HIDDEN_HOST = "ip-check-api-7d2c.vercel.test"  # base64 in the lure's .env
REPORTS = ("report.json", "report.md", "report.html", "report.sarif")


def _assert_no_raw_control(text: str) -> None:
    assert not any(ch in text for ch in ("\x1b", "\x07", "\u202e", "\u200b")), "raw control bytes in output"


def test_vet_without_run_then_decide_then_vet_again(inspector, tmp_path):
    out = tmp_path / "out"
    first = inspector("vet", str(LURE), "--no-input", "--no-run", "--offline", "--output", str(out))
    assert first.returncode == 1, first.stderr  # malicious is at the default --fail-on
    for name in REPORTS:
        assert (out / name).is_file(), name
    report = json.loads((out / "report.json").read_text())
    assert report["verdict"] == "malicious"
    assert HIDDEN_HOST in {e["host"] for e in report["endpoints"]}
    assert report["decision"] is None
    assert any(s["component"] == "sandbox" for s in report["skipped"])
    _assert_no_raw_control(first.stdout + first.stderr)

    decided = inspector("decide", str(out), "--reject", "--note", "loader in the error handler")
    assert decided.returncode == 0, decided.stderr
    assert "reject" in decided.stdout
    assert json.loads((out / "report.json").read_text())["decision"]["decision"] == "reject"

    second = inspector("vet", str(LURE), "--no-input", "--no-run", "--offline", "--output", str(tmp_path / "again"))
    assert "Already decided" in second.stdout + second.stderr
    again = json.loads((tmp_path / "again" / "report.json").read_text())
    assert again["decision"]["decision"] == "reject"
    assert again["decision"]["note"] == "loader in the error handler"


def test_output_never_empties_a_foreign_directory(inspector, tmp_path):
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete")
    result = inspector("vet", str(LURE), "--no-input", "--no-run", "--offline", "--output", str(precious))
    assert result.returncode == 2 and "not an inspector run directory" in result.stderr
    assert (precious / "thesis.txt").read_text() == "do not delete"


def test_changed_content_needs_a_new_decision(inspector, tmp_path):
    repo = tmp_path / "lure"
    repo.mkdir()
    (repo / "index.js").write_text("console.log('v1')\n")
    out = tmp_path / "out"
    assert inspector("vet", str(repo), "--no-input", "--no-run", "--offline", "--output", str(out)).returncode == 0
    assert inspector("decide", str(out), "--approve").returncode == 0
    (repo / "index.js").write_text("console.log('v2')\n")
    second = inspector("vet", str(repo), "--no-input", "--no-run", "--offline", "--output", str(tmp_path / "o2"))
    assert "Already decided" not in second.stdout + second.stderr
    assert json.loads((tmp_path / "o2" / "report.json").read_text())["decision"] is None


@pytest.mark.sandbox
def test_vet_runs_the_lure_and_sees_the_hidden_host_at_runtime(inspector, tmp_path, sandbox_ready):
    out = tmp_path / "out"
    result = inspector("vet", str(LURE), "--no-input", "--offline", "--linger", "8", "--timeout", "60",
                       "--output", str(out))
    assert result.returncode == 1, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["run"] is not None and report["run"]["runtime"] in ("runc", "runsc")
    contacted = {n["host"] for n in report["network"]}
    assert HIDDEN_HOST in contacted, contacted
    assert all(n["decision"] == "blocked" for n in report["network"] if n["host"] == HIDDEN_HOST)
    view = next(h for h in report["hosts"] if h["host"] == HIDDEN_HOST)
    assert view["declared"] and view["contacted"]
    html = (out / "report.html").read_text()
    assert "Content-Security-Policy" in html and "<script" not in html.lower()
    _assert_no_raw_control(result.stdout + result.stderr)
    assert (out / "artifacts").is_dir()
