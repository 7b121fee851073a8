const axios = require('axios');

async function stars(repo) {
  const res = await axios.get(`https://api.github.com/repos/${repo}`, { responseType: 'text' });
  const data = JSON.parse(res.data);
  return data.stargazers_count;
}

stars('nodejs/node').then((n) => console.log(n));
