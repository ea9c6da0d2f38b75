// What the matcher went by, at the top of 岗位匹配: the person's 求职登记, what they chose in three
// taps, or that they have registered nothing (then education and age alone decide).

import { h } from "../_dom.js";
import { icon } from "./icons.js";
import { familyLabel } from "./match-statement.js";

/** The profile of the answer, checked: {source, occupations [{code, name}], payMin, districts}. */
export function profileOf(raw) {
  const p = raw && typeof raw === "object" ? raw : {};
  const source = ["registration", "stated"].includes(p.source) ? p.source : "none";
  const occupations = (Array.isArray(p.occupations) ? p.occupations : [])
    .filter((o) => o && (o.name || o.code))
    .map((o) => ({ code: String(o.code || ""), name: String(o.name || o.code) }));
  const payMin = Number(p.pay_min) > 0 ? Number(p.pay_min) : null;
  const districts = (Array.isArray(p.districts) ? p.districts : []).filter(Boolean).map(String);
  return { source, occupations, payMin, districts };
}

/**
 * The summary: 想找：叉车司机 · 期望月薪 4000 元以上 · 城关区 under where it comes from, or 您尚未登记求职意向.
 * `action` (a button: 修改条件 or 选择求职意向) goes beside it; `choices` names stated families in English.
 */
export function profileSummary(ctx, profile, { choices, action = null }) {
  const { t } = ctx;
  if (profile.source === "none") {
    return h("div", { class: "kprofile kprofile--none", data: { source: "none" } },
      h("div", { class: "kprofile__text" },
        h("p", { class: "kprofile__what" }, icon("info"), t("matches.profile.none")),
        h("p", { class: "kprofile__hint" }, t("matches.profile.none.hint"))),
      action);
  }
  const join = t("matches.profile.join");
  const names = profile.occupations.map((o) => familyLabel(choices, ctx.lang, o.code, o.name));
  const facts = [
    names.length ? t("matches.profile.want", { names: names.join(join) }) : t("matches.profile.any_work"),
    profile.payMin ? t("matches.profile.pay", { amount: profile.payMin }) : t("matches.profile.any_pay"),
    profile.districts.length ? t("matches.profile.places", { names: profile.districts.join(join) })
      : t("matches.profile.any_place"),
  ];
  return h("div", { class: `kprofile kprofile--${profile.source}`, data: { source: profile.source } },
    h("div", { class: "kprofile__text" },
      h("p", { class: "kprofile__from" }, t(`matches.profile.${profile.source}`)),
      h("p", { class: "kprofile__what" }, facts.join(t("list.separator"))),
      profile.source === "registration" ? h("p", { class: "kprofile__hint" }, t("matches.profile.registration.hint")) : null),
    action);
}
