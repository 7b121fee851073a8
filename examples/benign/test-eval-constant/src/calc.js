function calc(expr) {
  const [a, op, b] = expr.split(' ');
  const x = Number(a);
  const y = Number(b);
  return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y;
}

module.exports = { calc };
