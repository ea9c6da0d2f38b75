// 岗位匹配: vacancies that fit the person (education at or below theirs, their district first).

import { h } from "../../_dom.js";
import { pager } from "../pager.js";
import { educationLabel } from "../strings.js";
import { vacancyList } from "../vacancy-list.js";

export function matchesScreen(ctx, params) {
  const { t } = ctx;
  const state = { page: params.page || 1 };
  const node = h("section", { class: "kscreen kmatches" }, h("p", { class: "kloading", role: "status" }, t("matches.loading")));
  let latest = 0;

  async function refresh() {
    ctx.remember({ ...state });
    const mine = ++latest;
    const data = await ctx.personalGet("/session/matches", { page: state.page, per_page: ctx.rows });
    if (mine !== latest) return;
    const c = data.criteria || {};
    const items = Array.isArray(data.items) ? data.items : [];
    const pages = Math.max(1, Math.ceil((Number(data.total) || 0) / ctx.rows));
    const criteria = t(c.district ? "matches.criteria.district" : "matches.criteria", {
      age: c.age ?? "", education: educationLabel(t, c.education), district: c.district || "",
    });
    node.replaceChildren(
      h("p", { class: "kmatches__criteria" }, criteria),
      h("p", { class: "kcount-line", role: "status" }, t("matches.count", { count: Number(data.total) || 0 })),
      h("div", { class: "klist" }, vacancyList(t, items, (vacancy) => ctx.go("job", { id: vacancy.id, vacancy }), "matches.empty")),
      h("div", { class: "kpager-slot" }, pager(t, { page: state.page, pages, onPage: (n) => { state.page = n; refresh(); } })),
      h("p", { class: "kmatches__note" }, t("matches.note")));
  }

  refresh();
  return { node, title: t("matches.title"), personal: true };
}
