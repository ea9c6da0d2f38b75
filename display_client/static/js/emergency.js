// Emergencies by severity (docs/protocol.md, "Emergencies on screen"). The highest severity in
// force decides how much of the screen they take; the others are listed with it:
//   提示 info      a band across the top; the regions move down under it, nothing is covered;
//   警告 warning   a panel over the regions beside the queue region (its calls stay readable); a
//                  wall without a queue region gets a panel over its playlist regions, a queue wall
//                  with no room beside the queue a band;
//   紧急 critical  the whole screen;
//   kiosk          a band under info and warning, so the touch UI stays usable (kiosk/app.js); the
//                  touch UI steps aside only under critical;
//   counter strip  the emergency beside the counter's line, at every severity: the counter's number
//                  and current ticket are never covered (a narrower line under critical).
// The mode and severity are set on <html> (data-emergency, data-emergency-mode) for the CSS
// (emergency.css, kiosk.css) and the kiosk's touch UI. An emergency goes away by itself when the
// segment ends, and also at its own expiry in case the cached timeline runs out first.

import { canonicalJson } from "./_dom.js";
import { renderBand, renderSheet, SEVERITIES, severityOf } from "./emergency-views.js";
import { parseTime } from "./timeline.js";

// A warning panel smaller than this share of the screen is no panel: a band is shown instead.
const MIN_PANEL_AREA = 0.2;

/** The emergencies of `segment` still in force at `nowMs` (an expired one never lingers), most severe first. */
export function activeEmergencies(segment, nowMs) {
  const list = segment && Array.isArray(segment.emergencies) ? segment.emergencies : [];
  const active = list.filter((e) => {
    if (!e || typeof e !== "object") return false;
    const expires = parseTime(e.expires_at);
    return !Number.isFinite(expires) || expires > nowMs;
  });
  const rank = (e) => SEVERITIES.indexOf(severityOf(e));
  return active.map((e, i) => [e, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([e]) => e);
}

function fraction(value, fallback) {
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : fallback;
}

function boxOf(regions) {
  if (!regions.length) return null;
  const x = Math.min(...regions.map((r) => fraction(r.x, 0)));
  const y = Math.min(...regions.map((r) => fraction(r.y, 0)));
  const right = Math.max(...regions.map((r) => Math.min(1, fraction(r.x, 0) + fraction(r.w, 1))));
  const bottom = Math.max(...regions.map((r) => Math.min(1, fraction(r.y, 0) + fraction(r.h, 1))));
  return { x, y, w: right - x, h: bottom - y };
}

/**
 * Where a warning's panel goes on `layout`, as fractions of the screen, or null for a band: the
 * largest side of the screen beside the queue regions; with no queue region, the playlist regions.
 */
export function warningPanel(layout) {
  const regions = (layout && Array.isArray(layout.regions) ? layout.regions : []).filter(
    (r) => r && typeof r === "object",
  );
  const queue = boxOf(regions.filter((r) => r.widget === "queue"));
  if (!queue) {
    const main = boxOf(regions.filter((r) => !["queue", "ticker", "clock", "header"].includes(r.widget)));
    if (main && main.w * main.h >= MIN_PANEL_AREA && main.w * main.h < 0.95) return main;
    return { x: 0.06, y: 0.08, w: 0.88, h: 0.84 };
  }
  const right = queue.x + queue.w;
  const bottom = queue.y + queue.h;
  const sides = [
    { x: 0, y: 0, w: queue.x, h: 1 },
    { x: right, y: 0, w: 1 - right, h: 1 },
    { x: 0, y: 0, w: 1, h: queue.y },
    { x: 0, y: bottom, w: 1, h: 1 - bottom },
  ];
  const best = sides.reduce((a, b) => (b.w * b.h > a.w * a.h ? b : a));
  return best.w * best.h >= MIN_PANEL_AREA ? best : null;
}

/** How the emergencies show: "full", "panel", "band" or "strip" (the header explains). */
export function emergencyMode(severity, { strip = false, kiosk = false, layout = null } = {}) {
  if (strip) return "strip";
  if (severity === "critical") return "full";
  if (kiosk || severity === "info") return "band";
  return warningPanel(layout) ? "panel" : "band";
}

function setRootData(values) {
  const root = document.documentElement;
  for (const [name, value] of Object.entries(values)) {
    if (value === null) {
      if (name in root.dataset) delete root.dataset[name];
    } else if (root.dataset[name] !== value) root.dataset[name] = value;
  }
}

function percent(n) {
  return `${Number((n * 100).toFixed(4))}%`;
}

export class EmergencyOverlay {
  /** onExpire: called when a shown emergency reaches its expiry, so the wall re-renders. */
  constructor(el, { i18n, onExpire }) {
    this.el = el;
    this.i18n = i18n;
    this.onExpire = onExpire;
    this.el.classList.add("emergency");
    this.el.setAttribute("role", "alert");
    this.el.hidden = true;
    this.key = null;
    this.timer = null;
    this.mode = null;
  }

  /** Whether the signage underneath is hidden (proof of play does not count it): full screen or panel. */
  get obscures() {
    return !this.el.hidden && (this.mode === "full" || this.mode === "panel");
  }

  /**
   * Show `emergencies` (most severe first). `strip`: a counter strip is on screen; `kiosk`: the page
   * is a kiosk's; `layout`: the layout playing underneath (where the queue region is).
   */
  update(emergencies, nowMs, { strip = false, kiosk = false, layout = null } = {}) {
    const severity = emergencies.length ? severityOf(emergencies[0]) : null;
    const mode = severity ? emergencyMode(severity, { strip, kiosk, layout }) : null;
    const panel = mode === "panel" ? warningPanel(layout) : null;
    // The root's attributes first: they size the regions, the strip and the band before anyone measures.
    setRootData({ emergency: severity, emergencyMode: mode });
    const size = `${window.innerWidth}x${window.innerHeight}`;
    const key = canonicalJson([emergencies, mode, panel, size, this.i18n.lang]);
    if (key === this.key) return;
    this.key = key;
    this.mode = mode;
    clearTimeout(this.timer);
    if (!severity) {
      this.el.hidden = true;
      this.el.replaceChildren();
      delete this.el.dataset.severity;
      delete this.el.dataset.mode;
      return;
    }
    this.el.dataset.severity = severity;
    this.el.dataset.mode = mode;
    this.el.className = `emergency emergency--${mode}`;
    const place = panel
      ? { left: percent(panel.x), top: percent(panel.y), width: percent(panel.w), height: percent(panel.h) }
      : { left: "", top: "", width: "", height: "" };
    Object.assign(this.el.style, place);
    this.el.hidden = false; // before rendering: the text is fitted to the box
    if (mode === "band" || mode === "strip") renderBand(this.el, this.i18n, emergencies);
    else renderSheet(this.el, this.i18n, emergencies);
    const expiries = emergencies.map((e) => parseTime(e.expires_at)).filter(Number.isFinite);
    if (expiries.length) {
      const wait = Math.min(...expiries) - nowMs;
      // setTimeout cannot wait longer than about 24 days; the timeline refreshes long before.
      if (wait < 2 ** 31 - 1) this.timer = setTimeout(() => this.onExpire(), Math.max(0, wait) + 20);
    }
  }
}
