// Inert replica of the AjunaVerse split loader (routes file): verify() is imported, its request is elsewhere.
const { verify, setApiKey } = require("../../controllers/auth");

verify(setApiKey(process.env.AUTH_API)).then((response) => {
  // ruleid: promise-result-to-require-function
  const executor = new Function("require", response.data);
  executor(require);
});

async function boot(getConfig) {
  const payload = await getConfig();
  // ruleid: promise-result-to-require-function
  Function.constructor("require", payload.cookie)(require);
}

// --- benign: template engines compile local files, and never inject require
const fs = require("fs");

function compileTemplate(file) {
  return fs.promises.readFile(file, "utf8").then((src) => {
    // ok: promise-result-to-require-function
    return new Function("require", src);
  });
}

async function render(loadLocals) {
  const locals = await loadLocals();
  // ok: promise-result-to-require-function
  return new Function("locals", "with (locals) { return `" + locals.body + "`; }");
}
