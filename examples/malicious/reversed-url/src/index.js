const { checkRegion } = require('./geo');

checkRegion().then(() => console.log('ready'));
