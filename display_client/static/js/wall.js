// The wall player's entry point: wires the store, the timeline, the renderers and the socket.
//
// Start-up order, so a wall shows something as early as it can and never an error page:
//   1. the last good manifest from localStorage (a reload while offline still plays);
//   2. GET manifest.json (HTTP bootstrap, and the fallback while the socket cannot connect);
//   3. the Socket.IO connection: hello after every connect, sent again until a welcome answers it,
//      manifests (large ones deflated, inflated in arrival order by manifest-wire.js) and the hall's
//      queue board as they are published, heartbeats every
//      heartbeat_seconds ± 20 % from connect on (handshake.js), and every minute the proof of play
//      (play-log.js) of what the region players showed while the signage could be seen.
// A screen whose key the server refuses as unknown, again and again, and whose manifest.json says
// so too, was revoked: it forgets what it holds and opens /enrol, which shows a new code (revocation.js).
// A counter screen whose counter is on the hall's board shows the counter strip instead of signage.
// A console preview (data-preview) skips all three: it renders the manifest its page gives, at the
// instant the page gives, and connects to nothing.

import { h } from "./_dom.js";
import { Announcer } from "./announcer.js";
import { Clock } from "./clock.js";
import { ConnectionDot } from "./connection.js";
import { counterForScreen, CounterStrip } from "./counter-strip.js";
import { activeEmergencies, EmergencyOverlay } from "./emergency.js";
import {
  CITIZEN_CARD_REMOVED,
  CITIZEN_CARD_UNREADABLE,
  CITIZEN_SESSION,
  CITIZEN_SESSION_ENDED,
  CITIZEN_SESSION_REFUSED,
  COMMAND_RESULT,
  DEVICE_COMMAND,
  HEARTBEAT,
  HELLO,
  MANIFEST,
  PLAY_NOW,
  PLAYS,
  POWER_SCHEDULE,
  QUEUE_BOARD,
  SCREEN_NAMESPACE,
  WELCOME,
} from "./events.js";
import { Handshake, HELLO_ACK_TIMEOUT_MS } from "./handshake.js";
import { Header } from "./header.js";
import { createI18n } from "./i18n.js";
import { IdleView } from "./idle.js";
import { forward, SOCKET_EVENT, STATUS_EVENT } from "./kiosk/bridge.js";
import { Stage } from "./layout.js";
import { Inbox } from "./manifest-wire.js";
import { ACK_TIMEOUT_MS, PlayLog } from "./play-log.js";
import { PowerBlank } from "./power.js";
import { boardForToday, QueueBoard } from "./queue-board.js";
import { RegionPlayer } from "./region-player.js";
import { RemoteCare } from "./remote-care.js";
import { ENROL_PATH, forgetScreen, RevocationWatch, saysUnknownScreen } from "./revocation.js";
import { SocketClient, socketUrl } from "./socket.js";
import { APPLIED, browserStorage, SAME_VERSION, Store } from "./store.js";
import { Ticker } from "./ticker.js";
import { Timeline } from "./timeline.js";
import { maxRowsFor } from "./vacancy-board.js";

const FETCH_TIMEOUT_MS = 10_000;
// While the socket is down, ask manifest.json about once a minute (jittered, like reconnects).
const POLL_MS = 60_000;
// A viewport this small is an LED panel: one big line instead of a table.
const LED_MAX_WIDTH = 800;
const LED_MAX_HEIGHT = 480;
// The queue board is marked as possibly out of date after this long without the server.
const QUEUE_STALE_MS = 120_000;

function setData(el, values) {
  for (const [name, value] of Object.entries(values)) {
    const text = value === null || value === undefined ? "" : String(value);
    if (el.dataset[name] !== text) el.dataset[name] = text;
  }
}

/** Directory holding the player pages: "/screen/" for "/screen/<key>". */
function screenDir(location) {
  return location.pathname.replace(/[^/]+\/?$/, "");
}

function registerServiceWorker(staticUrl, onActive) {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const dir = screenDir(window.location);
  const script = `${dir}sw.js?static=${encodeURIComponent(staticUrl)}`;
  navigator.serviceWorker.register(script, { scope: dir }).catch((err) => {
    console.warn("wall: service worker not registered", err);
  });
  navigator.serviceWorker.addEventListener("controllerchange", onActive);
}

function keepScreenOn() {
  if (!("wakeLock" in navigator)) return;
  const request = () => navigator.wakeLock.request("screen").catch(() => {});
  request();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") request();
  });
}

/**
 * A console preview (kiosk_server/console/preview_views.py): {payload, at, screen} from the page's
 * #preview script, or null for a real screen. A page marked data-preview never connects, even when
 * its data is broken.
 */
function previewData(root) {
  if (!root.dataset.preview) return null;
  try {
    return JSON.parse(document.getElementById("preview").textContent) || {};
  } catch {
    return {};
  }
}

function boot(root) {
  const screenKey = root.dataset.screenKey || "";
  const staticUrl = root.dataset.staticUrl || "/display-static";
  const manifestUrl = `${window.location.pathname.replace(/\/+$/, "")}/manifest.json`;
  const i18n = createI18n(document.documentElement.lang);
  document.title = i18n.t("document.title");

  const preview = previewData(root);
  const store = new Store({ storage: preview ? null : browserStorage(), screenKey });
  const timeline = new Timeline({ onChange: () => render() });
  const now = () => timeline.now();
  const plays = new PlayLog({
    storage: browserStorage(),
    slot: `wall:${screenKey}:plays`,
    now,
    send: (batch, onAck) => socket.emitWithAck(PLAYS, batch, onAck, ACK_TIMEOUT_MS),
  });

  const stageEl = h("div", { class: "stage" });
  const idleEl = h("div", { class: "idle", hidden: true });
  const overlayEl = h("div", { class: "emergency", hidden: true });
  const dotEl = h("div", { class: "connection" });
  const stripEl = h("div", { class: "strip", hidden: true });
  const isKiosk = root.dataset.screenKind === "kiosk";
  root.replaceChildren(stageEl, idleEl, stripEl, overlayEl, dotEl);

  const stage = new Stage(stageEl, (widget, el) => {
    if (widget === "ticker") return new Ticker(el);
    if (widget === "clock") return new Clock(el, { now, i18n });
    if (widget === "header") return new Header(el);
    if (widget === "queue") return new QueueBoard(el, { i18n });
    return new RegionPlayer(el, { i18n, playLog: preview ? null : plays });
  });
  const idle = new IdleView(idleEl, { now, i18n });
  const overlay = new EmergencyOverlay(overlayEl, { i18n, onExpire: () => render() });
  const dot = new ConnectionDot(dotEl, i18n);
  const strip = new CounterStrip(stripEl, { i18n });
  const announcer = new Announcer({ i18n, now, onChange: () => render() });
  // Walls and counter strips go black in the hall's off hours (power.js); a kiosk never (its agent
  // switches the panel, and a citizen may be using the page).
  const power = new PowerBlank({
    storage: preview || isKiosk ? null : browserStorage(),
    slot: `wall:${screenKey}:power`,
    now,
    onChange: () => coverChanged(),
  });
  // Kiosks only: the touch UI (kiosk/app.js, loaded by the page) gets the welcome, the citizen-session
  // events and the link status. It clears a session when the link drops: the server sends an open
  // one again after hello (before welcome), so a session that ended meanwhile never lingers.
  const KIOSK_EVENTS = new Set([
    WELCOME, CITIZEN_SESSION, CITIZEN_SESSION_ENDED, CITIZEN_SESSION_REFUSED, CITIZEN_CARD_UNREADABLE,
    CITIZEN_CARD_REMOVED,
  ]);
  const toKiosk = (name, data) => {
    if (isKiosk && KIOSK_EVENTS.has(name)) forward(root, SOCKET_EVENT, { name, data, receivedAt: Date.now() });
  };

  let renderedSegment = null;
  let renderedLed = null;

  const screenInfo = () => (store.welcome && store.welcome.screen) || {};
  const hallName = () =>
    (screenInfo().hall && screenInfo().hall.name) || screenInfo().name || i18n.t("hall.fallback");
  const timeZone = () =>
    (store.manifest && store.manifest.timezone) || (screenInfo().hall && screenInfo().hall.timezone) || null;
  const smallPanel = () => window.innerWidth <= LED_MAX_WIDTH && window.innerHeight <= LED_MAX_HEIGHT;
  const isLed = () => smallPanel() || screenInfo().low_resolution === true;

  /** Bring the screen in line with the state. Idempotent: the same state leaves the DOM as it is. */
  function render() {
    try {
      renderNow();
    } catch (err) {
      console.error("wall: render failed", err); // keep showing what is there
    }
  }

  function renderNow() {
    const led = isLed();
    if (document.documentElement.classList.contains("led") !== led) {
      document.documentElement.classList.toggle("led", led);
    }
    const manifest = store.manifest;
    const current = timeline.current();
    const segment = current ? current.segment : null;
    const layouts = (manifest && manifest.layouts) || {};
    const hasLayout = segment && segment.layout !== null && segment.layout !== undefined;
    const layout = hasLayout ? layouts[String(segment.layout)] : null;
    const shared = { hallName: hallName(), timeZone: timeZone() };
    const queue = {
      board: boardForToday(store.queue, now()),
      version: store.queue ? store.queue.version : "",
      stale: store.queueStale(QUEUE_STALE_MS),
      announcing: announcer.current ? announcer.current.id : null,
    };
    setData(root, {
      seq: store.seq,
      version: store.version,
      layer: segment ? segment.layer : "none",
      segment: segment ? segment.start : "",
      queueVersion: queue.version,
    });

    const kind = screenInfo().kind || root.dataset.screenKind;
    // Emergencies first: their mode moves the regions and narrows the strip before those are measured.
    const stripWanted = kind === "counter" && counterForScreen(queue.board, screenInfo().id) !== null;
    overlay.update(activeEmergencies(segment, now()), now(), { strip: stripWanted, kiosk: isKiosk, layout });
    const stripShown = strip.update({ ...queue, screenId: kind === "counter" ? screenInfo().id : null });
    if (stripShown) {
      stage.clear();
      idle.show(false);
    } else if (!layout) {
      stage.clear();
      idle.update(shared);
      idle.show(true);
    } else {
      idle.show(false);
      const urgent = current.key !== renderedSegment;
      const profileChanged = renderedLed !== null && led !== renderedLed;
      const items = manifest.items || {};
      const regions = segment.regions || {};
      for (const region of stage.render(layout)) {
        region.component.update({
          ...shared,
          entries: regions[region.name] || [],
          items,
          env: { led, maxRows: maxRowsFor(region.el), timeZone: timeZone() },
          urgent,
          immediately: profileChanged,
          queue,
        });
      }
    }
    // Only a screen showing the queue reads calls out; a counter strip never does (the walls do).
    announcer.setEnabled(!stripShown && [...stage.regions.values()].some((r) => r.widget === "queue"));
    renderedSegment = current ? current.key : null;
    renderedLed = led;
    if (!isKiosk) power.cover({ emergency: !overlayEl.hidden }); // an emergency always wakes the screen
    coverChanged();
  }

  /** Proof of play counts only what can be seen: not under an emergency sheet, the kiosk UI or a hidden page. */
  // The console's "play now" (docs/protocol.md, "Play now"): each region holding the item shows it now.
  function playNow(data) {
    const item = data && typeof data.item === "string" ? data.item : "";
    for (const region of stage.regions.values()) if (item && region.component.playNow) region.component.playNow(item);
  }

  function coverChanged() {
    plays.setObscured(overlay.obscures || root.inert || power.blanked || document.visibilityState === "hidden");
  }

  function prefetchMedia() {
    const controller = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (!controller || !store.manifest) return;
    const urls = Object.values(store.manifest.items || {})
      .flatMap((item) => {
        if (item && item.kind === "media") return [item.url];
        // A PDF document's pages are images too (document.js): every one is kept for offline.
        if (item && item.kind === "document" && Array.isArray(item.pages)) return item.pages.map((page) => page?.url);
        return [];
      })
      .filter((url) => typeof url === "string");
    controller.postMessage({ type: "media", urls });
  }

  function onManifest(payload) {
    const { status, groupChanged } = store.applyManifest(payload);
    if (status === APPLIED) {
      timeline.setManifest(store.manifest);
      prefetchMedia();
      announcer.setVoice(store.manifest.voice, store.manifest.timezone); // pack, volume, quiet hours
    }
    if (status === APPLIED || status === SAME_VERSION) render();
    // Another group: tell the server what we hold so it moves us to the new group's room.
    if (groupChanged) handshake.hello();
  }

  function onQueueBoard(board) {
    if (store.applyQueue(board) !== APPLIED) return;
    announcer.offer(store.queue);
    power.noteBoard(store.queue); // a call while off wakes the screen for a while
    render();
  }

  // Before welcome too: a beat says what the screen holds, and the server can complete a hello from it.
  function sendHeartbeat() {
    const current = timeline.current();
    const beat = { showing: { manifest: store.version }, seq: { manifest: store.seq } };
    if (store.queue) beat.showing.queue = store.queue.version;
    socket.emit(HEARTBEAT, { ...beat, segment: current ? current.segment.start : null });
  }

  function onWelcome(welcome, receivedAt) {
    if (welcome && typeof welcome.server_time === "string") timeline.setServerTime(welcome.server_time, receivedAt);
    store.applyWelcome(welcome);
    if (!isKiosk) power.apply(welcome && welcome.power);
    handshake.welcome();
    plays.flush(); // what was logged while offline, now that the link is up
    const told = welcome && welcome.streams && welcome.streams.queue ? welcome.streams.queue.version : null;
    // Lower than held: the database was restored. Take the board it sent, or ask for it again.
    if (Number.isInteger(told) && told < store.queueHeld && !store.resetQueue(told)) handshake.hello();
    render();
  }

  async function fetchManifest() {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), FETCH_TIMEOUT_MS);
    try {
      const response = await fetch(manifestUrl, {
        cache: "no-store",
        signal: abort.signal,
        headers: { Accept: "application/json" },
      });
      if (response.ok) onManifest(await response.json());
    } catch {
      // Offline or server down: the cached manifest keeps playing, the socket keeps trying.
    } finally {
      clearTimeout(timer);
    }
  }

  let pollTimer = null;
  function pollWhileOffline(online) {
    if (online) {
      clearTimeout(pollTimer);
      pollTimer = null;
    } else if (pollTimer === null) {
      pollTimer = setTimeout(async () => {
        await fetchManifest();
        pollTimer = null;
        if (!socket.connected) pollWhileOffline(false);
      }, POLL_MS * (0.5 + Math.random()));
    }
  }

  const handshake = new Handshake({
    sendHello: (onAck) =>
      socket.emitWithAck(HELLO, { held: store.held(), accept: ["deflate"] }, onAck, HELLO_ACK_TIMEOUT_MS),
    sendBeat: sendHeartbeat,
    period: () => store.welcome && store.welcome.heartbeat_seconds,
  });
  const inbox = new Inbox({
    deliver(name, data, receivedAt) {
      if (name === WELCOME) onWelcome(data, receivedAt);
      else if (name === MANIFEST) onManifest(data);
      else if (name === QUEUE_BOARD) onQueueBoard(data);
      else if (name === DEVICE_COMMAND) care.handle(data); // remote care: reload, identify, screenshot
      else if (name === POWER_SCHEDULE && !isKiosk) power.apply(data);
      else if (name === PLAY_NOW) playNow(data); // the console's "play now"
      toKiosk(name, data);
    },
    held: () => store.payload,
    undecodable(payload, err) {
      // A browser without DecompressionStream, or bytes broken on the way: manifest.json is plain.
      console.warn("wall: a deflated manifest did not inflate; asking manifest.json", payload.version, err);
      fetchManifest();
    },
  });
  const socket = new SocketClient({
    url: socketUrl(window.location),
    namespace: SCREEN_NAMESPACE,
    auth: { key: screenKey },
    onConnect: () => handshake.connected(),
    onConnectError: (data) => revocation.refused(data),
    onEvent: (name, data) => inbox.push(name, data),
    onStatus(status) {
      dot.set(status);
      if (isKiosk) forward(root, STATUS_EVENT, { status });
      setData(root, { conn: status });
      revocation.status(status);
      pollWhileOffline(status === "online");
      store.linkChanged(status === "online");
      if (status !== "online") {
        handshake.disconnected();
        setTimeout(render, QUEUE_STALE_MS + 100); // to mark the board stale
      }
    },
  });

  // Revoked (docs/protocol.md, "Enrolment by code"): stop, forget the manifest, board, plays and
  // cached pages of this key, and show a code again. Nothing personal may outlive the screen's key.
  const revocation = new RevocationWatch({
    confirm: () => manifestSaysUnknown(manifestUrl),
    async onRevoked() {
      console.warn("wall: the server no longer knows this screen (revoked); opening the enrol page");
      socket.stop();
      clearTimeout(pollTimer);
      plays.suspend();
      plays.storage = null;
      store.storage = null;
      await forgetScreen(screenKey, browserStorage());
      window.location.replace(ENROL_PATH);
    },
  });

  const care = new RemoteCare({
    send: (payload, onAck, timeoutMs) => socket.emitWithAck(COMMAND_RESULT, payload, onAck, timeoutMs),
  });

  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(render, 250);
  });

  if (preview) {
    // The manifest the page gave, on a clock started at the preview's instant; nothing else starts:
    // no socket (no hello, heartbeats or plays), no service worker, no storage, no polling.
    setData(root, { conn: "preview" });
    store.applyWelcome({ screen: preview.screen });
    timeline.setServerTime(preview.at);
    onManifest(preview.payload);
    window.__wall = { store, timeline, render };
    return;
  }

  // The kiosk's touch UI makes the wall inert while it covers it.
  new MutationObserver(coverChanged).observe(root, { attributes: true, attributeFilter: ["inert"] });
  document.addEventListener("visibilitychange", coverChanged);
  window.addEventListener("pagehide", () => {
    if (!revocation.revoked) plays.suspend(); // a revoked screen keeps nothing
  });
  plays.start();

  registerServiceWorker(staticUrl, prefetchMedia);
  keepScreenOn();
  if (store.restore()) timeline.setManifest(store.manifest);
  if (store.manifest) announcer.setVoice(store.manifest.voice, store.manifest.timezone);
  if (store.queue) announcer.offer(store.queue); // what was called before the reload is not read again
  if (store.queue) power.noteBoard(store.queue); // nor wakes the screen
  if (!isKiosk) power.start(); // the schedule kept from the last run, until the server sends one
  setData(root, { conn: "connecting" });
  render();

  // Diagnostics for a technician's console and for the tests; nothing personal is in here.
  window.__wall = { store, timeline, socket, render, announcer, strip, plays, care, power, revocation };
  Object.defineProperty(window.__wall, "queue", { get: () => store.queue }); // the board held

  fetchManifest().finally(() => socket.start());
}

/** Ask manifest.json whether the key is unknown to the server: a 404 saying so, nothing else. */
async function manifestSaysUnknown(manifestUrl) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), FETCH_TIMEOUT_MS);
  try {
    const response = await fetch(manifestUrl, { cache: "no-store", signal: abort.signal });
    return await saysUnknownScreen(response);
  } finally {
    clearTimeout(timer);
  }
}

const root = document.getElementById("wall");
if (root) boot(root);
