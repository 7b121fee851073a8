"""Every temp file of inspector and of the tools it starts (Semgrep) goes, after a scan and after Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.cli.conftest import EXAMPLES, INSPECTOR

# Every module compiles code it downloads (Semgrep has work in each), so the scan runs for a while.
LOADER = """\
const axios = require('axios');
async function load{n}(url) {{
  const response = await axios.get(url);
  return new Function('require', response.data)(require);
}}
module.exports = {{ load{n}, base: 'https://cdn{n}.invalid/' + 'x'.repeat({n}) }};
"""


def _env(tmp_path: Path, temp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TMPDIR": str(temp),
        "TEMP": str(temp),
        "TMP": str(temp),
    }


def test_a_scan_leaves_nothing_in_the_temp_dir(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    completed = subprocess.run(
        [INSPECTOR, "scan", str(EXAMPLES / "malicious" / "api-debug-lure"), "--offline", "--fail-on", "never",
         "--semgrep", "all"],
        env=_env(tmp_path, temp), capture_output=True, text=True, timeout=900, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "semgrep" in completed.stdout.lower()  # Semgrep ran (its findings are in the report)
    assert list(temp.iterdir()) == []


def test_a_scan_stopped_with_ctrl_c_leaves_nothing_in_the_temp_dir(tmp_path: Path) -> None:
    target = tmp_path / "target"
    for n in range(400):
        (target / f"pkg{n % 20}").mkdir(parents=True, exist_ok=True)
        (target / f"pkg{n % 20}" / f"loader{n}.js").write_text(LOADER.format(n=n))
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [INSPECTOR, "scan", str(target), "--offline", "--jobs", "1"],
        env=_env(tmp_path, temp), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 300
        # Wait until Semgrep is at work and has written the rule files it leaves behind (one
        # `semgrep-*.rules` per rule, in its TMPDIR: a home inside inspector's scratch dir).
        while not any(temp.glob("inspector-*/inspector-semgrep-*/home/semgrep-*.rules")):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "semgrep never wrote its rule files"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _stdout, stderr = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 128 + signal.SIGINT, stderr
    assert "interrupted by SIGINT" in stderr
    assert list(temp.iterdir()) == []
