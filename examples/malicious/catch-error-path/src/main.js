const auth = require('./api/auth.controller');

auth.verifyLicense();
