// Service guide (办事指南) card: one guide per page, read from across the hall.
//
// On an LCD wall: the service's name and category, a line of facts (time limit, fee, where, when,
// phone), then conditions and materials, the numbered steps and the online link's QR side by side,
// the body's type fitted to the region between 2.6vh (the smallest running text) and 4vh. On an LED panel only the name, the time
// limit, where, and the steps, one to a page, each page lasting the entry's duration split across
// the pages (at least LED_PAGE_MIN_MS), so a long guide does not hold a small panel for minutes.

import { canonicalJson, fitDown, fitText, h, timedView, vh } from "./_dom.js";
import { qrSvg } from "./qr-code.js";

const BODY_MAX_VH = 4;
const BODY_MIN_VH = 2.6;
const LED_PAGE_MIN_MS = 5000;

function text(value) {
  return typeof value === "string" ? value : value == null ? "" : String(value);
}

function materialLine(material, i18n) {
  const name = text(material?.name);
  const copies = Number.isInteger(material?.copies) ? material.copies : 1;
  let key = material?.original ? "guide.material.original" : "guide.material";
  if (material?.original && copies === 0) key = "guide.material.original_only";
  return h(
    "li",
    { class: "guide__material" },
    h("span", { class: "guide__material-name" }, name),
    h("span", { class: "guide__material-copies" }, i18n.t(key, { copies })),
  );
}

function section(title, ...children) {
  return h("section", { class: "guide__section" }, h("h3", { class: "guide__heading" }, title), ...children);
}

function fact(i18n, key, value) {
  return value ? h("div", { class: "guide__fact" }, h("dt", {}, i18n.t(key)), h("dd", {}, value)) : null;
}

function facts(guide, i18n) {
  return h(
    "dl",
    { class: "guide__facts" },
    fact(i18n, "guide.time_limit", text(guide.time_limit)),
    fact(i18n, "guide.fee", text(guide.fee)),
    fact(i18n, "guide.location", whereText(guide, i18n)),
    fact(i18n, "guide.hours", text(guide.hours)),
    fact(i18n, "guide.phone", text(guide.phone)),
  );
}

function whereText(guide, i18n) {
  const location = text(guide.location);
  const counter = text(guide.counter);
  if (location && counter) return i18n.t("guide.where", { location, counter });
  return location || counter;
}

function cardNode(guide, i18n) {
  const steps = (Array.isArray(guide.steps) ? guide.steps : []).map((step, i) =>
    h("li", { class: "guide__step" }, h("span", { class: "guide__step-no" }, String(i + 1)), h("span", {}, text(step))),
  );
  const materials = (Array.isArray(guide.materials) ? guide.materials : []).map((m) => materialLine(m, i18n));
  const qr = qrSvg(guide.qr, i18n.t("guide.qr"));
  return h(
    "article",
    { class: "guide", data: { guide: guide.id } },
    h(
      "header",
      { class: "guide__head" },
      guide.category ? h("span", { class: "guide__category" }, text(guide.category)) : null,
      h("h2", { class: "guide__title" }, text(guide.title)),
    ),
    facts(guide, i18n),
    h(
      "div",
      { class: "guide__body" },
      h(
        "div",
        { class: "guide__col" },
        guide.conditions ? section(i18n.t("guide.conditions"), h("p", { class: "guide__text" }, text(guide.conditions))) : null,
        materials.length ? section(i18n.t("guide.materials"), h("ul", { class: "guide__materials" }, materials)) : null,
      ),
      h("div", { class: "guide__col" }, section(i18n.t("guide.steps"), h("ol", { class: "guide__steps" }, steps))),
      qr
        ? h(
            "div",
            { class: "guide__col guide__col--side" },
            h("figure", { class: "guide__qr" }, qr, h("figcaption", {}, i18n.t("guide.qr"))),
          )
        : null,
    ),
  );
}

/** The LED pages of a guide: its time limit and where, then each step. */
export function ledPages(guide, i18n) {
  const pages = [];
  if (guide.time_limit) pages.push(i18n.t("guide.led.time_limit", { value: text(guide.time_limit) }));
  const where = whereText(guide, i18n);
  if (where) pages.push(i18n.t("guide.led.where", { value: where }));
  (Array.isArray(guide.steps) ? guide.steps : []).forEach((step, i) => {
    pages.push(i18n.t("guide.led.step", { n: i + 1, step: text(step) }));
  });
  return pages.length ? pages : [text(guide.title)];
}

function buildLed(guide, { i18n, staging, ms }) {
  const pages = ledPages(guide, i18n);
  const line = h("p", { class: "guide-led__line" });
  const pager = h("span", { class: "guide-led__pager" });
  const node = h(
    "article",
    { class: "guide-led", data: { guide: guide.id } },
    h("h2", { class: "guide-led__title" }, text(guide.title)),
    line,
    pager,
  );
  staging.append(node);
  fitDown(node.querySelector(".guide-led__title"), { minRatio: 0.5, minPx: 12 });
  const pageMs = Math.max(LED_PAGE_MIN_MS, Math.round(ms / pages.length));
  return timedView(node, pageMs, {
    pages: pages.length,
    showPage(page) {
      line.textContent = pages[page];
      pager.textContent = i18n.t("pager", { page: page + 1, pages: pages.length });
      // As large as the panel allows; never below a size an LED can still draw legibly.
      fitText(line, { min: Math.max(12, vh(6)), max: node.clientHeight * 0.34 });
    },
  });
}

/** Build a guide view in `staging`. */
export function buildGuideView(guide, { i18n, led, staging, ms }) {
  if (led) return buildLed(guide, { i18n, staging, ms });
  const node = cardNode(guide, i18n);
  staging.append(node);
  fitDown(node.querySelector(".guide__title"), { minRatio: 0.6, minPx: vh(BODY_MIN_VH) });
  fitText(node.querySelector(".guide__body"), { min: vh(BODY_MIN_VH), max: vh(BODY_MAX_VH) });
  return timedView(node, ms);
}

/** The region player's steps for a guide_feed entry: one per guide. */
export function guideSteps(guides, entry, env, ms) {
  return guides.map((guide) => ({
    key: canonicalJson(["guide", guide, entry.duration ?? null, env.led, ms]),
    items: [guide],
    build: (ctx) => buildGuideView(guide, { ...ctx, led: env.led, ms }),
  }));
}
