const http = require('http');
require('./lib/metrics');

http.createServer((req, res) => res.end('gallery')).listen(3000);
