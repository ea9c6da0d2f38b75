// Queue board: the region widget "queue". The newest call large (请A023号到5号窗口办理), the eight
// calls before it, each counter's status (窗口 · 状态 · 当前号), and per service type how many wait
// and about how long. Type never goes below the reading-distance rule of queue.css (--qb-type,
// docs/queue.md "Reading from across the hall"): what does not fit at that size is left off whole.
//
// A recall says 重呼 in words next to the ticket, never by colour alone. Rendering is idempotent:
// rows are kept by call id, so the same board leaves the DOM as it is and only a new newest call
// gets a new element (which is what makes it pulse, once).

import { canonicalJson, fitText, fromParts, h } from "./_dom.js";
import { safeTimeZone } from "./clock.js";
import { counterGridNode, GridPager } from "./counter-grid.js";

/** The hall-local date (YYYY-MM-DD) at `ms` in `timeZone`. */
export function localDay(ms, timeZone) {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: safeTimeZone(timeZone),
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(ms);
}

/**
 * `board` as it may be shown at `nowMs`: a board of an earlier day (kept in storage overnight)
 * shows no calls, tickets or lines, which would all be yesterday's.
 */
export function boardForToday(board, nowMs) {
  if (!board) return null;
  if (typeof board.day !== "string" || board.day >= localDay(nowMs, board.timezone)) return board;
  const counters = board.counters.map((c) => ({
    ...c,
    ticket: null,
    state: null,
    status: c.paused ? "paused" : "closed",
    service: null,
    since: null,
  }));
  return { ...board, calls: [], services: [], counters };
}

function english(i18n) {
  return i18n.lang.split("-")[0] === "en";
}

/** A counter's name as the hall set it (5号窗口), or one made from its number. */
export function counterLabel(i18n, name, number) {
  return name ? String(name) : i18n.t("queue.counter.number", { number: number ?? "" });
}

/** A service type's name in the page's language (the hall enters both). */
export function serviceLabel(i18n, name, nameEn) {
  return english(i18n) && nameEn ? String(nameEn) : String(name ?? "");
}

/** The words a call is shown and spoken with: 请A023号到5号窗口办理, or 重呼：… on a recall. */
export function callText(i18n, call, { spoken = false } = {}) {
  const params = { ticket: call.ticket ?? "", counter: counterLabel(i18n, call.counter_name, call.counter) };
  return i18n.t(spoken && call.recall ? "queue.call.recall" : "queue.call", params);
}

function callData(call, newest) {
  return {
    callId: call.id,
    ticket: call.ticket ?? "",
    counter: call.counter ?? "",
    recall: call.recall ? "true" : "false",
    newest: newest ? "true" : "false",
  };
}

function recallBadge(i18n, call) {
  return call.recall ? h("span", { class: "qb__recall" }, i18n.t("queue.recall")) : null;
}

function heroNode(call, i18n) {
  const params = { ticket: call.ticket ?? "", counter: counterLabel(i18n, call.counter_name, call.counter) };
  return h(
    "div",
    { class: "qb__call qb__call--newest", data: callData(call, true) },
    h(
      "p",
      { class: "qb__sentence" },
      recallBadge(i18n, call),
      fromParts(i18n.parts("queue.call", params), "qb__sentence"),
    ),
    h("p", { class: "qb__hero-service" }, serviceLabel(i18n, call.service, call.service_en)),
  );
}

function rowNode(call, i18n) {
  return h(
    "li",
    { class: "qb__call", data: callData(call, false) },
    h("span", { class: "qb__ticket" }, call.ticket ?? ""),
    h("span", { class: "qb__counter" }, counterLabel(i18n, call.counter_name, call.counter)),
    h("span", { class: "qb__service" }, serviceLabel(i18n, call.service, call.service_en)),
    recallBadge(i18n, call),
  );
}

/** 约 N 分钟, or 约 L–H 分钟 when the estimate is uncertain (docs/queue.md §1, "Estimated wait"). */
function waitText(service, i18n) {
  const minutes = Number(service.wait_minutes);
  if (!Number.isFinite(minutes)) return "";
  const low = Number(service.wait_minutes_low);
  const high = Number(service.wait_minutes_high);
  if (Number.isFinite(low) && Number.isFinite(high) && high > low) {
    return i18n.t("queue.wait.range", { low: Math.max(1, Math.round(low)), high: Math.round(high) });
  }
  return i18n.t("queue.wait", { minutes: Math.max(1, Math.round(minutes)) });
}

function lineNode(service, i18n) {
  const waiting = Number(service.waiting) || 0;
  const wait = waiting === 0 ? i18n.t("queue.wait.none") : waitText(service, i18n);
  return h(
    "li",
    { class: "qb__line", data: { service: service.prefix ?? "", waiting } },
    h("span", { class: "qb__prefix" }, service.prefix ?? ""),
    h("span", { class: "qb__name" }, serviceLabel(i18n, service.name, service.name_en)),
    h("span", { class: "qb__waiting" }, fromParts(i18n.parts("queue.waiting", { count: waiting }), "qb__waiting")),
    h("span", { class: "qb__wait" }, wait),
  );
}

/** Hide the trailing children of `list` that would not fit whole in `box` (the list itself by default). */
function hideOverflow(list, box = list) {
  const bottom = box.getBoundingClientRect().bottom + 1;
  let fits = true;
  for (const child of list.children) {
    child.hidden = false;
    fits = fits && child.getBoundingClientRect().bottom <= bottom;
    child.hidden = !fits;
  }
}

/** Keep `parent`'s children equal to `nodes`, touching the DOM only when they differ. */
function setChildren(parent, nodes) {
  const same = parent.children.length === nodes.length && nodes.every((n, i) => parent.children[i] === n);
  if (!same) parent.replaceChildren(...nodes);
}

export class QueueBoard {
  constructor(el, { i18n }) {
    this.el = el;
    this.i18n = i18n;
    this.el.classList.add("region--queue");
    this.heroEl = h("div", { class: "qb__hero" });
    this.listEl = h("ol", { class: "qb__list" });
    this.gridEl = h("div", { class: "qb__grid-box" });
    this.gridPager = new GridPager({ i18n });
    this.linesEl = h("ul", { class: "qb__lines-list" });
    this.staleEl = h("p", { class: "qb__stale", hidden: true }, i18n.t("queue.stale"));
    this.boardEl = h(
      "div",
      { class: "qb" },
      h("section", { class: "qb__now", "aria-label": i18n.t("queue.title") }, this.heroEl),
      h("section", { class: "qb__calls" }, h("h2", { class: "qb__title" }, i18n.t("queue.recent")), this.listEl),
      h("section", { class: "qb__counters" }, this.gridEl),
      h("section", { class: "qb__lines" }, h("h2", { class: "qb__title" }, i18n.t("queue.lines")), this.linesEl),
    );
    this.el.replaceChildren(this.boardEl, this.staleEl);
    this.rows = new Map(); // call id → {key, node}
    this.key = null;
    this.speaking = null;
  }

  /** queue: {board, version, stale, announcing} from the wall (board already limited to today). */
  update({ queue }) {
    const { board = null, version = "", stale = false, announcing = null } = queue || {};
    const led = document.documentElement.classList.contains("led"); // other CSS, other fit
    const size = `${this.el.clientWidth}x${this.el.clientHeight}`;
    const key = canonicalJson([board && board.calls, board && board.services, board && board.counters, size, led]);
    const data = { version: String(version), stale: stale ? "true" : "false" };
    for (const [name, value] of Object.entries(data)) {
      if (this.el.dataset[name] !== value) this.el.dataset[name] = value;
    }
    if (this.staleEl.hidden !== !stale) this.staleEl.hidden = !stale;
    if (key !== this.key) {
      this.key = key;
      this._render(board);
      this.speaking = undefined; // new rows: mark the one being spoken again
    }
    this._markSpeaking(announcing);
  }

  _row(call, newest) {
    const key = canonicalJson([call, newest, this.i18n.lang]);
    const id = `${newest ? "hero" : "row"}:${call.id}`;
    const found = this.rows.get(id);
    if (found && found.key === key) return found.node;
    const node = newest ? heroNode(call, this.i18n) : rowNode(call, this.i18n);
    this.rows.set(id, { key, node });
    return node;
  }

  _render(board) {
    const calls = board ? board.calls.filter((c) => c && typeof c === "object") : [];
    const [newest, ...older] = calls;
    const hero = newest
      ? this._row(newest, true)
      : h("p", { class: "qb__empty" }, this.i18n.t("queue.empty"));
    const rows = older.map((call) => this._row(call, false));
    const kept = new Set([...(newest ? [`hero:${newest.id}`] : []), ...older.map((c) => `row:${c.id}`)]);
    for (const id of this.rows.keys()) if (!kept.has(id)) this.rows.delete(id);
    if (this.heroEl.firstChild !== hero || this.heroEl.childNodes.length !== 1) this.heroEl.replaceChildren(hero);
    setChildren(this.listEl, rows);
    const services = board ? board.services.filter((s) => s && s.active !== false) : [];
    this.linesEl.replaceChildren(...services.map((s) => lineNode(s, this.i18n)));
    const counters =
      board && Array.isArray(board.counters) ? board.counters.filter((c) => c && typeof c === "object") : [];
    const label = (c) => counterLabel(this.i18n, c.name, c.number);
    this.gridEl.replaceChildren(...(counters.length ? [counterGridNode(counters, this.i18n, label)] : []));
    this.boardEl.dataset.counters = String(counters.length);
    if (this.el.clientHeight > 0) this._fit();
  }

  /** The smallest type the reading-distance rule allows here, in px (queue.css: --qb-type). */
  minType() {
    return parseFloat(getComputedStyle(this.boardEl).fontSize) || 12;
  }

  _fit() {
    const sentence = this.heroEl.querySelector(".qb__sentence");
    if (sentence) {
      // One line, as large as the box allows, never below the floor.
      const floor = this.minType();
      const max = Math.max(floor, this.heroEl.clientHeight * 0.62);
      fitText(sentence, { min: floor, max });
    }
    hideOverflow(this.listEl);
    const table = this.gridEl.querySelector("table");
    if (table) this.gridPager.start(table, this.gridEl);
    else this.gridPager.stop();
    // A heading over no line at all (a side column, full at the floor) goes with its lines.
    const linesBox = this.linesEl.parentElement;
    linesBox.hidden = false;
    hideOverflow(this.linesEl);
    const lines = [...this.linesEl.children];
    linesBox.hidden = lines.length > 0 && lines.every((line) => line.hidden);
  }

  _markSpeaking(id) {
    const wanted = id === null || id === undefined ? null : String(id);
    if (wanted === this.speaking) return;
    this.speaking = wanted;
    for (const node of this.el.querySelectorAll(".qb__call")) {
      node.classList.toggle("qb__call--speaking", node.dataset.callId === wanted);
    }
  }

  destroy() {
    this.gridPager.stop();
    this.rows.clear();
    this.el.replaceChildren();
  }
}
