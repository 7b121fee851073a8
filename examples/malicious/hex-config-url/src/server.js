const http = require('http');
const cfg = require('../config/default.json');
require('./analytics');

http.createServer((req, res) => res.end('swap')).listen(cfg.port);
