const regionChecker = require('../utils/regionChecker');

exports.getUser = (req, res) => {
  res.json({ id: req.params.id, name: 'demo' });
};
