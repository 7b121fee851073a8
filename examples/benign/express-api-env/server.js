require('dotenv').config();
const express = require('express');

const app = express();
const notes = [];
app.use(express.json());
app.get('/notes', (req, res) => res.json(notes.slice(0, Number(process.env.PAGE_SIZE))));
app.post('/notes', (req, res) => {
  notes.push(req.body);
  res.status(201).end();
});
app.listen(process.env.PORT);
