module.exports = function UAParser(){};
