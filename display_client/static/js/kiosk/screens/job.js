// One vacancy in full: pay, employer, where, who, what is asked, whom to call.

import { h } from "../../_dom.js";
import { salaryLabel } from "../format.js";
import { icon } from "../icons.js";
import { categoryLabel, educationLabel } from "../strings.js";

export function jobScreen(ctx, params) {
  const { t } = ctx;
  const node = h("section", { class: "kscreen kjob" }, h("p", { class: "kloading", role: "status" }, t("loading")));
  const show = (v) => {
    const row = (key, value, cls = "") => value ? [h("dt", { class: cls }, t(key)), h("dd", { class: cls }, value)] : [];
    node.replaceChildren(
      h("h2", { class: "kjob__title" }, v.title || ""),
      h("p", { class: "kjob__salary" }, salaryLabel(t, v)),
      h("dl", { class: "kjob__facts" },
        row("job.employer", v.employer),
        row("job.district", v.district),
        row("job.headcount_label", t("job.headcount", { count: v.headcount || 1 })),
        row("job.education", educationLabel(t, v.education)),
        row("job.category", v.category ? t("job.category_value", { label: categoryLabel(t, v.category, v.category_label),
                                                                    code: v.occupation_code || "" }) : ""),
        row("job.requirements", v.requirements, "kjob__long"),
        row("job.contact", v.contact)),
      h("p", { class: "kjob__hint" }, icon("info"), t("job.hint")));
  };
  if (params.vacancy) show(params.vacancy);
  else ctx.load((signal) => ctx.api.get(`/vacancies/${encodeURIComponent(params.id)}`, { signal })).then(show);
  return { node, title: t("job.title") };
}
