"""The endpoint inventory from code and .env files, through the real tree-sitter engine."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from inspector.model import Category, Endpoint, Severity
from inspector.static.endpoints import EndpointVisitor
from inspector.static.interface import AnalyzerResult, RepoFile, RepoView
from inspector.static.treesitter import TreeSitterAnalyzer


def scan(tmp_path: Path, files: dict[str, str | bytes]) -> AnalyzerResult:
    for name, content in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    listed = tuple(
        RepoFile(p.relative_to(tmp_path).as_posix(), p.stat().st_size, False)
        for p in sorted(tmp_path.rglob("*"))
        if p.is_file()
    )
    return TreeSitterAnalyzer([EndpointVisitor()], jobs=1).analyze(RepoView(tmp_path, listed))


def endpoint(result: AnalyzerResult, host: str) -> Endpoint:
    matches = [e for e in result.endpoints if e.host == host]
    assert matches, f"{host} not in {[e.host for e in result.endpoints]}"
    return matches[0]


def hidden_rules(result: AnalyzerResult, host: str) -> set[str]:
    return {f.rule for f in result.findings if f.category is Category.ENDPOINT and host in f.hosts}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def codes(text: str) -> str:
    return ", ".join(str(ord(ch)) for ch in text)


JS_FORMS = [
    ("const u = 'https://' + 'c2.' + 'hid.test' + '/x';", "concatenation"),
    ("const p = 'c2'; const u = `https://${p}.hid.test/x`;", "concatenation"),
    ("const u = ['https://c2', 'hid', 'test/x'].join('.');", "concatenation"),
    ("const u = 'x/tset.dih.2c//:sptth'.split('').reverse().join('');", "reversed"),
    ("const u = [...'x/tset.dih.2c//:sptth'].reverse().join('');", "reversed"),
    (f"const u = String.fromCharCode({codes('https://c2.hid.test/x')});", "charcode"),
    (f"const a = [{codes('https://c2.hid.test/x')}]; const u = String.fromCharCode(...a);", "charcode"),
    (
        f"const a = [{codes('https://c2.hid.test/x')}]; const u = a.map(c => String.fromCharCode(c)).join('');",
        "charcode",
    ),
    ("const u = '\\x68\\x74\\x74\\x70\\x73\\x3a//\\x63\\x32.\\u0068id.test/x';", "escape"),
    (f"const u = Buffer.from('{b64('https://c2.hid.test/x')}', 'base64').toString();", "base64"),
    (f"const u = new Buffer('{b64('https://c2.hid.test/x')}', 'base64').toString('utf8');", "base64"),
    (f"const u = Buffer.from('{b'https://c2.hid.test/x'.hex()}', 'hex').toString('utf-8');", "hex"),
    (f"const u = atob('{b64('https://c2.hid.test/x')}');", "base64"),
    ("const u = decodeURIComponent('https%3A%2F%2Fc2%2Ehid%2Etest%2Fx');", "percent-encoding"),
    (f"const cfg = {{ api: {{ key: '{b64('https://c2.hid.test/x')}' }} }}; axios.get(atob(cfg.api.key));", "base64"),
    (f"const k = '{b64('https://c2.hid.test/x')}'; const dec = (s) => atob(s); fetch(dec(k));", "base64"),
    (f"const t = require('x'); const DATA = ['{b64('https://c2.hid.test/x')}', 'b24='];", "base64"),
]


@pytest.mark.parametrize(("code", "slug"), JS_FORMS)
def test_javascript_folding_names_the_hidden_host(tmp_path: Path, code: str, slug: str) -> None:
    result = scan(tmp_path, {"src/loader.js": code + "\n"})
    found = endpoint(result, "c2.hid.test")
    assert any(url.startswith("https://c2.hid.test/x") for url in found.urls)
    assert found.sources[0].path == "src/loader.js"
    assert found.sources[0].line == 1
    assert hidden_rules(result, "c2.hid.test") == {f"endpoint.hidden-{slug}"}


@pytest.mark.parametrize("suffix", ["ts", "tsx"])
def test_typescript_forms_fold(tmp_path: Path, suffix: str) -> None:
    code = f"const k = '{b64('https://ts.hid.test/')}' as const;\nexport const u: string = atob(k as string);\n"
    result = scan(tmp_path, {f"src/x.{suffix}": code})
    assert [(s.line, s.how) for s in endpoint(result, "ts.hid.test").sources] == [
        (1, "base64 literal"),
        (2, "constant k (line 1) then atob"),
    ]
    findings = [f for f in result.findings if "ts.hid.test" in f.hosts]
    assert [(f.line, f.rule) for f in findings] == [(1, "endpoint.hidden-base64")]
    assert findings[0].message.endswith("also at line 2")


PY_FORMS = [
    ("u = 'https://c2.' + 'hid.test/x'", "concatenation"),
    ("p = 'c2'\nu = f'https://{p}.hid.test/x'", "concatenation"),
    (f"import base64\nu = base64.b64decode('{b64('https://c2.hid.test/x')}').decode()", "base64"),
    (f"from base64 import urlsafe_b64decode\nu = urlsafe_b64decode('{b64('https://c2.hid.test/x')}')", "base64"),
    (f"u = bytes.fromhex('{b'https://c2.hid.test/x'.hex()}').decode('utf-8')", "hex"),
    (f"import codecs\nu = codecs.decode('{b'https://c2.hid.test/x'.hex()}', 'hex').decode()", "hex"),
    ("import codecs\nu = codecs.decode('uggcf://p2.uvq.grfg/k', 'rot13')", "rot13"),
    (f"u = ''.join(chr(c) for c in [{codes('https://c2.hid.test/x')}])", "charcode"),
    (f"u = ''.join([chr(c) for c in [{codes('https://c2.hid.test/x')}]])", "charcode"),
    (f"u = ''.join(map(chr, [{codes('https://c2.hid.test/x')}]))", "charcode"),
    (f"u = bytes([{codes('https://c2.hid.test/x')}]).decode()", "charcode"),
    ("u = 'x/tset.dih.2c//:sptth'[::-1]", "reversed"),
    ("u = ''.join(reversed('x/tset.dih.2c//:sptth'))", "reversed"),
    ("u = '\\x68ttps://c2.\\u0068id.test/x'.encode().decode()", "escape"),
]


@pytest.mark.parametrize(("code", "slug"), PY_FORMS)
def test_python_folding_names_the_hidden_host(tmp_path: Path, code: str, slug: str) -> None:
    result = scan(tmp_path, {"app/loader.py": code + "\n"})
    found = endpoint(result, "c2.hid.test")
    assert "https://c2.hid.test/x" in found.urls
    assert found.sources[0].path == "app/loader.py"
    assert hidden_rules(result, "c2.hid.test") == {f"endpoint.hidden-{slug}"}


def test_plain_literal_is_inventory_without_finding(tmp_path: Path) -> None:
    result = scan(tmp_path, {"a.js": "const API = 'https://api.plain.test/v1';\nfetch(API + '/users?x=1#frag');\n"})
    found = endpoint(result, "api.plain.test")
    assert found.urls == ("https://api.plain.test/v1", "https://api.plain.test/v1/users?x=1")
    assert [s.how for s in found.sources] == ["literal", "constant API (line 1) then concatenation"]
    assert hidden_rules(result, "api.plain.test") == set()


def test_split_loader_resolves_dotenv_base64_through_an_imported_decoder(tmp_path: Path) -> None:
    encoded = b64("https://ip-core-api-one.hid.test/api")
    result = scan(
        tmp_path,
        {
            ".env": f"PORT=3000\n# keys\nAUTH_API={encoded}\n",
            "server/controllers/auth.js": "const setApiKey = (s) => atob(s);\nmodule.exports = { setApiKey };\n",
            "server/routes/auth.js": (
                "const { setApiKey } = require('../controllers/auth');\nverify(setApiKey(process.env.AUTH_API));\n"
            ),
        },
    )
    found = endpoint(result, "ip-core-api-one.hid.test")
    assert found.urls == ("https://ip-core-api-one.hid.test/api",)
    by_path = {(s.path, s.line): s.how for s in found.sources}
    assert by_path[(".env", 3)] == "base64 in .env AUTH_API"
    assert "read by process.env.AUTH_API" in by_path[("server/routes/auth.js", 2)]
    assert "setApiKey() from server/controllers/auth.js (base64)" in by_path[("server/routes/auth.js", 2)]
    findings = [f for f in result.findings if f.category is Category.ENDPOINT]
    assert len(findings) == 1
    assert (findings[0].path, findings[0].line, findings[0].rule) == (".env", 3, "endpoint.hidden-env-base64")
    assert findings[0].severity is Severity.MEDIUM
    assert "server/routes/auth.js:2" in findings[0].message


@pytest.mark.parametrize(
    "value",
    [
        "xx!" + b64("https://junk.hid.test/a") + "#q",
        "~~" + b64("https://junk.hid.test/a").rstrip("=") + "==zz",
        b64("https://junk.hid.test/a").replace("=", ""),
    ],
)
def test_junk_padded_base64_in_dotenv(tmp_path: Path, value: str) -> None:
    result = scan(tmp_path, {".env.local": f"export CONFIG_ENDPOINT='{value}'\n"})
    assert endpoint(result, "junk.hid.test").sources[0].path == ".env.local"
    assert hidden_rules(result, "junk.hid.test") == {"endpoint.hidden-env-base64"}


def test_dotenv_hex_and_plain_values(tmp_path: Path) -> None:
    hexed = b"https://hex.hid.test/c".hex()
    result = scan(
        tmp_path,
        {".env.example": f'MONGO="mongodb+srv://u:pw@db.plain.test/app" # db\nHEXED={hexed}\nNAME=plain words\n'},
    )
    assert endpoint(result, "db.plain.test").urls == ("mongodb+srv://db.plain.test/app",)
    assert hidden_rules(result, "db.plain.test") == set()
    assert hidden_rules(result, "hex.hid.test") == {"endpoint.hidden-env-hex"}


def test_env_readers_in_each_language(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        {
            ".env": "API_URL=https://env.plain.test/v2\n",
            "a.js": "const a = process.env['API_URL'];\nconst b = import.meta.env.API_URL + '/x';\n",
            "b.py": "import os\na = os.getenv('API_URL')\nb = os.environ['API_URL']\nc = os.environ.get('API_URL')\n",
        },
    )
    lines = {(s.path, s.line) for s in endpoint(result, "env.plain.test").sources}
    assert lines == {(".env", 1), ("a.js", 1), ("a.js", 2), ("b.py", 2), ("b.py", 3), ("b.py", 4)}
    assert "https://env.plain.test/v2/x" in endpoint(result, "env.plain.test").urls


def test_imported_constants_across_modules(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        {
            "src/config/index.ts": "export const BASE = 'https://' + ['mod', 'hid', 'test'].join('.');\n",
            "src/api.ts": "import { BASE as B } from './config';\nexport const get = () => fetch(`${B}/items`);\n",
            "pkg/settings.py": "ERROR_API = '" + b64("https://py.hid.test/r") + "'\n",
            "pkg/errors.py": "import base64\nfrom pkg import settings\nu = base64.b64decode(settings.ERROR_API)\n",
        },
    )
    assert "https://mod.hid.test/items" in endpoint(result, "mod.hid.test").urls
    assert ("src/api.ts", 2) in {(s.path, s.line) for s in endpoint(result, "mod.hid.test").sources}
    # Hidden where it was built, not again at every importer.
    assert {f.path for f in result.findings if "mod.hid.test" in f.hosts} == {"src/config/index.ts"}
    assert endpoint(result, "py.hid.test").urls == ("https://py.hid.test/r",)


def test_json_config_value_decoded_by_code(tmp_path: Path) -> None:
    hexed = b"https://json.hid.test/cfg".hex()
    result = scan(
        tmp_path,
        {
            "config/default.json": f'{{"port": 3000, "analyticsId": "{hexed}"}}',
            "src/a.js": "const cfg = require('../config/default.json');\n"
            "const u = Buffer.from(cfg.analyticsId, 'hex').toString('utf8');\n",
        },
    )
    assert ("src/a.js", 2) in {(s.path, s.line) for s in endpoint(result, "json.hid.test").sources}


def test_bare_hosts_ips_and_ports(tmp_path: Path) -> None:
    code = (
        "const c = { host: 'c2.bare.test', port: 1244 };\n"
        "net.connect(8085, '203.0.113.9');\n"
        "const gate = '198.51.100.7:1224';\n"
        "const file = 'setup.py';\n"
        "const user = { name: 'user.name' };\n"
        "const mod = require('socket.io');\n"
    )
    result = scan(
        tmp_path, {"a.js": code, "b.py": "import socket\ns = socket.create_connection(('192.0.2.3', 8086))\n"}
    )
    assert endpoint(result, "c2.bare.test").ports == (1244,)
    assert endpoint(result, "203.0.113.9").ports == (8085,)
    assert endpoint(result, "198.51.100.7").ports == (1224,)
    assert endpoint(result, "192.0.2.3").ports == (8086,)
    assert endpoint(result, "203.0.113.9").classification == "raw-ip"
    hosts = {e.host for e in result.endpoints}
    assert not hosts & {"setup.py", "user.name", "socket.io"}


def test_non_contact_urls_and_comments(tmp_path: Path) -> None:
    code = (
        "// Licensed under http://www.apache.org/licenses/LICENSE-2.0\n"
        "// API docs: https://docs.vendor.test/api\n"
        'const svg = <svg xmlns="http://www.w3.org/2000/svg" />;\n'
        "const schema = { $schema: 'http://json-schema.org/draft-07/schema#' };\n"
        "const local = 'http://localhost:3000/api'; const loop = 'http://127.0.0.1:8080';\n"
    )
    result = scan(
        tmp_path,
        {"a.jsx": code, "b.py": '"""See https://developer.mozilla.org/en-US/ and https://pydocs.vendor.test/x"""\n'},
    )
    hosts = {e.host for e in result.endpoints}
    assert not hosts & {"www.apache.org", "www.w3.org", "json-schema.org", "developer.mozilla.org"}
    assert endpoint(result, "docs.vendor.test").sources[0].how == "comment"
    assert endpoint(result, "pydocs.vendor.test").sources[0].how == "docstring"
    assert endpoint(result, "localhost").classification == "local"
    assert endpoint(result, "127.0.0.1").classification == "local"
    assert not [f for f in result.findings if f.category is Category.ENDPOINT]


def test_hidden_local_host_makes_no_finding(tmp_path: Path) -> None:
    result = scan(tmp_path, {"a.js": f"const u = atob('{b64('http://localhost:3000/')}');\n"})
    assert endpoint(result, "localhost").classification == "local"
    assert not [f for f in result.findings if f.category is Category.ENDPOINT]


def test_idna_host_is_punycode(tmp_path: Path) -> None:
    result = scan(tmp_path, {"a.js": "const u = 'https://bücher.idn.test/x';\n"})
    assert endpoint(result, "xn--bcher-kva.idn.test").urls == ("https://xn--bcher-kva.idn.test/x",)


def test_hostile_inputs_finish_with_bounded_results(tmp_path: Path) -> None:
    deep_concat = "const u = " + " + ".join(["'a'"] * 20000) + ";\n"
    nested = "const n = " + "[" * 3000 + "'https://deep.test'" + "]" * 3000 + ";\n"
    minified = ";".join(f"var a{i}='x{i}'+b{i}" for i in range(30000)) + ";\n"
    many_consts = "".join(f"const c{i} = c{i - 1} + 'a';\n" for i in range(1, 3000))
    result = scan(
        tmp_path,
        {
            "deep.js": deep_concat,
            "nested.js": nested,
            "min.js": minified,
            "chain.js": "const c0 = 'https://chain.test/';\n" + many_consts,
            "garbage.js": bytes(range(256)) * 200,
            "garbage.py": b"\xff\xfe" + bytes(range(256)) * 100,
            ".env": b"\xff\x00=\n=\nA='unclosed\nB=\"x\\\n",
            "huge-line.py": "x = '" + "A" * 500_000 + "'\n",
        },
    )
    assert endpoint(result, "chain.test").sources[0].line == 1
    assert all(len(e.urls) < 100 for e in result.endpoints)


def test_cross_module_cycle_terminates(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        {
            "a.js": "import { B } from './b';\nexport const A = B + '/a';\nfetch('https://cyc.test' + A);\n",
            "b.js": "import { A } from './a';\nexport const B = A + '/b';\n",
        },
    )
    assert endpoint(result, "cyc.test").sources[0].path == "a.js"


def test_a_decoder_wrapping_another_modules_decoder_is_followed(tmp_path: Path) -> None:
    """sympy-shaped: a helper calls a helper of another module that decodes (was a KeyError)."""
    result = scan(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/inner.py": "import base64\ndef unb(x):\n    return base64.b64decode(x).decode()\n",
            "pkg/outer.py": "from pkg.inner import unb\ndef dec(x):\n    return unb(x)\n",
            "pkg/main.py": "import requests\nfrom pkg.outer import dec\nrequests.get(dec('"
            + b64("https://wrapped.hid.test/p")
            + "'))\n",
        },
    )
    assert endpoint(result, "wrapped.hid.test").urls == ("https://wrapped.hid.test/p",)
