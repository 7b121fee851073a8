require('./jobs/status');
console.log('api up');
