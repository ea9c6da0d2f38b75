// Market board (供求分析): the labour-market figures of the hall's area as charts drawn in SVG, text as
// SVG text (never an image of text), sized for reading from 5 m: at least 40 px numbers on a
// full 1920×1080 panel (the rule in queue.css), the 16-dot floor on an LED panel.
//
// Pages, one step each: (1) demand and seekers per occupation group with the 求人倍率 of each,
// (2) the pay range per group, (3) the 求人倍率 of all groups over the quarters (from two quarters on).
// The manifest gives numbers only; names and units come from the catalogue. No seekers gives
// "—", never a division; an entry without groups gives one 暂无数据 page rather than an empty chart.

import { canonicalJson, h, timedView } from "./_dom.js";

const SVG = "http://www.w3.org/2000/svg";
// An LED panel shows the first groups only: more bars than this are not readable at 384 px high.
const LED_GROUPS = 3;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// A text at (x, y) of `size` px; `more` adds attributes (anchoring, data).
function label(cls, x, y, size, content, more = {}) {
  return s("text", { class: cls, x, y, "font-size": size, ...more }, content);
}

const END = { "text-anchor": "end" };
const CENTRAL = { "dominant-baseline": "central" };

const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);
const last = (list) => (Array.isArray(list) && list.length ? list[list.length - 1] : null);

/** The groups an entry can chart (each with a code), as many as the profile shows. */
export function chartGroups(entry, led) {
  const groups = Array.isArray(entry?.groups) ? entry.groups.filter((g) => g && typeof g.code === "string") : [];
  return led ? groups.slice(0, LED_GROUPS) : groups;
}

/** The pages an entry plays: "empty" alone without groups, the trend only from two quarters on. */
export function marketPages(entry) {
  if (!chartGroups(entry, false).length) return ["empty"];
  const quarters = Array.isArray(entry.quarters) ? entry.quarters : [];
  return quarters.length >= 2 ? ["demand", "pay", "trend"] : ["demand", "pay"];
}

/** 求人倍率 as shown: two decimals, "—" without seekers (null in the manifest). */
export function ratioText(value) {
  const v = num(value);
  return v === null ? "—" : v.toFixed(2);
}

function quarterText(quarter, i18n, key = "market.quarter") {
  const m = /^(\d{4})Q([1-4])$/.exec(String(quarter ?? ""));
  return m ? i18n.t(key, { year: m[1], q: m[2] }) : String(quarter ?? "");
}

function groupName(code, i18n) {
  return /^[1-8]$/.test(code) ? i18n.t(`market.group.${code}`) : code;
}

// Shrink a text until it is at most `width` wide (measured, so any script fits), not below `floor`.
function fitWidth(text, width, floor) {
  let size = parseFloat(text.getAttribute("font-size"));
  while (size > floor && text.getComputedTextLength() > width) {
    size = Math.max(floor, size * 0.92);
    text.setAttribute("font-size", size.toFixed(1));
  }
}

function sizes(width, height, rows, led) {
  const floor = led ? 16 : Math.max(14, height / 40);
  const type = Math.max(floor, Math.min(led ? 40 : 64, (height / Math.max(1, rows)) * (led ? 0.36 : 0.4)));
  return { type, floor, pad: type * 0.4 };
}

function legend(svg, entries, x, y, type) {
  let at = x;
  for (const [cls, label] of entries) {
    svg.append(s("rect", { class: cls, x: at, y: y - type * 0.75, width: type * 0.8, height: type * 0.8 }));
    const text = s("text", { class: "mb__legend", x: at + type * 1.1, y, "font-size": type * 0.8 }, label);
    svg.append(text);
    at += type * 1.4 + text.getComputedTextLength() + type;
  }
}

function demandChart(svg, entry, { width, height, led, i18n }) {
  const groups = chartGroups(entry, led);
  const head = height * (led ? 0.16 : 0.12);
  const { type, floor, pad } = sizes(width, height - head, groups.length, led);
  const nameW = width * (led ? 0.3 : 0.26);
  const ratioW = width * (led ? 0.16 : 0.14);
  const barX = nameW + pad;
  const barW = width - barX - ratioW - type * 3.2;
  const rowH = (height - head) / groups.length;
  const top = Math.max(
    1,
    ...groups.flatMap((g) => [num(last(g.demand)) ?? 0, num(last(g.seekers)) ?? 0]),
  );
  const keys = [
    ["mb__bar--demand", i18n.t("market.demand")],
    ["mb__bar--seekers", i18n.t("market.seekers")],
  ];
  legend(svg, keys, 0, head * 0.7, Math.min(type, head * 0.7));
  svg.append(label("mb__axis", width, head * 0.7, Math.min(type, head * 0.7) * 0.8, i18n.t("market.ratio"), END));
  groups.forEach((g, i) => {
    const y = head + rowH * i;
    const mid = y + rowH / 2;
    const name = label("mb__name", 0, mid, type, groupName(g.code, i18n), CENTRAL);
    svg.append(name);
    fitWidth(name, nameW, floor);
    const barH = Math.min(rowH * 0.42, type * 1.1);
    [
      ["demand", num(last(g.demand)) ?? 0, mid - barH - 2],
      ["seekers", num(last(g.seekers)) ?? 0, mid + 2],
    ].forEach(([kind, value, barY]) => {
      const w = Math.max(2, (barW * value) / top);
      svg.append(s("rect", { class: `mb__bar mb__bar--${kind}`, x: barX, y: barY, width: w, height: barH }));
      const at = barX + w + pad * 0.5;
      svg.append(label(`mb__value mb__value--${kind}`, at, barY + barH / 2, Math.max(floor, barH), value, CENTRAL));
    });
    const more = { ...END, ...CENTRAL, "data-group": g.code };
    svg.append(label("mb__ratio", width, mid, type * 1.15, ratioText(last(g.ratio)), more));
  });
}

function payChart(svg, entry, { width, height, led, i18n }) {
  const groups = chartGroups(entry, led);
  const head = height * (led ? 0.16 : 0.12);
  const { type, floor, pad } = sizes(width, height - head, groups.length, led);
  const nameW = width * (led ? 0.3 : 0.26);
  const labelW = width * (led ? 0.3 : 0.24);
  const barX = nameW + pad;
  const barW = width - barX - labelW - pad;
  const rowH = (height - head) / groups.length;
  const pays = groups.flatMap((g) => [num(last(g.pay_min)), num(last(g.pay_max))]).filter((v) => v !== null);
  const top = Math.max(1, ...pays);
  // The scale starts at a round thousand below the lowest pay (written on the axis), so ranges differ visibly.
  const base = pays.length ? Math.max(0, Math.floor((Math.min(...pays) * 0.8) / 1000) * 1000) : 0;
  const at = (v) => barX + (barW * (v - base)) / Math.max(1, top - base);
  const axisType = Math.min(type, head * 0.7) * 0.8;
  svg.append(label("mb__axis", 0, head * 0.7, axisType, i18n.t("market.pay.unit")));
  svg.append(label("mb__axis", barX, head * 0.7, axisType, base));
  svg.append(label("mb__axis", barX + barW, head * 0.7, axisType, top, END));
  groups.forEach((g, i) => {
    const mid = head + rowH * i + rowH / 2;
    const name = label("mb__name", 0, mid, type, groupName(g.code, i18n), CENTRAL);
    svg.append(name);
    fitWidth(name, nameW, floor);
    const low = num(last(g.pay_min));
    const high = num(last(g.pay_max));
    const barH = Math.min(rowH * 0.5, type * 1.1);
    let range = i18n.t("market.pay.none");
    if (low !== null || high !== null) {
      const a = low ?? high;
      const b = high ?? low;
      const x0 = at(a);
      const x1 = at(b);
      const box = { x: x0, y: mid - barH / 2, width: Math.max(barH * 0.3, x1 - x0), height: barH, rx: barH * 0.2 };
      svg.append(s("rect", { class: "mb__bar mb__bar--pay", ...box }));
      range = a === b ? String(a) : i18n.t("market.pay.range", { low: a, high: b });
    }
    const more = { ...END, ...CENTRAL, "data-group": g.code };
    const text = label("mb__value mb__value--pay", width, mid, type, range, more);
    svg.append(text);
    fitWidth(text, labelW, floor);
  });
}

function trendChart(svg, entry, { width, height, led, i18n }) {
  const quarters = Array.isArray(entry.quarters) ? entry.quarters : [];
  const ratios = quarters.map((_, i) => num(entry.totals?.ratio?.[i]));
  const { type } = sizes(width, height, led ? 4 : 6, led);
  const left = type * 1.2;
  const right = width - type * 1.2;
  const topY = type * 2.2;
  const bottom = height - type * 1.9;
  const top = Math.max(1.2, ...ratios.filter((r) => r !== null).map((r) => r * 1.2));
  const x = (i) => (quarters.length === 1 ? (left + right) / 2 : left + ((right - left) * i) / (quarters.length - 1));
  const y = (r) => bottom - ((bottom - topY) * r) / top;
  svg.append(s("line", { class: "mb__grid", x1: left, x2: right, y1: bottom, y2: bottom }));
  svg.append(s("line", { class: "mb__balance", x1: left, x2: right, y1: y(1), y2: y(1) }));
  svg.append(label("mb__axis", right, y(1) - type * 0.3, type * 0.7, i18n.t("market.balance"), END));
  let path = "";
  ratios.forEach((r, i) => {
    path += r === null ? "" : `${path && ratios[i - 1] !== null ? "L" : "M"}${x(i).toFixed(1)},${y(r).toFixed(1)}`;
  });
  if (path) svg.append(s("path", { class: "mb__line", d: path, "stroke-width": Math.max(3, type * 0.12) }));
  quarters.forEach((q, i) => {
    const r = ratios[i];
    const anchor = i === 0 ? "start" : i === quarters.length - 1 ? "end" : "middle";
    const short = quarterText(q, i18n, "market.quarter.short");
    const size = type * (led ? 0.8 : 0.85);
    svg.append(label("mb__axis", x(i), height - type * 0.4, size, short, { "text-anchor": anchor }));
    if (r !== null) svg.append(s("circle", { class: "mb__point", cx: x(i), cy: y(r), r: Math.max(4, type * 0.22) }));
    const above = (r === null ? bottom : y(r)) - type * 0.5;
    svg.append(label("mb__ratio", x(i), above, type, ratioText(r), { "text-anchor": anchor, "data-quarter": q }));
  });
}

const CHARTS = { demand: demandChart, pay: payChart, trend: trendChart };
const TITLES = {
  demand: "market.title.demand",
  pay: "market.title.pay",
  trend: "market.title.trend",
  empty: "market.title.demand",
};

/** Build page `kind` of a market entry in `staging` (laid out, invisible) and return its view. */
export function buildMarketPage(entry, { kind, page, pages, led, i18n, staging, ms }) {
  const quarters = Array.isArray(entry.quarters) ? entry.quarters : [];
  const period =
    kind === "trend" && quarters.length
      ? i18n.t("market.period", {
          from: quarterText(quarters[0], i18n, led ? "market.quarter.short" : "market.quarter"),
          to: quarterText(last(quarters), i18n, led ? "market.quarter.short" : "market.quarter"),
        })
      : quarterText(last(quarters), i18n);
  const chart = h("div", { class: "mb__chart" });
  const node = h(
    "section",
    { class: `mb mb--${kind}${led ? " mb--led" : ""}`, data: { page: kind } },
    h(
      "header",
      { class: "mb__head" },
      h("h2", { class: "mb__title" }, i18n.t(TITLES[kind], { area: entry.area?.name ?? "" })),
      h("span", { class: "mb__period" }, period),
      h("span", { class: "mb__pager" }, i18n.t("pager", { page, pages })),
    ),
    chart,
  );
  staging.append(node);
  if (kind === "empty") {
    chart.append(h("p", { class: "mb__empty" }, i18n.t("market.empty")));
    return timedView(node, ms);
  }
  const width = Math.max(1, chart.clientWidth);
  const height = Math.max(1, chart.clientHeight);
  const svg = s("svg", { class: "mb__svg", viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
  chart.append(svg);
  CHARTS[kind](svg, entry, { width, height, led, i18n });
  return timedView(node, ms);
}

/** The region player's steps for a market entry: one per page. */
export function marketSteps(entry, env, ms) {
  const kinds = marketPages(entry);
  const { duration: _duration, ...figures } = entry;
  return kinds.map((kind, i) => ({
    key: canonicalJson(["market", figures, kind, env.led, ms]),
    items: [],
    build: (ctx) => buildMarketPage(entry, { ...ctx, kind, page: i + 1, pages: kinds.length, led: env.led, ms }),
  }));
}
