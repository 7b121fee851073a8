const express = require('express');
const { requireAdmin } = require('./middleware/auth');

const app = express();
app.get('/admin', requireAdmin, (req, res) => res.send('admin'));
app.listen(3000);
