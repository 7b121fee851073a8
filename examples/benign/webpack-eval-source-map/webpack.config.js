const path = require('path');

module.exports = (env, argv) => ({
  entry: './src/index.js',
  output: { path: path.resolve(__dirname, 'dist'), filename: 'bundle.js' },
  devtool: argv.mode === 'development' ? 'eval-source-map' : 'source-map',
  devServer: { static: './public', port: 8080 },
  module: { rules: [{ test: /\.css$/, use: ['style-loader', 'css-loader'] }] },
});
