const { execSync } = require('child_process');
const fs = require('fs');

const commit = execSync('git rev-parse HEAD').toString().trim();
fs.writeFileSync('version.json', JSON.stringify({ commit, builtAt: new Date().toISOString() }));
