// Data feed (信息源): the entries the server fetched, shown with the feed's template.
//
// - list: the feed's title, then headlines with their dates, as many as fit; the rest on further
//   pages, each page lasting the entry's duration;
// - cards: one entry per page (headline, date, summary);
// - ticker: the headlines in one scrolling line.
// On an LED panel every template scrolls by as one line, the only form legible there. Entries
// are plain text (sanitised by the server) and are only ever set as text. A feed with no entries
// yet shows its title and a note: never a blank region.

import { fitDown, fitText, h, overflows, timedView, vh } from "./_dom.js";
import { marqueeView } from "./ticker.js";

const BODY_MIN_VH = 2.6;
const SUMMARY_MAX_VH = 4.2;

function text(value) {
  return typeof value === "string" ? value : "";
}

/** An entry's ISO instant as a short local date ("12月7日"), "" without one. */
export function entryDate(iso, i18n) {
  if (!text(iso)) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return i18n.t("feed.date", { month: date.getMonth() + 1, day: date.getDate() });
}

function entries(item) {
  return (Array.isArray(item?.entries) ? item.entries : []).filter((e) => e && text(e.title));
}

function head(item, i18n) {
  return h(
    "header",
    { class: "feed__head" },
    h("h2", { class: "feed__title" }, text(item.title) || i18n.t("feed.title")),
    h("span", { class: "feed__pager" }),
  );
}

function row(entry, i18n) {
  const date = entryDate(entry.date, i18n);
  return h(
    "li",
    { class: "feed__row" },
    h("span", { class: "feed__headline" }, entry.title),
    date ? h("time", { class: "feed__date", datetime: entry.date }, date) : null,
  );
}

/** Split the laid-out rows of `list` into pages of rows that fit its box (at least one row a page). */
function pagesOf(list) {
  const pages = [];
  const limit = list.clientHeight;
  let page = [];
  let top = list.firstElementChild ? list.firstElementChild.offsetTop : 0; // offsets are from the card, not the list
  for (const li of list.children) {
    const bottom = li.offsetTop + li.offsetHeight;
    if (page.length > 0 && bottom - top > limit) {
      pages.push(page);
      page = [];
      top = li.offsetTop;
    }
    page.push(li);
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

function pagedView(node, pages, ms, i18n, show) {
  const pager = node.querySelector(".feed__pager");
  return timedView(node, ms, {
    pages: Math.max(1, pages),
    showPage(page) {
      show(page);
      if (pages > 1) pager.textContent = i18n.t("pager", { page: page + 1, pages });
    },
  });
}

function listView(item, list, { i18n, staging, ms }) {
  const ul = h("ol", { class: "feed__list" }, list.map((entry) => row(entry, i18n)));
  const node = h("article", { class: "feed feed--list", data: { feed: item.id } }, head(item, i18n), ul);
  staging.append(node);
  fitDown(node.querySelector(".feed__title"), { minRatio: 0.6, minPx: vh(BODY_MIN_VH) });
  const pages = pagesOf(ul);
  return pagedView(node, pages.length, ms, i18n, (page) => {
    pages.forEach((rows, i) => {
      for (const li of rows) li.hidden = i !== page;
    });
  });
}

function card(entry, i18n) {
  const date = entryDate(entry.date, i18n);
  return h(
    "section",
    { class: "feed__card" },
    h("h3", { class: "feed__card-title" }, entry.title),
    date ? h("time", { class: "feed__date", datetime: entry.date }, date) : null,
    text(entry.summary) ? h("p", { class: "feed__summary" }, entry.summary) : null,
  );
}

function cardsView(item, list, { i18n, staging, ms }) {
  const cards = list.map((entry) => card(entry, i18n));
  const node = h(
    "article",
    { class: "feed feed--cards", data: { feed: item.id } },
    head(item, i18n),
    h("div", { class: "feed__cards" }, cards),
  );
  staging.append(node);
  for (const c of cards) {
    const summary = c.querySelector(".feed__summary");
    if (summary) fitText(summary, { min: vh(BODY_MIN_VH), max: vh(SUMMARY_MAX_VH) });
    fitDown(c.querySelector(".feed__card-title"), { minRatio: 0.6, minPx: vh(BODY_MIN_VH) });
    if (summary && overflows(summary)) summary.classList.add("feed__summary--clipped");
    c.hidden = true;
  }
  return pagedView(node, cards.length, ms, i18n, (page) => {
    cards.forEach((c, i) => {
      c.hidden = i !== page;
    });
  });
}

function lineText(item, list, i18n) {
  return list
    .map((entry) => {
      const date = entryDate(entry.date, i18n);
      return date ? i18n.t("feed.line.dated", { title: entry.title, date }) : entry.title;
    })
    .join(i18n.t("feed.line.separator"));
}

function emptyView(item, { i18n, staging, ms }) {
  const node = h(
    "article",
    { class: "feed feed--empty", data: { feed: item.id } },
    head(item, i18n),
    h("p", { class: "feed__note" }, i18n.t("feed.empty")),
  );
  staging.append(node);
  return timedView(node, ms);
}

/** Build a feed view in `staging` with the item's template (a marquee on LED panels). */
export function buildFeedView(item, { i18n, led, staging, ms }) {
  const list = entries(item);
  if (list.length === 0) return emptyView(item ?? {}, { i18n, staging, ms });
  if (led || item.template === "ticker") {
    const line = i18n.t("feed.line", { title: text(item.title), entries: lineText(item, list, i18n) });
    return marqueeView(line, { staging, ms, className: led ? "feed-ticker feed-ticker--led" : "feed-ticker" });
  }
  if (item.template === "cards") return cardsView(item, list, { i18n, staging, ms });
  return listView(item, list, { i18n, staging, ms });
}
