module.exports.isEmail = (s) => /@/.test(s);
