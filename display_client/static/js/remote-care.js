// Remote care on the player (docs/protocol.md, "Remote care"): a technician's command, run on this page.
//
//   reload      answer first, then location.reload() (after the ack, or RELOAD_AFTER_MS without one);
//   identify    a full-screen overlay with the screen's name and number, flashing, for `seconds`;
//               sized from the viewport so it is legible on a 640×64 LED strip and a 4K wall alike;
//   screenshot  the page draws itself: the DOM, with its style sheets and its images inlined, goes
//               into an SVG foreignObject drawn on a canvas, sent back as a PNG attachment. No
//               third-party code. What cannot be inlined (a video, a cross-origin image) shows as
//               an empty box; the page's fonts are the system's.
// Every command is answered with command_result {id, ok, result | error, message}; one we do not know
// with ok false "unsupported".

import { h } from "./_dom.js";

const RELOAD_AFTER_MS = 5_000;
const RESULT_ACK_MS = 15_000;
const MAX_IDENTIFY_SECONDS = 300;
const FLASH_MS = 600;
const MAX_PNG_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_WIDTH = 1920;

/** Every rule of this page's same-origin style sheets, as one text (cross-origin ones cannot be read). */
function styleText(doc) {
  const parts = [];
  for (const sheet of doc.styleSheets) {
    try {
      for (const rule of sheet.cssRules) parts.push(rule.cssText);
    } catch {
      // a sheet from another origin: its rules are not ours to read
    }
  }
  return parts.join("\n");
}

/** A data: URL of what `el` (an image, a video frame or a canvas) shows now, or "" when it cannot be read. */
function snapshotOf(el) {
  try {
    const width = el.naturalWidth || el.videoWidth || el.width;
    const height = el.naturalHeight || el.videoHeight || el.height;
    if (!width || !height) return "";
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d").drawImage(el, 0, 0, width, height);
    return canvas.toDataURL("image/png");
  } catch {
    return ""; // a cross-origin picture taints the canvas: it stays an empty box
  }
}

/** The page as XHTML, with its styles inlined and its pictures as data: URLs. */
function serializePage(doc) {
  const originals = [...doc.querySelectorAll("img, video, canvas")];
  const clone = doc.documentElement.cloneNode(true);
  const copies = [...clone.querySelectorAll("img, video, canvas")];
  copies.forEach((copy, i) => {
    const url = originals[i] ? snapshotOf(originals[i]) : "";
    const img = doc.createElement("img");
    img.setAttribute("style", copy.getAttribute("style") || "");
    img.className = copy.getAttribute("class") || "";
    if (originals[i]) {
      const box = originals[i].getBoundingClientRect();
      img.setAttribute("width", String(Math.round(box.width)));
      img.setAttribute("height", String(Math.round(box.height)));
    }
    if (url) img.setAttribute("src", url);
    copy.replaceWith(img);
  });
  for (const el of clone.querySelectorAll("script, link[rel=stylesheet], style")) el.remove();
  const style = doc.createElement("style");
  style.textContent = styleText(doc);
  (clone.querySelector("head") || clone).append(style);
  clone.setAttribute("xmlns", "http://www.w3.org/1999/xhtml");
  return new XMLSerializer().serializeToString(clone);
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("the page's picture did not load"));
    img.src = url;
  });
}

/** A PNG of what the page shows now, at most `maxWidth` wide: {width, height, png: ArrayBuffer}. */
export async function capturePage(win = window, maxWidth = DEFAULT_MAX_WIDTH) {
  const doc = win.document;
  const width = Math.max(1, Math.round(win.innerWidth));
  const height = Math.max(1, Math.round(win.innerHeight));
  const scale = Math.min(1, maxWidth / width);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<foreignObject x="0" y="0" width="100%" height="100%">${serializePage(doc)}</foreignObject></svg>`;
  const img = await loadImage(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
  const canvas = doc.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext("2d");
  const background = win.getComputedStyle(doc.body || doc.documentElement).backgroundColor;
  context.fillStyle = background && background !== "rgba(0, 0, 0, 0)" ? background : "#000";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(img, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  if (!blob) throw new Error("the canvas gave no PNG");
  return { width: canvas.width, height: canvas.height, png: await blob.arrayBuffer() };
}

/** The identify overlay: big, high-contrast, flashing, above everything (the kiosk's touch UI too). */
class IdentifyOverlay {
  constructor(doc) {
    this.doc = doc;
    this.el = null;
    this.timers = [];
  }

  show(label, seconds) {
    this.hide();
    const text = h("div", { class: "identify__label" }, label);
    text.setAttribute(
      "style",
      "font: 700 min(55vh, 9vw)/1.1 sans-serif; text-align: center; white-space: pre-wrap; word-break: break-all; padding: 0 2vw;",
    );
    const el = h("div", { class: "identify", role: "alert", "data-identify": "1" }, text);
    el.setAttribute(
      "style",
      "position: fixed; inset: 0; z-index: 2147483647; display: flex; align-items: center; " +
        "justify-content: center; background: #000; color: #ffeb00; border: max(4px, 1vmin) solid #ffeb00;",
    );
    this.doc.body.append(el);
    this.el = el;
    let on = true;
    const flash = setInterval(() => {
      on = !on;
      el.style.background = on ? "#000" : "#ffeb00";
      el.style.color = on ? "#ffeb00" : "#000";
    }, FLASH_MS);
    this.timers = [flash, setTimeout(() => this.hide(), seconds * 1000)];
  }

  hide() {
    for (const timer of this.timers) clearInterval(timer); // clearInterval clears timeouts too
    this.timers = [];
    if (this.el) this.el.remove();
    this.el = null;
  }
}

/**
 * Runs the commands the server sends this screen. `send(payload, onAck)` emits command_result with
 * an ack (false when not connected); `reload` and `capture` are seams for tests.
 */
export class RemoteCare {
  constructor({ send, doc = document, reload = () => window.location.reload(), capture = capturePage }) {
    this.send = send;
    this.reload = reload;
    this.capture = capture;
    this.overlay = new IdentifyOverlay(doc);
  }

  /** One device_command payload {id, command, args}; anything malformed is ignored (it has no id to answer). */
  handle(message) {
    if (!message || !Number.isInteger(message.id) || typeof message.command !== "string") return;
    const args = message.args && typeof message.args === "object" ? message.args : {};
    const run = {
      reload: () => this._reload(message.id),
      identify: () => this._identify(message.id, args),
      screenshot: () => this._screenshot(message.id, args),
    }[message.command];
    if (run) run();
    else this._answer({ id: message.id, ok: false, error: "unsupported", message: `the player cannot ${message.command}` });
  }

  _answer(payload, then = () => {}) {
    if (!this.send(payload, then, RESULT_ACK_MS)) then(null);
  }

  _reload(id) {
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      this.reload();
    };
    setTimeout(go, RELOAD_AFTER_MS);
    this._answer({ id, ok: true, result: {} }, go);
  }

  _identify(id, args) {
    const seconds = Math.min(MAX_IDENTIFY_SECONDS, Math.max(1, Number(args.seconds) || 30));
    const label = typeof args.label === "string" && args.label ? args.label : `#${id}`;
    this.overlay.show(label, seconds);
    this._answer({ id, ok: true, result: { seconds } });
  }

  async _screenshot(id, args) {
    const maxWidth = Math.max(16, Number(args.max_width) || DEFAULT_MAX_WIDTH);
    let shot;
    try {
      shot = await this.capture(window, maxWidth);
    } catch (err) {
      this._answer({ id, ok: false, error: "capture_failed", message: String((err && err.message) || err).slice(0, 200) });
      return;
    }
    if (shot.png.byteLength > MAX_PNG_BYTES) {
      this._answer({ id, ok: false, error: "too_large", message: `${shot.png.byteLength} bytes` });
      return;
    }
    this._answer({ id, ok: true, result: { width: shot.width, height: shot.height }, png: shot.png });
  }
}
