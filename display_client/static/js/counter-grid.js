// The queue board's counter grid: 窗口 · 状态 · 当前号, one row per counter of the hall.
//
// Every state is a word (办理中, 呼叫中, 空闲, 暂停服务 with its reason, 未开放) and a mark, so colour
// is never the only signal. Rows are rebuilt only when the counters change (queue-board.js keys them).
// A hall with more counters than the box holds at the reading size gets pages (GridPager), never a
// silently shortened list: the rows that fit, then the next, each for GRID_PAGE_MS, with 1/3 shown.

import { h } from "./_dom.js";

export const COUNTER_STATUSES = ["calling", "serving", "idle", "paused", "closed"];
export const GRID_PAGE_MS = 8000;

/**
 * What the board says of `counter`: its `status` from the server, or (a board from before the
 * status existed) one made from its ticket's state.
 */
export function counterStatus(counter) {
  if (COUNTER_STATUSES.includes(counter.status)) return counter.status;
  if (counter.paused === true || counter.state === "paused") return "paused";
  if (counter.ticket && counter.state === "serving") return "serving";
  if (counter.ticket) return "calling";
  return "idle";
}

function statusCell(counter, status, i18n) {
  const reason = status === "paused" && counter.pause_reason ? String(counter.pause_reason) : "";
  return h(
    "td",
    { class: "qb__grid-status" },
    h("span", { class: "qb__grid-mark", "aria-hidden": "true" }),
    h("span", { class: "qb__grid-word" }, i18n.t(`queue.counters.${status}`)),
    reason ? h("span", { class: "qb__grid-reason" }, reason) : null,
  );
}

function rowNode(counter, i18n, label) {
  const status = counterStatus(counter);
  const showsTicket = (status === "calling" || status === "serving") && counter.ticket;
  return h(
    "tr",
    { class: "qb__grid-row", data: { counter: counter.number ?? "", status } },
    h("td", { class: "qb__grid-counter" }, label),
    statusCell(counter, status, i18n),
    h("td", { class: "qb__grid-ticket" }, showsTicket ? String(counter.ticket) : i18n.t("queue.counters.none")),
  );
}

/** The grid as a table element for `counters` (the board's `counters`), labelled by `labelOf(counter)`. */
export function counterGridNode(counters, i18n, labelOf) {
  const head = h(
    "tr",
    {},
    ["counter", "status", "ticket"].map((c) =>
      h(
        "th",
        { class: `qb__grid-${c}`, scope: "col" },
        i18n.t(`queue.counters.col.${c}`),
        c === "counter" ? h("span", { class: "qb__grid-page", hidden: true }) : null,
      ),
    ),
  );
  return h(
    "table",
    { class: "qb__grid" },
    h("thead", {}, head),
    h(
      "tbody",
      {},
      counters.map((c) => rowNode(c, i18n, labelOf(c))),
    ),
  );
}

/**
 * Show the rows of `rows` from `start` that fit whole in `box`, hide the others; the index of the
 * first row left for the next page (rows.length: none). A row taller than the box still shows alone.
 */
function showFrom(rows, start, box) {
  const bottom = box.getBoundingClientRect().bottom + 1;
  let next = rows.length;
  rows.forEach((row, i) => {
    row.hidden = i < start || i >= next;
    if (row.hidden) return;
    if (row.getBoundingClientRect().bottom > bottom && i > start) {
      row.hidden = true;
      next = i;
    }
  });
  return next;
}

/** Pages a grid whose rows do not all fit in its box: one page after the other, every `everyMs`. */
export class GridPager {
  constructor({ everyMs = GRID_PAGE_MS, i18n }) {
    this.everyMs = everyMs;
    this.i18n = i18n;
    this.timer = null;
  }

  /** Start over on `table` (from counterGridNode) inside `box`: page 1, and turning if there are more. */
  start(table, box) {
    this.stop();
    const rows = [...table.querySelectorAll("tbody > tr")];
    const marker = table.querySelector(".qb__grid-page");
    const starts = [0];
    for (let next = showFrom(rows, 0, box); next < rows.length; next = showFrom(rows, next, box)) starts.push(next);
    let page = 0;
    const show = () => {
      showFrom(rows, starts[page], box);
      table.dataset.page = String(page + 1);
      if (marker) marker.textContent = this.i18n.t("queue.counters.page", { page: page + 1, pages: starts.length });
    };
    if (marker) marker.hidden = starts.length < 2;
    table.dataset.pages = String(starts.length);
    show();
    if (starts.length < 2) return;
    this.timer = setInterval(() => {
      page = (page + 1) % starts.length;
      show();
    }, this.everyMs);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }
}
