const fs = require('fs');
const path = require('path');

function compile(source) {
  const body = source
    .split(/<%=([\s\S]+?)%>/g)
    .map((part, i) => (i % 2 ? `out += (${part.trim()});` : `out += ${JSON.stringify(part)};`))
    .join('\n');
  return new Function('locals', `let out = ''; with (locals) { ${body} } return out;`);
}

function renderFile(name, locals) {
  const file = path.join(__dirname, '..', 'views', `${name}.tpl`);
  return compile(fs.readFileSync(file, 'utf8'))(locals);
}

module.exports = { compile, renderFile };
