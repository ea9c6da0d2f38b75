// What an emergency looks like: a sheet (the whole screen, or a warning's panel) or a band (one
// line: a notice's banner, a kiosk's banner, the side of a counter strip).
//
// Severity is shown by colour AND by an icon and a word (紧急 / 警告 / 提示), so it reads for people
// who cannot tell the colours apart. Every emergency in force is listed, each with its own word.

import { fitDown, fromParts, h, vh } from "./_dom.js";

export const SEVERITIES = ["critical", "warning", "info"];
const SVG = "http://www.w3.org/2000/svg";
// A band's line scrolls at about four characters a second when it does not fit (as the ticker).
const FONT_HEIGHTS_PER_SECOND = 4;

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** The icon of a severity: a warning triangle, or a circled "i" for information. */
export function icon(severity) {
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

export function severityOf(emergency) {
  return SEVERITIES.includes(emergency.severity) ? emergency.severity : "critical";
}

function badge(i18n, severity) {
  return h(
    "div",
    { class: "emergency__badge" },
    icon(severity),
    h("span", { class: "emergency__word" }, i18n.t(`emergency.${severity}`)),
  );
}

function otherWord(i18n, emergency) {
  return h("span", { class: "emergency__other-word" }, i18n.t(`emergency.${severityOf(emergency)}`));
}

/** The whole screen (critical) or a warning's panel: the first emergency large, the others listed. */
export function renderSheet(el, i18n, [first, ...others]) {
  const title = h("h1", { class: "emergency__title" }, first.title ?? "");
  const body = h("div", { class: "emergency__body" }, first.body ?? "");
  const children = [badge(i18n, severityOf(first)), title, body];
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
              otherWord(i18n, e),
              h("span", {}, e.title ?? ""),
            ),
          ),
        ),
      ),
    );
  }
  el.replaceChildren(...children);
  fitDown(title, { minRatio: 0.5 });
  fitDown(body, { minRatio: 0.5, minPx: vh(2.6) });
}

/** One emergency on a line: its title and body as the catalogue joins them, each in its own span. */
function lineItem(i18n, emergency, withWord) {
  const params = { title: emergency.title ?? "", body: emergency.body ?? "" };
  const key = params.body ? "emergency.line" : "emergency.line.title";
  return h(
    "span",
    { class: `emergency__item emergency__item--${severityOf(emergency)}` },
    withWord ? otherWord(i18n, emergency) : null,
    fromParts(i18n.parts(key, params), "emergency__item"),
  );
}

/**
 * A band: the badge of the highest severity, then every emergency on one line that scrolls when
 * it is longer than the band (and stands still when it fits).
 */
export function renderBand(el, i18n, emergencies) {
  const [first, ...others] = emergencies;
  const track = h(
    "span",
    { class: "marquee__track emergency__track" },
    lineItem(i18n, first, false),
    others.map((e) => lineItem(i18n, e, true)),
  );
  const run = h("div", { class: "emergency__run marquee" }, track);
  el.replaceChildren(badge(i18n, severityOf(first)), run);
  const width = run.clientWidth;
  const length = track.scrollWidth;
  if (length <= width) {
    run.style.setProperty("--marquee-from", "0px");
    run.dataset.scrolls = "false";
    return;
  }
  const speed = (parseFloat(getComputedStyle(track).fontSize) || 16) * FONT_HEIGHTS_PER_SECOND; // px/s
  run.style.setProperty("--marquee-from", `${width}px`);
  run.style.setProperty("--marquee-to", `${-length}px`);
  run.style.setProperty("--marquee-duration", `${Math.round(((width + length) / speed) * 1000)}ms`);
  // The first pass starts with the line's beginning at the left edge, readable at once; later
  // passes enter from the right.
  run.style.setProperty("--marquee-delay", `${-Math.round((width / speed) * 1000)}ms`);
  run.dataset.scrolls = "true";
  run.classList.add("marquee--run");
}
