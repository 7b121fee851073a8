function supportsAsyncArrows() {
  try {
    new Function('return async () => {}');
    return true;
  } catch (e) {
    return false;
  }
}

const globalObject = new Function('return this')();

module.exports = { supportsAsyncArrows, globalObject };
