// Ticker: texts scrolling right to left as a CSS-animated marquee. New texts take over only when
// the running line has scrolled fully out (the loop boundary), never mid-sentence.

import { canonicalJson, h } from "./_dom.js";

// Scroll speed in font heights per second: about four characters a second, easy to read.
const FONT_HEIGHTS_PER_SECOND = 4;

/** The texts a ticker region scrolls: ticker items' text, and the titles of anything else. */
export function tickerTexts(entries, items) {
  const texts = [];
  for (const entry of entries || []) {
    const ids = entry.kind === "item" ? [entry.item] : Array.isArray(entry.items) ? entry.items : [];
    for (const id of ids) {
      const item = items ? items[id] : null;
      if (!item) continue;
      const text = item.kind === "ticker" ? item.text ?? item.title : item.title;
      if (typeof text === "string" && text.trim()) texts.push(text.trim());
    }
  }
  return texts;
}

/**
 * Measure a marquee node already in the document and set its travel and speed.
 * Returns the time one pass takes (from entering on the right to leaving on the left) in ms.
 */
function measure(node, track) {
  const width = node.clientWidth;
  const length = track.scrollWidth;
  const fontSize = parseFloat(getComputedStyle(track).fontSize) || 16;
  const passMs = ((width + length) / (fontSize * FONT_HEIGHTS_PER_SECOND)) * 1000;
  node.style.setProperty("--marquee-from", `${width}px`);
  node.style.setProperty("--marquee-to", `${-length}px`);
  node.style.setProperty("--marquee-duration", `${Math.round(passMs)}ms`);
  return passMs;
}

function run(node) {
  node.classList.remove("marquee--run");
  void node.offsetWidth; // restart the animation from its first frame
  node.classList.add("marquee--run");
}

/**
 * A one-line marquee as a region-player view (LED notices): it lasts whole passes, at least `ms`,
 * so it never stops with the text half across the screen.
 */
export function marqueeView(text, { staging, ms, className }) {
  const track = h("span", { class: "marquee__track" }, text);
  const node = h("div", { class: `${className} marquee` }, track);
  staging.append(node);
  const passMs = measure(node, track);
  const passes = Math.max(1, Math.ceil(ms / passMs));
  let timer = null;
  return {
    node,
    pages: 1,
    start(done) {
      clearTimeout(timer);
      run(node);
      timer = setTimeout(done, passes * passMs);
    },
    stop() {
      clearTimeout(timer);
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}

/** The ticker widget of a region. */
export class Ticker {
  constructor(el) {
    this.el = el;
    this.el.classList.add("region--ticker");
    this.node = null;
    this.key = null;
    this.pending = null;
  }

  /** immediately: the screen profile changed, so the running line (measured for the old one) goes at once. */
  update({ entries, items, immediately = false }) {
    const texts = tickerTexts(entries, items);
    const key = canonicalJson(texts);
    this.keys = new Set((entries || []).flatMap((e) => (e && e.kind === "item" ? [e.item] : (e && e.items) || [])));
    if (key === this.key && !immediately) {
      this.pending = null;
      return;
    }
    if (this.pending && this.pending.key === key && !immediately) return;
    if (this.node === null || immediately) this._show(texts, key);
    else this.pending = { texts, key };
  }

  /** The console's "play now": when the ticker holds `itemKey`, its line starts again now (with texts waiting). */
  playNow(itemKey) {
    if (!this.node || !this.keys || !this.keys.has(itemKey)) return false;
    const next = this.pending || { texts: this.texts, key: this.key };
    this._show(next.texts, next.key);
    return true;
  }

  destroy() {
    this.el.replaceChildren();
    this.node = null;
  }

  _show(texts, key) {
    this.key = key;
    this.texts = texts;
    this.pending = null;
    if (texts.length === 0) {
      this.el.replaceChildren();
      this.node = null;
      return;
    }
    const track = h(
      "span",
      { class: "marquee__track" },
      texts.map((text) => h("span", { class: "ticker__item" }, text)),
    );
    const node = h("div", { class: "ticker marquee" }, track);
    node.addEventListener("animationiteration", () => {
      // The line has just left the screen: the one moment new texts can come in unnoticed.
      if (this.pending && this.node === node) this._show(this.pending.texts, this.pending.key);
    });
    this.el.replaceChildren(node);
    this.node = node;
    const passMs = measure(node, track);
    // The first pass starts with the text already near the left edge, so a fresh screen never
    // shows an empty ticker strip while the line travels in from the right.
    const width = node.clientWidth;
    const length = track.scrollWidth;
    const into = (0.97 * width) / Math.max(1, width + length);
    node.style.setProperty("--marquee-delay", `${-Math.round(passMs * into)}ms`);
    run(node);
  }
}
