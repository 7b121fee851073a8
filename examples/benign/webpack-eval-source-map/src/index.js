import './style.css';

document.body.textContent = 'hello';
