"""The gate's patterns are written for speed; each must answer exactly like its plain form.

The relevance patterns are generated from the API catalogs' `gate` fragments; their plain form is
the same fragments as one flat alternation (``plain_pattern``). The always-walked patterns are
written by hand, and their plain forms below are the readable specification (leading `\\b`s and
`^` anchors). Only "does this text match" is ever asked, so that is compared, with the position of
the first match.
"""

from __future__ import annotations

import re

import pytest

from inspector.static.catalogs import catalog
from inspector.static.flow import _gate

PLAIN_JS_ALWAYS = re.compile(rb"\brequire\s*\(|\bexports\b|^\s*(?:import|export)\b")
PLAIN_PY_ALWAYS = re.compile(rb"^\s*(?:import|from)\b")
PLAIN_EXTERNAL_IMPORT = re.compile(
    rb"""(?:require\s*\(\s*|\bfrom\s*|^\s*import\s+)['"][^./'"]|^\s*(?:import|from)\s+[A-Za-z_]"""
)

TEXTS = [
    b"",
    b"eval(x)",
    b"medieval",
    b"Function('return 1')",
    b"new Function(a, b)",
    b"/** @param {Function} cb */",
    b"Array<Function>",
    b"x.Function(1)",
    b"(Function)",
    b"!Function",
    b"aFunction()",
    b"Functional",
    b"f.constructor('x')",
    b"f['constructor']",
    b"vm.runInThisContext(c)",
    b"vm2",
    b"_vm",
    b"module._compile(s)",
    b"require('child_process').exec('ls')",
    b"execute()",
    b"myexec()",
    b"x.exec()",
    b"spawnSync",
    b"fork()",
    b"forked",
    b"import('./x')",
    b"setTimeout(s)",
    b"fs.writeFileSync(p, d)",
    b"createWriteStream",
    b"fetch(u)",
    b"prefetch(u)",
    b"fetched",
    b"axios.get(u)",
    b"got(u)",
    b"got.get(u)",
    b"got  (u)",
    b"forgot(u)",
    b"I got it",
    b"require('got')",
    b'"got"',
    b"request(u)",
    b"myrequest(u)",
    b"request('x')",
    b"require('request')",
    b"superagent.get(u)",
    b"needle('get', u)",
    b"http.get(u)",
    b"https .request(u)",
    b"xhttp.get(u)",
    b"require('node:https')",
    b"'http'",
    b"net.connect(1)",
    b"internet",
    b"tls.connect(1)",
    b"utls",
    b"new WebSocket(u)",
    b"socket.on('data')",
    b"new XMLHttpRequest()",
    b"new EventSource(u)",
    b"new ethers.Contract(a, b)",
    b"JsonRpcProvider",
    b"new Web3(p)",
    b"io(u)",
    b"io (u)",
    b"radio(u)",
    b"undici.request(u)",
    b"$.ajax(u)",
    b"$.getScript(u)",
    b"client.get('https://x.invalid')",
    b"client.post(  `http://x.invalid`)",
    b"client.put(url)",
    b"exec(compile(src, 'f', 'exec'))",
    b"os.system(cmd)",
    b"filesystem",
    b"open(p)",
    b"reopen(p)",
    b"urllib.request.urlopen(u)",
    b"requests.get(u)",
    b"pickle.loads(b)",
    b"session.get(f'https://x.invalid')",
    b"const request = require('supertest')",
    b"var request = require('request')",
    b"request=require('request-promise')",
    b"$request = require('supertest')",
    b"app.request = require('supertest')",
    b"import request from 'supertest'",
    b"import request from 'request'",
    b"import requestx from 'a'",
    b"reimport request from 'a'",
    b"const x = require('./x')",
    b"const x = require ('lodash')",
    b"brequire('x')",
    b"module.exports = x",
    b"exports.a = 1",
    b"  import x from 'y'",
    b"import './polyfill'",
    b"export default 1",
    b"x; import y from 'z'",
    b"\n  from . import y",
    b"from os import path",
    b"import os",
    b"important = 1",
    b"exported = 1",
    b"x = 1  # from 'a'",
    b"from 'pkg'",
    b"const { a } = await import('pkg')",
]


def _texts(language: str) -> list[bytes]:
    entries = catalog(language).entries
    return [*TEXTS, *(e.name.encode() for e in entries), *(f"x = {e.name}(y)".encode() for e in entries)]


@pytest.mark.parametrize(
    ("name", "language", "unbound"),
    [
        ("JS_RELEVANT", "javascript", True),
        ("_JS_RELEVANT_OWN_REQUEST", "javascript", False),
        ("PY_RELEVANT", "python", False),
    ],
)
def test_generated_pattern_finds_the_first_match_of_its_plain_form(name: str, language: str, unbound: bool) -> None:
    tokens = catalog(language).gate_tokens() + (catalog(language).gate_unbound_tokens() if unbound else ())
    fast: re.Pattern[bytes] = getattr(_gate, name)
    plain = _gate.plain_pattern(tokens)
    assert fast.pattern == _gate.fast_pattern(tokens).pattern  # generated, not written
    for text in _texts(language):
        expected = plain.search(text)
        found = fast.search(text)
        assert (found and found.start()) == (expected and expected.start()), text


@pytest.mark.parametrize("language", ["javascript", "python"])
def test_every_gated_entry_wakes_the_gate_for_its_own_name(language: str) -> None:
    relevant = _gate.JS_RELEVANT if language == "javascript" else _gate.PY_RELEVANT
    for entry in catalog(language).entries:
        forms = [f"{entry.name}(u)", f"{entry.name}.get(u)", f"new {entry.name}(u)", f"require('{entry.name}')"]
        if entry.gate:
            assert any(relevant.search(form.encode()) for form in forms), entry.name


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        (b"const request = require('supertest')", True),
        (b"request=require('request-promise')", False),
        (b"var request = require('request')", False),
        (b"$request = require('supertest')", False),
        (b"app.request = require('supertest')", False),
        (b"import request from 'supertest'", True),
        (b"import request from 'request'", False),
        (b"import requestx from 'a'", False),
        (b"reimport request from 'a'", False),
    ],
)
def test_request_bound_to_another_package(text: bytes, bound: bool) -> None:
    assert _gate._REQUEST_BOUND_ELSEWHERE is not None
    assert (_gate._REQUEST_BOUND_ELSEWHERE.search(text) is not None) is bound


@pytest.mark.parametrize("token", [r"\b\.x", "*x", r"a+b", "(x)", r"(?<![.])\b-x"])
def test_fragments_that_cannot_be_grouped_by_their_first_character_are_refused(token: str) -> None:
    with pytest.raises(ValueError):
        _gate.fast_pattern((token,))


def test_split_anchored_patterns_answer_like_their_plain_forms() -> None:
    for text in TEXTS:
        assert _gate._always(text, python=False) == (PLAIN_JS_ALWAYS.search(text) is not None), text
        assert _gate._always(text, python=True) == (PLAIN_PY_ALWAYS.search(text) is not None), text
        assert _gate._external_import(text) == (PLAIN_EXTERNAL_IMPORT.search(text) is not None), text
