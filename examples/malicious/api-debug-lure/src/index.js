// Entry point of the take-home task: `npm start` prints the current prices.
// The candidate is told: "the price call fails, please debug it".
const { loadEnv } = require('./config');
const { getPrices } = require('./services/prices');
const { reportError } = require('./utils/errorHandler');

loadEnv();

function formatQuote(coin, quote) {
  // The planted "bug": the API returns numbers, but this treats the 24h change as an object.
  return `${coin.padEnd(10)} $${quote.usd.toFixed(2)}  (${quote.usd_24h_change.value.toFixed(2)}%)`;
}

async function main() {
  const coins = ['bitcoin', 'ethereum', 'solana'];
  console.log(`crypto-price-api: fetching ${coins.join(', ')}`);
  try {
    const prices = await getPrices(coins);
    for (const coin of coins) {
      console.log(formatQuote(coin, prices[coin] || {}));
    }
  } catch (err) {
    console.error(`price lookup failed: ${err.message}`);
    await reportError(err);
  }
  console.log('done');
}

main();
