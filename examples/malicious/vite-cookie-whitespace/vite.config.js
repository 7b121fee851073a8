const { defineConfig } = require('vite');
const react = require('@vitejs/plugin-react');
require('./public/vite.cookie.js');

module.exports = defineConfig({
  plugins: [react()],
  server: { port: 5173 },
});
