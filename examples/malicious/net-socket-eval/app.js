const health = require('./utils/health');

health.probe();
