document.addEventListener('DOMContentLoaded', () => console.log(window.tq.version));
