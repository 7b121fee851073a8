const { callContract } = require('./services/getContract');

callContract();
console.log('dashboard api ready');
