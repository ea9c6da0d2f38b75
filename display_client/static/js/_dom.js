// Small DOM helpers shared by the renderers: element creation, durations, text fitting, waiting.

/** Seconds every rotation falls back to when a duration is missing or invalid, and the longest
 *  the player waits on media that neither loads nor fails. */
export const FALLBACK_SECONDS = 15;

/**
 * Create an element: h("td", {class: "x", data: {id: 1}}, "text", childNode).
 * Text children become text nodes, so nothing is ever parsed as HTML here.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "data") for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    else if (name === "style") for (const [k, v] of Object.entries(value)) el.style.setProperty(k, String(v));
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Elements for an i18n.parts() list: each named placeholder in a span classed `${prefix}-${name}`. */
export function fromParts(parts, prefix) {
  return parts.map((part) =>
    part.name ? h("span", { class: `${prefix}-${part.name}` }, part.text) : document.createTextNode(part.text),
  );
}

/** `value` in milliseconds if it is a positive number of seconds, else `fallbackSeconds` (may be null). */
export function durationMs(value, fallbackSeconds = FALLBACK_SECONDS) {
  const seconds = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  return fallbackSeconds === null ? null : fallbackSeconds * 1000;
}

/**
 * True when the element's content overflows its box. CJK glyphs reach a little past a tight line
 * box, so a quarter of the font size of vertical spill is not counted as overflow.
 */
export function overflows(el) {
  const slack = Math.max(1, (parseFloat(getComputedStyle(el).fontSize) || 16) * 0.25);
  return el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + slack;
}

/**
 * Largest font size in [min, max] px at which `el` does not overflow its box (binary search).
 * The element must be laid out (in the document, not display:none). Returns the size used.
 */
export function fitText(el, { min, max }) {
  let lo = Math.max(1, Math.floor(min));
  let hi = Math.max(lo, Math.floor(max));
  el.style.fontSize = `${hi}px`;
  if (!overflows(el)) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    el.style.fontSize = `${mid}px`;
    if (overflows(el)) hi = mid;
    else lo = mid;
  }
  el.style.fontSize = `${lo}px`;
  return lo;
}

/**
 * Shrink `el` from the font size its CSS gives it until it fits, down to `minRatio` of that size
 * (or `minPx`, whichever is larger). The stylesheet stays in charge of how large things are.
 */
export function fitDown(el, { minRatio = 0.5, minPx = 0 } = {}) {
  el.style.fontSize = "";
  const css = parseFloat(getComputedStyle(el).fontSize) || 16;
  return fitText(el, { min: Math.min(css, Math.max(css * minRatio, minPx)), max: css });
}

/** Resolve with `promise`'s value, or with `onTimeout` after `ms`. */
export function withTimeout(promise, ms, onTimeout) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(onTimeout), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A promise for the first of `good` (resolves true) or `bad` (resolves false) events on `target`. */
export function firstEvent(target, good, bad) {
  return new Promise((resolve) => {
    const handlers = [];
    const finish = (value) => {
      for (const [name, fn] of handlers) target.removeEventListener(name, fn);
      resolve(value);
    };
    for (const name of good) handlers.push([name, () => finish(true)]);
    for (const name of bad) handlers.push([name, () => finish(false)]);
    for (const [name, fn] of handlers) target.addEventListener(name, fn);
  });
}

/**
 * A view shown for `pages` × `ms`: calls showPage(i) at each page, then done().
 * Views are what the region player shows; start() may be called again to replay.
 */
export function timedView(node, ms, { pages = 1, showPage = null, dispose = null } = {}) {
  let timer = null;
  return {
    node,
    pages,
    start(done) {
      clearTimeout(timer);
      let page = 0;
      const step = () => {
        if (page >= pages) {
          done();
          return;
        }
        if (showPage) showPage(page);
        page += 1;
        timer = setTimeout(step, ms);
      };
      step();
    },
    stop() {
      clearTimeout(timer);
    },
    dispose() {
      clearTimeout(timer);
      if (dispose) dispose();
    },
  };
}

/** The root font-size unit the CSS scales from: 1vh in px. */
export function vh(n = 1) {
  return (window.innerHeight / 100) * n;
}

/** JSON with object keys sorted, so equal data gives equal text whichever way it was sent. */
export function canonicalJson(value) {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v,
  );
}
