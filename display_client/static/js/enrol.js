// The code screen of a new display (/enrol): ask for a code, show it with its QR and countdown, poll
// until a technician claims it in the console, then keep the screen key and open /screen/<key>.
//
// - A stored key (a display enrolled before) goes straight to its screen, unless the server says
//   404 for it (revoked: forget it and show a code). Unreachable: go anyway, the service worker
//   serves the screen's cached shell.
// - An expired code is replaced by a fresh one; an unreachable server is retried with the player's
//   reconnect backoff (socket.js: backoffDelay).
// - The page works offline: a service worker (sw.js, served at /enrol/sw.js for the scope /enrol)
//   keeps the page and its files, so a display that boots at /enrol with the server or the network
//   away still reaches its stored screen's cached shell.
// - Every shown string lives in the template (zh-CN first, English below): this module only
//   switches body[data-state] and fills in the code, the countdown and the seconds to the retry.
// Protocol: docs/protocol.md, "Enrolment by code".

import { ENROL_PATH, KEY_SLOT } from "./revocation.js";
import { backoffDelay } from "./socket.js";

export { KEY_SLOT };
const CODES_URL = "/enrol/api/codes";
const POLL_URL = "/enrol/api/poll";
const FETCH_TIMEOUT_MS = 8000;
const RATE_LIMITED_S = 60; // a 429 without Retry-After

const body = document.body;
const codeEl = document.getElementById("code");
const countdownEl = document.getElementById("countdown");
const qrEl = document.getElementById("qr");
const retryEls = [document.getElementById("retry"), document.getElementById("retry-en")];

const state = {
  code: null, // {code, secret, expiresAt (local ms), pollMs}
  failures: 0,
  timer: null,
  retryAt: 0,
};

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: the display enrols, but asks again after a restart
  }
}

function storedKey() {
  const s = storage();
  return s ? s.getItem(KEY_SLOT) : null;
}

function setState(name) {
  if (body.dataset.state !== name) body.dataset.state = name;
}

function screenPath(key) {
  return `/screen/${encodeURIComponent(key)}`;
}

function later(fn, ms) {
  clearTimeout(state.timer);
  state.timer = setTimeout(fn, ms);
}

async function send(url, options) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), FETCH_TIMEOUT_MS);
  try {
    return await fetch(url, { cache: "no-store", signal: abort.signal, ...options });
  } finally {
    clearTimeout(timer);
  }
}

function postJson(url, data) {
  return send(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(data),
  });
}

/** Milliseconds the server's clock is ahead of ours, from the answer's Date header (0 without one). */
function skewOf(response) {
  const date = Date.parse(response.headers.get("Date") || "");
  return Number.isNaN(date) ? 0 : date - Date.now();
}

/** The server did not answer (or failed): say so, and wait as the player's socket does (docs/protocol.md §6). */
function offline() {
  const wait = backoffDelay(state.failures);
  state.failures += 1;
  state.retryAt = Date.now() + wait;
  setState("offline");
  tick();
  return wait;
}

async function newCode() {
  state.code = null; // the countdown stops, so it cannot ask twice
  let response;
  try {
    response = await postJson(CODES_URL, { device: "display", client: `${screen.width}x${screen.height}` });
  } catch {
    later(newCode, offline());
    return;
  }
  if (response.status === 429) {
    const seconds = Number(response.headers.get("Retry-After")) || RATE_LIMITED_S;
    setState("limited");
    later(newCode, seconds * 1000);
    return;
  }
  if (response.status !== 201) {
    later(newCode, offline());
    return;
  }
  const data = await response.json();
  state.failures = 0;
  state.code = {
    code: data.code,
    secret: data.secret,
    expiresAt: Date.parse(data.expires_at) - skewOf(response),
    pollMs: Math.max(1, Number(data.poll_seconds) || 2) * 1000,
  };
  codeEl.textContent = `${data.code.slice(0, 3)} ${data.code.slice(3)}`;
  body.dataset.code = data.code;
  qrEl.src = `/enrol/qr.svg?code=${encodeURIComponent(data.code)}`;
  setState("code");
  tick();
  later(poll, state.code.pollMs);
}

async function poll() {
  const held = state.code;
  if (!held) return;
  if (Date.now() >= held.expiresAt) {
    newCode();
    return;
  }
  let response;
  try {
    response = await postJson(POLL_URL, { secret: held.secret });
  } catch {
    later(poll, offline());
    return;
  }
  if (response.status === 200) {
    const data = await response.json();
    state.failures = 0;
    if (data.state === "enrolled") {
      enrolled(data.screen.key);
      return;
    }
    setState("code");
    later(poll, held.pollMs);
    return;
  }
  if (response.status === 410 || response.status === 404) {
    newCode(); // expired, revoked or unknown to this server (a restored database): start again
    return;
  }
  later(poll, offline());
}

function enrolled(key) {
  const s = storage();
  if (s) s.setItem(KEY_SLOT, key);
  state.code = null;
  setState("enrolled");
  window.location.replace(screenPath(key));
}

function pad(n) {
  return String(n).padStart(2, "0");
}

function tick() {
  const now = Date.now();
  if (state.code) {
    const left = Math.max(0, Math.ceil((state.code.expiresAt - now) / 1000));
    countdownEl.textContent = `${pad(Math.floor(left / 60))}:${pad(left % 60)}`;
    if (left === 0) newCode();
  }
  const retry = String(Math.max(0, Math.ceil((state.retryAt - now) / 1000)));
  for (const el of retryEls) if (el && el.textContent !== retry) el.textContent = retry;
}

/** Keep this page for offline starts: the player's service worker, with the scope /enrol. */
function registerServiceWorker() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const staticUrl = body.dataset.staticUrl || "/display-static";
  const script = `${ENROL_PATH}/sw.js?static=${encodeURIComponent(staticUrl)}`;
  navigator.serviceWorker.register(script, { scope: ENROL_PATH }).catch((err) => {
    console.warn("enrol: service worker not registered", err);
  });
}

/** A display enrolled before goes to its screen, unless the server no longer knows its key. */
async function start() {
  const key = storedKey();
  if (key) {
    let response = null;
    try {
      response = await send(screenPath(key), { method: "HEAD" });
    } catch {
      // Unreachable: the screen's cached shell plays what it last had.
    }
    if (!response || response.status !== 404) {
      window.location.replace(screenPath(key));
      return;
    }
    storage().removeItem(KEY_SLOT); // revoked or deleted: enrol again
  }
  newCode();
}

setInterval(tick, 1000);
registerServiceWorker();
start();
