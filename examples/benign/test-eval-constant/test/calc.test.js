const assert = require('node:assert');
const test = require('node:test');
const { calc } = require('../src/calc');

const CASES = ['1 + 2', '6 * 7', '9 - 4'];

test('matches JavaScript arithmetic', () => {
  for (const expr of CASES) {
    assert.strictEqual(calc(expr), eval(expr));
  }
});
