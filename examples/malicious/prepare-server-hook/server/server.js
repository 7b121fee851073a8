const express = require('express');
const { connect } = require('./config/database');

const app = express();
connect();
app.listen(process.env.PORT || 5001);
