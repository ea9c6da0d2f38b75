// One vacancy in full: pay, employer, where, who, what is asked, whom to call, and 发到手机.
// Opened from 岗位匹配 (params.match) it also says why it was suggested, and offers 我有意向 while the
// citizen's session is open.

import { h } from "../../_dom.js";
import { salaryLabel } from "../format.js";
import { icon } from "../icons.js";
import { interestBox } from "../match-interest.js";
import { phoneBox } from "../match-phone.js";
import { reasonChips, reasonsOf } from "../match-reasons.js";
import { categoryLabel, educationLabel } from "../strings.js";

export function jobScreen(ctx, params) {
  const { t } = ctx;
  // The matcher's reasons as it sent them (both languages): drawn in the page's language on every redraw.
  const match = params.match && typeof params.match === "object" ? { reasons: reasonsOf(params.match, ctx.lang) } : null;
  const node = h("section", { class: "kscreen kjob" }, h("p", { class: "kloading", role: "status" }, t("loading")));
  const why = () => {
    if (!match) return null;
    const chips = reasonChips(t, match.reasons, { block: true });
    return h("section", { class: "kjob__why", "aria-labelledby": "kjob-why" },
      h("h3", { class: "kjob__why-title", id: "kjob-why" }, icon("match"), t("match.reasons.title")),
      chips || h("p", { class: "kjob__why-none" }, t("match.reasons.none")));
  };
  const show = (v) => {
    const row = (key, value, cls = "") => value ? [h("dt", { class: cls }, t(key)), h("dd", { class: cls }, value)] : [];
    node.replaceChildren(
      h("h2", { class: "kjob__title" }, v.title || ""),
      h("p", { class: "kjob__salary" }, salaryLabel(t, v)),
      why(),
      h("div", { class: "kjob__actions" },
        match && ctx.citizen ? interestBox(ctx, v.id, params.interest || null, params.statement || null) : null,
        phoneBox(ctx, v.id)),
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
  return { node, title: t(match ? "match.title" : "job.title") };
}
