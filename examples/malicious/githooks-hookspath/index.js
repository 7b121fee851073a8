console.log('mansa trade dashboard');
