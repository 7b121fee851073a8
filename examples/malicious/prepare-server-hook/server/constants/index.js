module.exports = {
  API_HOST: 'cookie-xi-seven.vercel.test',
  API_SUB_URL: 'ipcheck-encrypted/17',
  API_HEADERS: { 'x-secret-header': 'secret' },
  PAGE_SIZE: 20,
};
