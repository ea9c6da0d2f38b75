// Service worker of the wall player (served at /screen/sw.js, scope /screen/), and of the enrol
// page (the same file served at /enrol/sw.js, scope /enrol), so both start offline.
//
// So a wall survives the network and the server going away (docs/architecture.md, "Offline"):
// - the app shell (player page or enrol page, scripts, stylesheet): network first, the cached copy when the
//   network fails, so a deployed update arrives at the next load and an outage still boots;
// - manifest.json: network first with the cached copy as fallback;
// - /media/<sha256>: cache first; the name is the content hash, so a cached copy is never stale;
// - /voice/<sha256> (voice pack indexes and segments): cache first in its own cache, for the same reason;
// - /kiosk/api/: never touched (personal data must not reach any cache; the answers say no-store).
// The page posts the media URLs of its manifest ({type: "media", urls}) to fetch them ahead and to
// drop media no manifest uses any more.

const VERSION = "wall-v1";
const SHELL_CACHE = `${VERSION}-shell`;
const DATA_CACHE = `${VERSION}-data`;
const MEDIA_CACHE = `${VERSION}-media`;
const VOICE_CACHE = `${VERSION}-voice`; // voice pack indexes and segments (/voice/<sha256>), never stale
const NETWORK_TIMEOUT_MS = 5000;

// Every file of the shell, relative to the static URL (a test checks this list is complete).
const SHELL_FILES = [
  "css/emergency.css",
  "css/enrol.css",
  "css/evaluator.css",
  "css/kiosk-fairs.css",
  "css/kiosk-guides.css",
  "css/kiosk-queue.css",
  "css/kiosk-training.css",
  "css/kiosk.css",
  "css/market.css",
  "css/queue.css",
  "css/wall-fairs.css",
  "css/wall.css",
  "js/_dom.js",
  "js/announcer.js",
  "js/clock.js",
  "js/connection.js",
  "js/counter-grid.js",
  "js/counter-strip.js",
  "js/emergency-views.js",
  "js/emergency.js",
  "js/enrol.js",
  "js/evaluator/app.js",
  "js/evaluator/strings.js",
  "js/evaluator/view.js",
  "js/events.js",
  "js/feed.js",
  "js/guide-card.js",
  "js/handshake.js",
  "js/header.js",
  "js/i18n.js",
  "js/idle.js",
  "js/kiosk/api.js",
  "js/kiosk/app.js",
  "js/kiosk/bridge.js",
  "js/kiosk/chrome.js",
  "js/kiosk/citizen.js",
  "js/kiosk/countdown.js",
  "js/kiosk/dialog.js",
  "js/kiosk/errors.js",
  "js/kiosk/format.js",
  "js/kiosk/icons.js",
  "js/kiosk/idle.js",
  "js/kiosk/initials-search.js",
  "js/kiosk/keyboard.js",
  "js/kiosk/match-interest.js",
  "js/kiosk/match-phone.js",
  "js/kiosk/match-print.js",
  "js/kiosk/match-profile.js",
  "js/kiosk/match-reasons.js",
  "js/kiosk/match-row.js",
  "js/kiosk/match-statement.js",
  "js/kiosk/note.js",
  "js/kiosk/pager.js",
  "js/kiosk/printing.js",
  "js/kiosk/screens/attract.js",
  "js/kiosk/screens/certificate.js",
  "js/kiosk/screens/guide.js",
  "js/kiosk/screens/guides.js",
  "js/kiosk/screens/home.js",
  "js/kiosk/screens/job.js",
  "js/kiosk/screens/jobs.js",
  "js/kiosk/screens/matches.js",
  "js/kiosk/screens/needs-card.js",
  "js/kiosk/screens/policies.js",
  "js/kiosk/screens/policy.js",
  "js/kiosk/screens/queue.js",
  "js/kiosk/screens/records.js",
  "js/kiosk/screens/training.js",
  "js/kiosk/screens/fairs.js",
  "js/kiosk/screens/fair.js",
  "js/kiosk/screens/course.js",
  "js/kiosk/sheet.js",
  "js/kiosk/strings.js",
  "js/kiosk/take-card.js",
  "js/kiosk/vacancy-list.js",
  "js/layout.js",
  "js/manifest-wire.js",
  "js/media.js",
  "js/document.js",
  "js/notice.js",
  "js/play-log.js",
  "js/qr-code.js",
  "js/power.js",
  "js/queue-board.js",
  "js/region-player.js",
  "js/remote-care.js",
  "js/revocation.js",
  "js/socket.js",
  "js/store.js",
  "js/text-card.js",
  "js/ticker.js",
  "js/timeline.js",
  "js/vacancy-board.js",
  "js/training-board.js",
  "js/fair-board.js",
  "js/market-board.js",
  "js/voice-pack.js",
  "js/wall.js",
  "js/webpage.js",
];

const STATIC_URL = (new URL(self.location.href).searchParams.get("static") || "/display-static").replace(/\/+$/, "");
const SCOPE_PATH = new URL(self.registration.scope).pathname;

function shellUrls() {
  return SHELL_FILES.map((file) => new URL(`${STATIC_URL}/${file}`, self.location.origin).href);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // The shell files, and the player page of every window already open (it registered us).
      const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const pageUrls = pages.map((c) => c.url).filter((url) => new URL(url).pathname.startsWith(SCOPE_PATH));
      await Promise.all(
        [...shellUrls(), ...pageUrls].map(async (url) => {
          try {
            const response = await fetch(url, { cache: "no-store" });
            if (response.ok) await cache.put(url, response);
          } catch {
            // One missing file must not stop the worker; it is cached on its first use instead.
          }
        }),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([SHELL_CACHE, DATA_CACHE, MEDIA_CACHE, VOICE_CACHE]);
      for (const name of await caches.keys()) {
        if (name.startsWith("wall-") && !keep.has(name)) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function fetchWithTimeout(request) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), NETWORK_TIMEOUT_MS);
  try {
    return await fetch(request, { signal: abort.signal });
  } finally {
    clearTimeout(timer);
  }
}

/** Network first; on failure (or a server error) the cached copy, if any. */
async function networkFirst(request, cacheName, key = request) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetchWithTimeout(request);
    if (response.ok) {
      await cache.put(key, response.clone());
      return response;
    }
    if (response.status < 500) return response; // 404 and friends are answers, not outages
    const cached = await cache.match(key, { ignoreSearch: true });
    return cached || response;
  } catch (err) {
    const cached = await cache.match(key, { ignoreSearch: true });
    if (cached) return cached;
    throw err;
  }
}

/** A 206 slice of a cached full response, for the Range requests video elements make. */
async function rangeResponse(request, response) {
  const match = /^bytes=(\d*)-(\d*)$/.exec(request.headers.get("range") || "");
  if (!match) return response;
  const blob = await response.blob();
  const size = blob.size;
  let start = match[1] === "" ? null : Number(match[1]);
  let end = match[2] === "" ? null : Number(match[2]);
  if (start === null) {
    start = Math.max(0, size - (end ?? 0));
    end = size - 1;
  } else if (end === null || end >= size) {
    end = size - 1;
  }
  if (start >= size || start > end) {
    return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${size}` } });
  }
  const headers = new Headers(response.headers);
  headers.set("Content-Range", `bytes ${start}-${end}/${size}`);
  headers.set("Content-Length", String(end - start + 1));
  return new Response(blob.slice(start, end + 1), { status: 206, statusText: "Partial Content", headers });
}

/** Cache first for content-addressed media. */
async function mediaFirst(request, cacheName = MEDIA_CACHE) {
  const cache = await caches.open(cacheName);
  const key = new URL(request.url).pathname;
  let response = await cache.match(key);
  if (!response) {
    const fresh = await fetch(key); // the whole file, whatever range was asked, so it can be cached
    if (!fresh.ok) return fresh;
    await cache.put(key, fresh.clone());
    response = fresh;
  }
  return request.headers.has("range") ? rangeResponse(request, response) : response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  // The kiosk API carries personal data: straight to the network, never into a cache.
  if (path.startsWith("/kiosk/api/")) return;
  if (path.startsWith("/media/")) {
    event.respondWith(mediaFirst(request));
  } else if (path.startsWith("/voice/")) {
    event.respondWith(mediaFirst(request, VOICE_CACHE)); // content-addressed like media (voice-pack.js)
  } else if (path.startsWith(SCOPE_PATH) && path.endsWith("/manifest.json")) {
    event.respondWith(networkFirst(request, DATA_CACHE, url.origin + path));
  } else if (request.mode === "navigate" && path.startsWith(SCOPE_PATH)) {
    event.respondWith(networkFirst(request, SHELL_CACHE, url.origin + path));
  } else if (path.startsWith(`${STATIC_URL}/`)) {
    event.respondWith(networkFirst(request, SHELL_CACHE, url.origin + path));
  }
});

async function syncMedia(urls) {
  const cache = await caches.open(MEDIA_CACHE);
  const wanted = new Set(urls.map((u) => new URL(u, self.location.origin).pathname));
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (!wanted.has(path)) await cache.delete(request);
  }
  for (const path of wanted) {
    if (await cache.match(path)) continue;
    try {
      const response = await fetch(path);
      if (response.ok) await cache.put(path, response);
    } catch {
      // Fetched on first play instead.
    }
  }
}

self.addEventListener("message", (event) => {
  const data = event.data;
  if (data && data.type === "media" && Array.isArray(data.urls)) {
    event.waitUntil(syncMedia(data.urls.filter((u) => typeof u === "string")));
  }
});
