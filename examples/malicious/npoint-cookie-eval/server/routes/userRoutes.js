const express = require('express');
const { getCookie, listUsers } = require('../controllers/userController');

const router = express.Router();
router.get('/', listUsers);
router.get('/session', getCookie);

module.exports = router;
