// Emergency overlay: covers the whole screen while the current segment carries emergencies.
//
// Severity is shown by colour AND by an icon and a word (紧急 / 警示 / 通知), so it reads for
// people who cannot tell the colours apart. It goes away by itself when the segment ends, and
// also at each emergency's own expiry in case the cached timeline runs out first.

import { canonicalJson, fitDown, h, vh } from "./_dom.js";
import { parseTime } from "./timeline.js";

const SEVERITIES = ["critical", "warning", "info"];
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** The icon of a severity: a warning triangle, or a circled "i" for information. */
function icon(severity) {
  const root = svg("svg", { viewBox: "0 0 24 24", class: "emergency__icon", "aria-hidden": "true" });
  if (severity === "info") {
    root.append(
      svg("circle", { cx: 12, cy: 12, r: 10.5, fill: "none", stroke: "currentColor", "stroke-width": 2 }),
      svg("rect", { x: 10.8, y: 10, width: 2.4, height: 8, rx: 1, fill: "currentColor" }),
      svg("circle", { cx: 12, cy: 6.8, r: 1.5, fill: "currentColor" }),
    );
  } else {
    root.append(
      svg("path", {
        d: "M12 2.5 23 21.5H1z",
        fill: "none",
        stroke: "currentColor",
        "stroke-width": 2,
        "stroke-linejoin": "round",
      }),
      svg("rect", { x: 10.8, y: 8.5, width: 2.4, height: 7, rx: 1, fill: "currentColor" }),
      svg("circle", { cx: 12, cy: 18.3, r: 1.4, fill: "currentColor" }),
    );
  }
  return root;
}

function severityOf(emergency) {
  return SEVERITIES.includes(emergency.severity) ? emergency.severity : "critical";
}

/** The emergencies of `segment` still in force at `nowMs` (an expired one never lingers). */
export function activeEmergencies(segment, nowMs) {
  const list = segment && Array.isArray(segment.emergencies) ? segment.emergencies : [];
  return list.filter((e) => {
    if (!e || typeof e !== "object") return false;
    const expires = parseTime(e.expires_at);
    return !Number.isFinite(expires) || expires > nowMs;
  });
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
  }

  update(emergencies, nowMs) {
    const key = canonicalJson(emergencies);
    if (key === this.key) return;
    this.key = key;
    clearTimeout(this.timer);
    if (emergencies.length === 0) {
      this.el.hidden = true;
      this.el.replaceChildren();
      delete this.el.dataset.severity;
      return;
    }
    this._render(emergencies);
    const expiries = emergencies.map((e) => parseTime(e.expires_at)).filter(Number.isFinite);
    if (expiries.length) {
      const wait = Math.min(...expiries) - nowMs;
      // setTimeout cannot wait longer than about 24 days; the timeline refreshes long before.
      if (wait < 2 ** 31 - 1) this.timer = setTimeout(() => this.onExpire(), Math.max(0, wait) + 20);
    }
  }

  _render([first, ...others]) {
    const i18n = this.i18n;
    const severity = severityOf(first);
    const title = h("h1", { class: "emergency__title" }, first.title ?? "");
    const body = h("div", { class: "emergency__body" }, first.body ?? "");
    const children = [
      h(
        "div",
        { class: "emergency__badge" },
        icon(severity),
        h("span", { class: "emergency__word" }, i18n.t(`emergency.${severity}`)),
      ),
      title,
      body,
    ];
    if (others.length) {
      children.push(
        h(
          "div",
          { class: "emergency__also" },
          h("span", { class: "emergency__also-label" }, i18n.t("emergency.also")),
          h(
            "ul",
            {},
            others.map((e) =>
              h(
                "li",
                { class: `emergency__other emergency__other--${severityOf(e)}` },
                h("span", { class: "emergency__other-word" }, i18n.t(`emergency.${severityOf(e)}`)),
                h("span", {}, e.title ?? ""),
              ),
            ),
          ),
        ),
      );
    }
    this.el.dataset.severity = severity;
    this.el.replaceChildren(...children);
    this.el.hidden = false;
    fitDown(title, { minRatio: 0.5 });
    fitDown(body, { minRatio: 0.5, minPx: vh(2.6) });
  }
}
