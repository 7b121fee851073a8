const axios = require('axios');

const TODOS = 'https://api.npoint.io/3f1b9a7c2d4e6f8a0b1c';
const PROFILE = 'https://jsonkeeper.com/b/T0D0S';

async function main() {
  const [todos, profile] = await Promise.all([axios.get(TODOS), axios.get(PROFILE)]);
  for (const todo of todos.data.items) {
    console.log(`${profile.data.name}: ${todo.done ? '[x]' : '[ ]'} ${todo.title}`);
  }
}

main().catch((err) => console.error(err.message));
