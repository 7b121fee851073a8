module.exports = function field(name) { return { name, value: '' }; };
