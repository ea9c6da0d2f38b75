// 培训查询: live training courses visible from this hall, with filters (district, occupation family,
// subsidy group, starting within a month, places left) and a page of big rows at a time.

import { h } from "../../_dom.js";
import { icon } from "../icons.js";
import { pager } from "../pager.js";

const PICKED = ["district", "family", "group"];
const TOGGLES = ["soon", "open"];

/** "12月5日–12月25日" from the course's ISO days, in the page's language. */
export function courseDates(t, course) {
  const day = (iso) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso ?? ""));
    return m ? t("training.day", { month: Number(m[2]), day: Number(m[3]) }) : "";
  };
  return t("training.dates", { from: day(course.starts_on), to: day(course.ends_on) });
}

export function coursePlaces(t, course) {
  const left = Number(course.places_left);
  return left > 0 ? t("training.places", { count: left }) : t("training.full");
}

export function courseFee(t, course) {
  const fee = Number(course.fee_yuan);
  return fee > 0 ? t("training.fee", { yuan: fee }) : t("training.free");
}

function courseRow(t, course, onOpen) {
  const groups = Array.isArray(course.subsidy_groups) ? course.subsidy_groups : [];
  const full = !(Number(course.places_left) > 0);
  const button = h("button", { type: "button", class: `kvrow ktrow${full ? " ktrow--full" : ""}`, data: { id: course.id } },
    h("span", { class: "kvrow__main" },
      h("span", { class: "kvrow__title" }, course.title || ""),
      h("span", { class: "kvrow__salary" }, courseFee(t, course))),
    h("span", { class: "kvrow__employer" }, course.provider || ""),
    h("span", { class: "kvrow__facts" },
      [courseDates(t, course), course.district || "", coursePlaces(t, course)].filter(Boolean).join(t("list.separator"))),
    groups.length ? h("span", { class: "ktrow__subsidy" }, icon("check"), t("training.subsidy_for", { groups: groups.join(t("training.joiner")) })) : null,
    h("span", { class: "kvrow__more" }, t("list.details"), icon("next")));
  button.addEventListener("click", () => onOpen(course));
  return h("li", {}, button);
}

export function trainingScreen(ctx, params) {
  const { t } = ctx;
  const state = {
    district: params.district || "",
    family: params.family || "",
    group: params.group || "",
    soon: Boolean(params.soon),
    open: Boolean(params.open),
    page: params.page || 1,
  };
  let facets = { districts: [], families: [], groups: [] };
  let latest = 0;

  const filtersEl = h("div", { class: "kfilters ktfilters", role: "group", "aria-label": t("training.filters") });
  const countEl = h("p", { class: "kcount-line", role: "status" });
  const listEl = h("div", { class: "klist" }, h("p", { class: "kloading" }, t("loading")));
  const pagerEl = h("div", { class: "kpager-slot" });
  const node = h("section", { class: "kscreen kjobs ktraining" }, filtersEl, countEl, listEl, pagerEl);

  const label = (name, value) => {
    if (!value) return t("filter.all");
    if (name === "family") return (facets.families.find((f) => f.value === value) || {}).label || value;
    if (name === "group" && ctx.lang !== "zh-CN") return (facets.groups.find((g) => g.value === value) || {}).label_en || value;
    return value;
  };

  function options(name) {
    const list = { district: facets.districts, family: facets.families, group: facets.groups }[name] || [];
    return [{ value: "", label: t("filter.all") },
      ...list.map((o) => ({ value: o.value, label: label(name, o.value), detail: t("filter.count", { count: o.count }) }))];
  }

  async function choose(name) {
    const picked = await ctx.pick({ title: t(`training.filter.${name}`), options: options(name), current: state[name] });
    if (picked === undefined || picked === state[name]) return;
    state[name] = picked;
    state.page = 1;
    refresh();
  }

  function renderFilters() {
    const picks = PICKED.map((name) => {
      const set = Boolean(state[name]);
      const button = h("button", { type: "button", class: `kbtn kfilter${set ? " kfilter--set" : ""}`, data: { filter: name } },
        h("span", { class: "kfilter__name" }, t(`training.filter.${name}`)),
        h("span", { class: "kfilter__value" }, label(name, state[name])),
        set ? h("span", { class: "kfilter__mark" }, t("filter.set")) : null);
      button.addEventListener("click", () => choose(name));
      return button;
    });
    const toggles = TOGGLES.map((name) => {
      const on = state[name];
      // Pressed state is said in words and by the check mark, never by colour alone.
      const button = h("button", { type: "button", class: `kbtn kfilter ktoggle${on ? " kfilter--set" : ""}`,
                                   "aria-pressed": String(on), data: { filter: name } },
        h("span", { class: "kfilter__name" }, t(`training.filter.${name}`)),
        h("span", { class: "kfilter__value" }, icon(on ? "check" : "none"), t(on ? "training.toggle.on" : "training.toggle.off")));
      button.addEventListener("click", () => {
        state[name] = !state[name];
        state.page = 1;
        refresh();
      });
      return button;
    });
    filtersEl.replaceChildren(...picks, ...toggles);
  }

  async function refresh() {
    ctx.remember({ ...state });
    renderFilters();
    const mine = ++latest;
    listEl.setAttribute("aria-busy", "true");
    const data = await ctx.load((signal) => ctx.api.get("/training", {
      signal,
      params: { district: state.district, family: state.family, group: state.group, soon: state.soon ? "1" : "",
                open: state.open ? "1" : "", page: state.page, per_page: ctx.rows },
    }));
    if (mine !== latest) return;
    facets = { districts: data.districts || [], families: data.families || [], groups: data.groups || [] };
    const items = Array.isArray(data.items) ? data.items : [];
    const total = Number(data.total) || 0;
    const pages = Math.max(1, Math.ceil(total / ctx.rows));
    if (state.page > pages) {
      state.page = pages;
      refresh();
      return;
    }
    listEl.removeAttribute("aria-busy");
    countEl.textContent = t("training.count", { count: total });
    listEl.replaceChildren(items.length
      ? h("ul", { class: "kvlist" }, items.map((c) => courseRow(t, c, (course) => ctx.go("course", { id: course.id }))))
      : h("p", { class: "kempty", role: "status" }, icon("info"), t("training.empty")));
    pagerEl.replaceChildren(pager(t, { page: state.page, pages, onPage: (n) => { state.page = n; refresh(); } }));
    renderFilters();
  }

  refresh();
  return { node, title: t("training.title") };
}
