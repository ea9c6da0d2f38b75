// Fair board (招聘会): for each fair, a cover that counts down by the player's own clock (days, then
// hours) until the fair's day and then says 今日招聘会; on the day, pages of its employers with their
// booths and position counts (paged like the training board); and its booth map as a page when it has
// one. The countdown needs no server: it is worked out from `starts_at` every time it is drawn and
// every 30 s while on screen, so a wall that lost the network keeps counting. On an LED panel every page
// is one big line.

import { fitText, fromParts, h, overflows, timedView, vh } from "./_dom.js";
import { DEFAULT_TIME_ZONE, safeTimeZone } from "./clock.js";

const HOUR_MS = 3600 * 1000;
const TICK_MS = 30 * 1000;

/** "2026-12-07" for the instant `ms` in `timeZone`. */
export function localDay(ms, timeZone) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: safeTimeZone(timeZone),
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date(ms));
  const part = (type) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/**
 * Where a fair stands at `now` (ms) in `timeZone`: {phase: "before", days, hours} (days whole local
 * days to its day, hours to its start when that is under a day), {phase: "today"}, {phase: "running"}
 * or {phase: "over"}.
 */
export function fairPhase(fair, now, timeZone) {
  const start = Date.parse(fair.starts_at);
  const end = Date.parse(fair.ends_at);
  if (!Number.isFinite(start) || !Number.isFinite(end) || now >= end) return { phase: "over" };
  if (now >= start) return { phase: "running" };
  const today = localDay(now, timeZone);
  const day = localDay(start, timeZone);
  if (today === day) return { phase: "today" };
  const days = Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / (24 * HOUR_MS));
  return { phase: "before", days, hours: Math.max(1, Math.ceil((start - now) / HOUR_MS)) };
}

/** Whether the fair's day has come (today, running, or its second day). */
export function fairIsOn(fair, now, timeZone) {
  const { phase } = fairPhase(fair, now, timeZone);
  return phase === "today" || phase === "running";
}

function hoursText(fair, i18n, timeZone) {
  const fmt = new Intl.DateTimeFormat(i18n.lang || "zh-CN", {
    timeZone: safeTimeZone(timeZone),
    month: "long", // the month in words ("December 9" and its Chinese form), not 12/9
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });
  const time = new Intl.DateTimeFormat(i18n.lang || "zh-CN", {
    timeZone: safeTimeZone(timeZone),
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });
  const start = new Date(fair.starts_at);
  const end = new Date(fair.ends_at);
  const sameDay = localDay(start.getTime(), timeZone) === localDay(end.getTime(), timeZone);
  return i18n.t("fair.hours", { from: fmt.format(start), to: sameDay ? time.format(end) : fmt.format(end) });
}

/** The countdown's words at `now`: 距招聘会还有 3 天 / 还有 5 小时 / 今日招聘会 / 正在进行. */
export function countdownText(fair, now, i18n, timeZone) {
  const p = fairPhase(fair, now, timeZone);
  if (p.phase === "before") {
    return p.days >= 1 ? i18n.t("fair.countdown.days", { days: p.days }) : i18n.t("fair.countdown.hours", { hours: p.hours });
  }
  if (p.phase === "today") return i18n.t("fair.today");
  if (p.phase === "running") return i18n.t("fair.running");
  return i18n.t("fair.over");
}

function themeText(fair, i18n) {
  return i18n.lang && i18n.lang.startsWith("en") && fair.theme_en ? fair.theme_en : (fair.theme ?? "");
}

function coverNode(fair, { i18n, led, timeZone, now }) {
  const count = Array.isArray(fair.booths) ? fair.booths.length : 0;
  if (led) {
    return h(
      "section",
      { class: "vb vb--led fb fb--cover", data: { fair: fair.id } },
      h(
        "p",
        { class: "vb__line" },
        fromParts(
          i18n.parts("fair.led.cover", { title: fair.title ?? "", countdown: countdownText(fair, now, i18n, timeZone) }),
          "fb__led",
        ),
      ),
    );
  }
  return h(
    "section",
    { class: "fb fb--cover", data: { fair: fair.id } },
    h("p", { class: "fb__kicker" }, i18n.t("fair.kicker"), h("span", { class: "fb__theme" }, themeText(fair, i18n))),
    h("h2", { class: "fb__title" }, fair.title ?? ""),
    h("p", { class: "fb__countdown", role: "timer" }, countdownText(fair, now, i18n, timeZone)),
    h(
      "dl",
      { class: "fb__facts" },
      h("dt", {}, i18n.t("fair.when")),
      h("dd", {}, hoursText(fair, i18n, timeZone)),
      h("dt", {}, i18n.t("fair.where")),
      h("dd", {}, [fair.venue || i18n.t("fair.online"), fair.address ? h("span", { class: "fb__address" }, fair.address) : null]),
      h("dt", {}, i18n.t("fair.employers")),
      h("dd", {}, i18n.t("fair.employers.count", { count })),
    ),
  );
}

function boothsNode(fair, rows, { page, pages, pageSize, i18n, led }) {
  if (led) {
    const b = rows[0];
    return h(
      "section",
      { class: "vb vb--led fb", data: { fair: fair.id } },
      h(
        "p",
        { class: "vb__line" },
        fromParts(i18n.parts("fair.led.booth", { booth: b.booth, employer: b.employer, count: b.positions }), "fb__led"),
      ),
      h("span", { class: "vb__pager" }, i18n.t("pager", { page, pages })),
    );
  }
  const head = h(
    "tr",
    {},
    ["booth", "employer", "positions"].map((c) => h("th", { class: `fb__col-${c}`, scope: "col" }, i18n.t(`fair.col.${c}`))),
  );
  const body = rows.map((b) =>
    h(
      "tr",
      {},
      h("td", { class: "fb__col-booth" }, b.booth ?? ""),
      h("td", { class: "fb__col-employer" }, [
        String(b.employer ?? ""),
        Array.isArray(b.titles) && b.titles.length
          ? h("span", { class: "fb__titles" }, b.titles.join(i18n.t("fair.joiner")))
          : null,
      ]),
      h("td", { class: "fb__col-positions" }, i18n.t("fair.positions", { count: b.positions ?? 0 })),
    ),
  );
  return h(
    "section",
    { class: "vb fb", style: { "--rows": pageSize }, data: { fair: fair.id } },
    h(
      "header",
      { class: "vb__head" },
      h("h2", { class: "vb__title" }, i18n.t("fair.today.title", { title: fair.title ?? "" })),
      h("span", { class: "vb__pager" }, i18n.t("pager", { page, pages })),
    ),
    h(
      "table",
      { class: "vb__table fb__table" },
      h("colgroup", {}, ["booth", "employer", "positions"].map((c) => h("col", { class: `fb__col-${c}` }))),
      h("thead", {}, head),
      h("tbody", {}, body),
    ),
  );
}

function mapNode(fair, { i18n }) {
  return h(
    "section",
    { class: "fb fb--map", data: { fair: fair.id } },
    h("h2", { class: "fb__map-title" }, i18n.t("fair.map", { title: fair.title ?? "" })),
    h("img", { class: "fb__map", src: fair.booth_map, alt: i18n.t("fair.map.alt", { title: fair.title ?? "" }) }),
  );
}

// Employer names and their jobs take two lines: shrink the page's type in steps until it fits the
// region, never below 2.6vh (the wall's smallest legible type), as the training board does.
function fitRows(node) {
  const table = node.querySelector(".vb__table");
  if (!table || !node.clientHeight || !overflows(node)) return;
  const floor = vh(2.6);
  let size = parseFloat(getComputedStyle(table).fontSize) || floor;
  while (overflows(node) && size > floor) {
    size = Math.max(floor, size * 0.92);
    table.style.fontSize = `${size}px`;
  }
}

function fitLine(node) {
  const line = node.querySelector(".vb__line");
  if (line) fitText(line, { min: Math.max(14, vh(6)), max: node.clientHeight * 0.6 });
}

/** The fair's cover: built now, redrawn every 30 s while shown, so the countdown moves by itself. */
export function buildFairCover(fair, { i18n, staging, ms, led, timeZone, now = () => Date.now() }) {
  let node = coverNode(fair, { i18n, led, timeZone: timeZone || DEFAULT_TIME_ZONE, now: now() });
  staging.append(node);
  if (led) fitLine(node);
  const redraw = () => {
    const fresh = coverNode(fair, { i18n, led, timeZone: timeZone || DEFAULT_TIME_ZONE, now: now() });
    if (fresh.textContent === node.textContent) return;
    node.replaceChildren(...fresh.childNodes);
    if (led) fitLine(node);
  };
  const ticker = setInterval(redraw, TICK_MS);
  const view = timedView(node, ms, { dispose: () => clearInterval(ticker) });
  const start = view.start;
  view.start = (done) => {
    redraw(); // the same cover again after a while: bring its countdown up to date first
    start(done);
  };
  return view;
}

/** One page of the fair's booths, or null (skipped) before the fair's day. */
export function buildFairBooths(fair, rows, { page, pages, pageSize, led, i18n, staging, ms, timeZone, now = () => Date.now() }) {
  if (!fairIsOn(fair, now(), timeZone)) return null;
  const node = boothsNode(fair, rows, { page, pages, pageSize, i18n, led });
  staging.append(node);
  if (led) fitLine(node);
  else fitRows(node);
  return timedView(node, ms);
}

/** The booth map as a page (an image that loads, else nothing: the step is skipped). */
export async function buildFairMap(fair, { i18n, staging, ms }) {
  const node = mapNode(fair, { i18n });
  staging.append(node);
  const img = node.querySelector("img");
  try {
    await img.decode();
  } catch {
    node.remove();
    return null;
  }
  return timedView(node, ms);
}
