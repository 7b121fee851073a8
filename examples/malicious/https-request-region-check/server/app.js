const express = require('express');
const userController = require('./controllers/userController');

const app = express();
app.get('/users/:id', userController.getUser);
app.listen(3001);
