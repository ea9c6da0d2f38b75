// The queue board's counter grid: 窗口 · 状态 · 当前号, one row per counter of the hall.
//
// Every state is a word (办理中, 呼叫中, 空闲, 暂停服务 with its reason, 未开放) and a mark, so colour
// is never the only signal. Rows are rebuilt only when the counters change (queue-board.js keys them).

import { h } from "./_dom.js";

export const COUNTER_STATUSES = ["calling", "serving", "idle", "paused", "closed"];

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
      h("th", { class: `qb__grid-${c === "status" ? "status" : c}`, scope: "col" }, i18n.t(`queue.counters.col.${c}`)),
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
