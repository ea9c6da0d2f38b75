// Job search: filters (district, category, salary, education), pinyin initials from the on-screen
// keyboard, and the matching vacancies a page at a time. Elder mode shows two filters at once.

import { h } from "../../_dom.js";
import { icon } from "../icons.js";
import { InitialsSearch } from "../initials-search.js";
import { pager } from "../pager.js";
import { categoryLabel, educationLabel } from "../strings.js";
import { vacancyList } from "../vacancy-list.js";

const FILTERS = ["district", "category", "salary_min", "education"];

export function jobsScreen(ctx, params) {
  const { t } = ctx;
  const state = {
    district: params.district || "",
    category: params.category || "",
    salary_min: params.salary_min || "",
    education: params.education || "",
    initials: params.initials || "",
    page: params.page || 1,
    keyboard: Boolean(params.keyboard),
    more: Boolean(params.more),
  };
  let facets = { districts: [], categories: [], educations: [], salary_steps: [] };
  let latest = 0;
  const remember = () => ctx.remember({ ...state });
  const search = new InitialsSearch({
    t, state, placeholder: t("search.placeholder"), remember,
    categories: () => facets.categories.map((c) => ({ value: c.value, label: categoryLabel(t, c.value, c.label), count: c.count })),
    onSearch: () => refresh(),
    onCategory: (value) => {
      state.category = value;
      state.page = 1;
      refresh();
    },
  });

  const filtersEl = h("div", { class: "kfilters", role: "group", "aria-label": t("jobs.filters") });
  const countEl = h("p", { class: "kcount-line", role: "status" });
  const listEl = h("div", { class: "klist" }, h("p", { class: "kloading" }, t("loading")));
  const pagerEl = h("div", { class: "kpager-slot" });
  const node = h("section", { class: "kscreen kjobs" }, search.searchEl, filtersEl, countEl, listEl, pagerEl, search.keyboardEl);
  search.screenEl = node;

  function filterText(name) {
    const value = state[name];
    if (name === "district") return value || t("filter.all");
    if (name === "category") return value ? categoryLabel(t, value) : t("filter.all");
    if (name === "salary_min") return value ? t("filter.salary_value", { amount: value }) : t("filter.any");
    return value ? t("filter.education_value", { label: educationLabel(t, value) }) : t("filter.any");
  }

  function options(name) {
    if (name === "district") {
      return [{ value: "", label: t("filter.all") },
        ...facets.districts.map((d) => ({ value: d.value, label: d.value, detail: t("filter.count", { count: d.count }) }))];
    }
    if (name === "category") {
      return [{ value: "", label: t("filter.all") },
        ...facets.categories.map((c) => ({ value: c.value, label: categoryLabel(t, c.value, c.label),
                                             detail: t("filter.count", { count: c.count }) }))];
    }
    if (name === "salary_min") {
      return [{ value: "", label: t("filter.any") },
        ...facets.salary_steps.map((n) => ({ value: String(n), label: t("filter.salary_value", { amount: n }) }))];
    }
    // The first level is "no requirement", which is nobody's own education: not offered.
    return [{ value: "", label: t("filter.any") },
      ...facets.educations.slice(1)
        .map((e) => ({ value: e.value, label: educationLabel(t, e.value) }))];
  }

  async function choose(name) {
    const picked = await ctx.pick({ title: t(`filter.${name}.pick`), options: options(name), current: state[name] });
    if (picked === undefined || picked === state[name]) return;
    state[name] = picked;
    state.page = 1;
    refresh();
  }

  function renderFilters() {
    const shown = ctx.elder ? (state.more ? ["salary_min", "education"] : ["district", "category"]) : FILTERS;
    const buttons = shown.map((name) => {
      const set = Boolean(state[name]);
      const button = h("button", { type: "button", class: `kbtn kfilter${set ? " kfilter--set" : ""}`, data: { filter: name } },
        h("span", { class: "kfilter__name" }, t(`filter.${name}`)),
        h("span", { class: "kfilter__value" }, filterText(name)),
        set ? h("span", { class: "kfilter__mark" }, t("filter.set")) : null);
      button.addEventListener("click", () => choose(name));
      return button;
    });
    if (ctx.elder) {
      const other = h("button", { type: "button", class: "kbtn kfilter kfilter--switch", data: { filter: "more" } },
        icon(state.more ? "back" : "filter"), t(state.more ? "filter.fewer" : "filter.more"));
      other.addEventListener("click", () => {
        state.more = !state.more;
        remember();
        renderFilters();
      });
      buttons.push(other);
    }
    filtersEl.replaceChildren(...buttons);
  }

  async function refresh() {
    remember();
    search.render();
    renderFilters();
    const mine = ++latest;
    // What this answer is for: typing goes on while it loads, and the count line must name the
    // initials the list shows, not the ones typed since.
    const asked = state.initials;
    listEl.setAttribute("aria-busy", "true");
    const data = await ctx.load((signal) => ctx.api.get("/vacancies", {
      signal,
      params: { district: state.district, category: state.category, salary_min: state.salary_min,
                education: state.education, initials: asked, page: state.page, per_page: ctx.rows },
    }));
    if (mine !== latest) return; // a newer search is on its way
    facets = { ...facets, ...(data.facets || {}) };
    const items = Array.isArray(data.items) ? data.items : [];
    const total = Number(data.total) || 0;
    const pages = Math.max(1, Math.ceil(total / ctx.rows));
    if (state.page > pages) {
      state.page = pages;
      refresh();
      return;
    }
    listEl.removeAttribute("aria-busy");
    countEl.textContent = t(asked ? "jobs.count.search" : "jobs.count",
                            { count: total, initials: asked.toUpperCase() });
    listEl.replaceChildren(vacancyList(t, items, (vacancy) => ctx.go("job", { id: vacancy.id, vacancy })));
    pagerEl.replaceChildren(pager(t, { page: state.page, pages, onPage: (n) => { state.page = n; refresh(); } }));
    renderFilters();
    search.refreshCategories();
  }

  refresh();
  return { node, title: t("jobs.title"), dispose: () => search.dispose() };
}
