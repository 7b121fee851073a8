// errorHandler wrapper (OtterCookie "Triple Fork", Estokkyam): the caller lives in another module.
const createHandler = (errCode) => {
  // ruleid: function-parameter-compiled-with-require
  const handler = new Function.constructor("require", errCode);
  return handler;
};

function errorHandler(error) {
  // ruleid: function-parameter-compiled-with-require
  const handle = new (Function.constructor)("require", error);
  return handle(require);
}

// ruleid: function-parameter-compiled-with-require
const run = (payload) => Function("require", payload)(require);

// --- benign: CommonJS-in-the-browser loaders inject module and exports too; templates never inject require
function defineModule(source) {
  // ok: function-parameter-compiled-with-require
  return new Function("require", "module", "exports", source);
}

function compileTemplate(src) {
  // ok: function-parameter-compiled-with-require
  return new Function("data", "escape", src);
}

// ok: function-parameter-compiled-with-require
const probe = new Function("require", "return typeof require")(require);
