const { loadPlugins } = require('./plugins/loader');

loadPlugins();
