const utils = require('sol-utils');
console.log('sniper ready', utils.version);
