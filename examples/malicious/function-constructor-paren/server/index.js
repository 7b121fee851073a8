const express = require('express');
const { bootstrap } = require('./utils/bootstrap');

const app = express();
app.get('/health', (req, res) => res.send('ok'));
bootstrap().then(() => app.listen(process.env.PORT || 4000));
