const { loadChainConfig } = require('./chain/config');

loadChainConfig();
