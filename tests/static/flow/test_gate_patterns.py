"""The gate's patterns are written for speed; each must answer exactly like its plain form.

The plain forms below are the readable specification (the patterns as first written, with
leading `\\b`s, one flat list and `^` anchors); the gate's own patterns regroup them so that
Python's `re` can skip ahead. Only "does this text match" is ever asked, so that is compared,
with the position of the first match.
"""

from __future__ import annotations

import re

import pytest

from inspector.static.flow import _gate

_PLAIN_JS = (
    rb"eval|(?<![{|<?!.])\bFunction\b|\.constructor\b|['\"]constructor|\bvm\b|runIn|_compile|child_process|"
    rb"\bexec|spawn|\bfork\b|import\(|setTimeout|setInterval|writeFile|WriteStream|\bfetch\b|axios|"
    rb"\bgot\s*[(.]|['\"]got['\"]|request['\"]|superagent|needle|\bhttps?\s*\.|['\"](?:node:)?https?['\"]|"
    rb"\bnet\b|\btls\b|socket|Socket|XMLHttpRequest|EventSource|Contract|Provider|Web3|ethers|\bio\s*\(|undici|"
    rb"ajax|getScript|\.(?:get|post|put|request)\s*\(\s*['\"`]https?:"
)
PLAIN = {
    "JS_RELEVANT": re.compile(_PLAIN_JS + rb"|\brequest\s*\("),
    "_JS_RELEVANT_OWN_REQUEST": re.compile(_PLAIN_JS),
    "PY_RELEVANT": re.compile(
        rb"\bexec|\beval|\bcompile|__import__|import_module|runpy|marshal|pickle|dill|subprocess|\bsystem|"
        rb"popen|spawn|requests|httpx|urllib|aiohttp|http\.client|socket|websocket|pycurl|ftplib|telnetlib|"
        rb"urlopen|\bopen\(|write_bytes|write_text|urlretrieve|\.(?:get|post|put|request)\(\s*f?['\"]https?:"
    ),
    "_REQUEST_BOUND_ELSEWHERE": re.compile(
        rb"""(?<![.\w$])request\s*=\s*require\s*\(\s*['"](?!request['"/-])[^'"]+['"]\s*\)|"""
        rb"""\bimport\s+request\s+from\s*['"](?!request['"/-])"""
    ),
}
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


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_fast_pattern_finds_the_first_match_of_its_plain_form(name: str) -> None:
    fast: re.Pattern[bytes] = getattr(_gate, name)
    for text in TEXTS:
        plain = PLAIN[name].search(text)
        found = fast.search(text)
        assert (found and found.start()) == (plain and plain.start()), text


def test_split_anchored_patterns_answer_like_their_plain_forms() -> None:
    for text in TEXTS:
        assert _gate._always(text, python=False) == (PLAIN_JS_ALWAYS.search(text) is not None), text
        assert _gate._always(text, python=True) == (PLAIN_PY_ALWAYS.search(text) is not None), text
        assert _gate._external_import(text) == (PLAIN_EXTERNAL_IMPORT.search(text) is not None), text
