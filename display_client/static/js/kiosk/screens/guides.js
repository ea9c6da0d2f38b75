// Service guides (办事指南): pinyin initials from the on-screen keyboard (失业保险金申领 → SYBXJSL),
// category chips (a picker in elder mode: fewer choices at once), and the guides a page at a time.

import { h } from "../../_dom.js";
import { icon } from "../icons.js";
import { InitialsSearch } from "../initials-search.js";
import { pager } from "../pager.js";

export function guidesScreen(ctx, params) {
  const { t } = ctx;
  const state = {
    category: params.category || "",
    initials: params.initials || "",
    page: params.page || 1,
    keyboard: Boolean(params.keyboard),
  };
  const perPage = ctx.elder ? 3 : 8;
  let categories = [];
  let latest = 0;
  const remember = () => ctx.remember({ ...state });
  const search = new InitialsSearch({
    t, state, placeholder: t("guides.search.placeholder"), remember,
    categories: () => categories.map((c) => ({ value: c.value, label: c.value, count: c.count })),
    onSearch: () => refresh(),
    onCategory: (value) => pickCategory(value),
  });

  const categoriesEl = h("div", { class: "ktopics", role: "group", "aria-label": t("guides.categories") });
  const countEl = h("p", { class: "kcount-line", role: "status" });
  const listEl = h("div", { class: "klist" }, h("p", { class: "kloading" }, t("loading")));
  const pagerEl = h("div", { class: "kpager-slot" });
  const node = h("section", { class: "kscreen kjobs kguides" },
    search.searchEl, categoriesEl, countEl, listEl, pagerEl, search.keyboardEl);
  search.screenEl = node;

  const pickCategory = (value) => {
    if (value === state.category) return;
    state.category = value;
    state.page = 1;
    refresh();
  };

  function renderCategories() {
    if (ctx.elder) {
      const button = h("button", { type: "button", class: `kbtn kfilter${state.category ? " kfilter--set" : ""}`, data: { filter: "category" } },
        h("span", { class: "kfilter__name" }, t("guides.category")),
        h("span", { class: "kfilter__value" }, state.category || t("filter.all")));
      button.addEventListener("click", async () => {
        const picked = await ctx.pick({
          title: t("guides.category.pick"), current: state.category,
          options: [{ value: "", label: t("filter.all") },
            ...categories.map((c) => ({ value: c.value, label: c.value, detail: t("guides.category.count", { count: c.count }) }))],
        });
        if (picked !== undefined) pickCategory(picked);
      });
      categoriesEl.replaceChildren(button);
      return;
    }
    const chip = (value, label) => {
      const chosen = value === state.category;
      const button = h("button", { type: "button", class: "kbtn kchip", "aria-pressed": String(chosen), data: { category: value } },
        chosen ? icon("check") : null, label);
      button.addEventListener("click", () => pickCategory(value));
      return button;
    };
    categoriesEl.replaceChildren(chip("", t("filter.all")), ...categories.map((c) => chip(c.value, c.value)));
  }

  function row(guide) {
    const where = [guide.location, guide.counter].filter(Boolean).join(" ");
    const button = h("button", { type: "button", class: "kprow kgrow", data: { id: guide.id } },
      h("span", { class: "kprow__title" }, guide.title || ""),
      h("span", { class: "kprow__meta" },
        [guide.category, guide.time_limit ? t("guides.row.time_limit", { value: guide.time_limit }) : "", where]
          .filter(Boolean).map((part) => h("span", { class: "kprow__part" }, part))),
      h("span", { class: "kvrow__more" }, t("guides.read"), icon("next")));
    button.addEventListener("click", () => ctx.go("guide", { id: guide.id }));
    return h("li", {}, button);
  }

  async function refresh() {
    remember();
    search.render();
    const mine = ++latest;
    const asked = state.initials;
    listEl.setAttribute("aria-busy", "true");
    const data = await ctx.load((signal) => ctx.api.get("/guides", {
      signal, params: { category: state.category, initials: asked, page: state.page, per_page: perPage },
    }));
    if (mine !== latest) return;
    categories = Array.isArray(data.categories) ? data.categories : [];
    const items = Array.isArray(data.items) ? data.items : [];
    const total = Number(data.total) || 0;
    const pages = Math.max(1, Math.ceil(total / perPage));
    if (state.page > pages) {
      state.page = pages;
      refresh();
      return;
    }
    listEl.removeAttribute("aria-busy");
    renderCategories();
    countEl.textContent = t(asked ? "guides.count.search" : "guides.count", { count: total, initials: asked.toUpperCase() });
    listEl.replaceChildren(items.length
      ? h("ul", { class: "kplist" }, items.map(row))
      : h("p", { class: "kempty", role: "status" }, icon("info"), t("guides.empty")));
    pagerEl.replaceChildren(pager(t, { page: state.page, pages, onPage: (n) => { state.page = n; refresh(); } }));
    search.refreshCategories();
  }

  refresh();
  return { node, title: t("guides.title"), dispose: () => search.dispose() };
}
