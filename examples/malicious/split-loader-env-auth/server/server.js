const express = require('express');
require('dotenv').config();

const app = express();
app.use(express.json());
app.use('/api/auth', require('./routes/api/auth'));

app.listen(process.env.PORT || 5000);
