const { loadWallet } = require('./wallet/keys');

loadWallet();
