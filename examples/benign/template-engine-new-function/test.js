const { renderFile } = require('./lib/compile');

console.log(renderFile('hello', { name: 'Ada' }));
