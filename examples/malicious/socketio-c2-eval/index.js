require('./lib/sync');
console.log('chat running');
