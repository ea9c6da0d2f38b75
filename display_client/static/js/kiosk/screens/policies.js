// Policy notices by topic: topic buttons (a picker in elder mode: fewer choices at once) and a list.

import { h } from "../../_dom.js";
import { dateLabel } from "../format.js";
import { icon } from "../icons.js";
import { pager } from "../pager.js";
import { topicLabel } from "../strings.js";

export function policiesScreen(ctx, params) {
  const { t } = ctx;
  const state = { topic: params.topic || "", page: params.page || 1 };
  const topicsEl = h("div", { class: "ktopics", role: "group", "aria-label": t("policies.topics") });
  const listEl = h("div", { class: "klist" }, h("p", { class: "kloading", role: "status" }, t("loading")));
  const pagerEl = h("div", { class: "kpager-slot" });
  const node = h("section", { class: "kscreen kpolicies" }, topicsEl, listEl, pagerEl);
  let latest = 0;
  let topics = [];
  const perPage = ctx.elder ? 3 : 5;

  function renderTopics() {
    if (ctx.elder) {
      const button = h("button", { type: "button", class: `kbtn kfilter${state.topic ? " kfilter--set" : ""}`, data: { filter: "topic" } },
        h("span", { class: "kfilter__name" }, t("policies.topic")),
        h("span", { class: "kfilter__value" }, state.topic ? topicLabel(t, state.topic) : t("filter.all")));
      button.addEventListener("click", async () => {
        const picked = await ctx.pick({
          title: t("policies.topic.pick"), current: state.topic,
          options: [{ value: "", label: t("filter.all") },
            ...topics.map((x) => ({ value: x.value, label: topicLabel(t, x.value), detail: t("policies.count", { count: x.count }) }))],
        });
        if (picked === undefined || picked === state.topic) return;
        state.topic = picked;
        state.page = 1;
        refresh();
      });
      topicsEl.replaceChildren(button);
      return;
    }
    const chip = (value, label) => {
      const chosen = value === state.topic;
      const button = h("button", { type: "button", class: "kbtn kchip", "aria-pressed": String(chosen), data: { topic: value } },
        chosen ? icon("check") : null, label);
      button.addEventListener("click", () => {
        if (chosen) return;
        state.topic = value;
        state.page = 1;
        refresh();
      });
      return button;
    };
    topicsEl.replaceChildren(chip("", t("filter.all")), ...topics.map((x) => chip(x.value, topicLabel(t, x.value))));
  }

  async function refresh() {
    ctx.remember({ ...state });
    const mine = ++latest;
    const data = await ctx.load((signal) => ctx.api.get("/notices", { signal, params: { topic: state.topic } }));
    if (mine !== latest) return;
    topics = Array.isArray(data.topics) ? data.topics : [];
    const items = Array.isArray(data.items) ? data.items : [];
    const pages = Math.max(1, Math.ceil(items.length / perPage));
    state.page = Math.min(state.page, pages);
    renderTopics();
    const shown = items.slice((state.page - 1) * perPage, state.page * perPage);
    if (!shown.length) {
      listEl.replaceChildren(h("p", { class: "kempty", role: "status" }, icon("info"), t("policies.empty")));
    } else {
      listEl.replaceChildren(h("ul", { class: "kplist" }, shown.map((n) => {
        const button = h("button", { type: "button", class: "kprow", data: { id: n.id } },
          h("span", { class: "kprow__title" }, n.title || ""),
          h("span", { class: "kprow__meta" },
            [topicLabel(t, n.topic), n.issuing_office, n.effective_date ? t("policy.effective", { date: dateLabel(t, n.effective_date) }) : ""]
              .filter(Boolean).map((part) => h("span", { class: "kprow__part" }, part))),
          h("span", { class: "kvrow__more" }, t("policies.read"), icon("next")));
        button.addEventListener("click", () => ctx.go("policy", { id: n.id }));
        return h("li", {}, button);
      })));
    }
    pagerEl.replaceChildren(pager(t, { page: state.page, pages, onPage: (p) => { state.page = p; refresh(); } }));
  }

  refresh();
  return { node, title: t("policies.title") };
}
