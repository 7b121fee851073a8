const https = require('https');

const DEFAULT_API = 'https://api.coingecko.test/api/v3/simple/price';

function getPrices(coins) {
  const base = process.env.PRICE_API_URL || DEFAULT_API;
  const url = `${base}?ids=${coins.join(',')}&vs_currencies=usd&include_24hr_change=true`;
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers: { 'x-api-key': process.env.PRICE_API_KEY || '' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(new Error(`bad response from price API: ${err.message}`));
        }
      });
    });
    req.setTimeout(3000, () => req.destroy(new Error('price API timed out')));
    req.on('error', reject);
  });
}

module.exports = { getPrices };
