// 招聘会: the job fairs visible from this hall that have not ended, soonest first, a page of big rows at
// a time: name, theme, when (the hall's time), where, how many employers. A row opens the fair.

import { h } from "../../_dom.js";
import { icon } from "../icons.js";
import { pager } from "../pager.js";

/** "12月20日 09:00–16:00" (or to the next day's date and time), in the hall's zone and the page's language. */
export function fairHours(ctx, fair) {
  const zone = { timeZone: ctx.timeZone || "Asia/Shanghai", hour12: false };
  const lang = ctx.lang || "zh-CN";
  const day = new Intl.DateTimeFormat(lang, { ...zone, month: "long", day: "numeric", weekday: "short" });
  const time = new Intl.DateTimeFormat(lang, { ...zone, hour: "2-digit", minute: "2-digit" });
  const start = new Date(fair.starts_at);
  const end = new Date(fair.ends_at);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return "";
  const sameDay = day.format(start) === day.format(end);
  return ctx.t("fairs.hours", {
    day: day.format(start),
    from: time.format(start),
    to: sameDay ? time.format(end) : `${day.format(end)} ${time.format(end)}`,
  });
}

export function fairTheme(ctx, fair) {
  return String(ctx.lang || "").startsWith("en") && fair.theme_en ? fair.theme_en : fair.theme || "";
}

function fairRow(ctx, fair, onOpen) {
  const { t } = ctx;
  const count = Array.isArray(fair.booths) ? fair.booths.length : 0;
  const button = h("button", { type: "button", class: "kvrow kfrow", data: { id: fair.id } },
    h("span", { class: "kvrow__main" },
      h("span", { class: "kvrow__title" }, fair.title || ""),
      h("span", { class: "kfrow__theme" }, fairTheme(ctx, fair))),
    h("span", { class: "kvrow__employer" }, icon("clock"), fairHours(ctx, fair)),
    h("span", { class: "kvrow__facts" },
      [fair.venue || t("fairs.online"), t("fairs.employers", { count })].join(t("list.separator"))),
    h("span", { class: "kvrow__more" }, t("list.details"), icon("next")));
  button.addEventListener("click", () => onOpen(fair));
  return h("li", {}, button);
}

export function fairsScreen(ctx, params) {
  const { t } = ctx;
  const state = { page: params.page || 1 };
  const countEl = h("p", { class: "kcount-line", role: "status" });
  const listEl = h("div", { class: "klist-slot" }, h("p", { class: "kloading", role: "status" }, t("loading")));
  const pagerEl = h("div", { class: "kpager-slot" });
  const node = h("section", { class: "kscreen kjobs kfairs" }, countEl, listEl, pagerEl);

  async function refresh() {
    ctx.remember({ ...state });
    const data = await ctx.load((signal) => ctx.api.get("/fairs", { signal, params: { page: state.page, per_page: ctx.rows } }));
    const items = Array.isArray(data.items) ? data.items : [];
    const total = Number(data.total) || 0;
    const pages = Math.max(1, Math.ceil(total / ctx.rows));
    countEl.textContent = t("fairs.count", { count: total });
    listEl.replaceChildren(items.length
      ? h("ul", { class: "kvlist" }, items.map((f) => fairRow(ctx, f, (fair) => ctx.go("fair", { id: fair.id }))))
      : h("p", { class: "kempty", role: "status" }, icon("info"), t("fairs.empty")));
    pagerEl.replaceChildren(pager(t, { page: state.page, pages, onPage: (n) => { state.page = n; refresh(); } }));
  }

  refresh();
  return { node, title: t("fairs.title") };
}
