// 岗位匹配 without a 求职登记: the citizen says in three taps what they want, one step per screen:
// 1) a job family, 2) a district (or 不限), 3) a minimum monthly pay (or 不限); then the list.
//
// What is chosen lives in the screen's memory only (its params, dropped with the session), never in
// browser storage, and goes to the server as query parameters (family, district, pay_min).

import { h } from "../_dom.js";
import { icon } from "./icons.js";

export const STEPS = ["family", "district", "pay"];

/** What was chosen as query parameters of /session/matches ("" and null are left out by the API client). */
export function statementQuery(statement) {
  if (!statement || !statement.family) return {};
  return { family: statement.family, district: statement.district || "", pay_min: statement.pay_min || "" };
}

/** The choices the server offers, checked: families [{key, label, labelEn}], districts, paySteps. */
export function choicesOf(raw) {
  const c = raw && typeof raw === "object" ? raw : {};
  const families = (Array.isArray(c.families) ? c.families : [])
    .filter((f) => f && f.key)
    .map((f) => ({ key: String(f.key), label: String(f.label || f.key), labelEn: String(f.label_en || f.label || f.key) }));
  const districts = (Array.isArray(c.districts) ? c.districts : []).filter(Boolean).map(String);
  const paySteps = (Array.isArray(c.pay_steps) ? c.pay_steps : []).map(Number).filter((n) => Number.isFinite(n) && n > 0);
  return { families, districts, paySteps };
}

/** A family's name in the page's language (the server's zh-CN label when it is not among the choices). */
export function familyLabel(choices, lang, key, fallback = "") {
  const found = choices.families.find((f) => f.key === key);
  if (!found) return String(fallback || key || "");
  return lang === "en" ? found.labelEn : found.label;
}

function options(ctx, choices, step) {
  const { t } = ctx;
  if (step === "family") return choices.families.map((f) => ({ value: f.key, label: ctx.lang === "en" ? f.labelEn : f.label }));
  if (step === "district") {
    return [...choices.districts.map((d) => ({ value: d, label: d })), { value: "", label: t("matches.step.any_place") }];
  }
  return [...choices.paySteps.map((n) => ({ value: n, label: t("matches.step.pay_value", { amount: n }) })),
    { value: null, label: t("matches.step.any_pay") }];
}

/** What the earlier steps chose, in words ("销售客服 · 安宁区"). */
function soFar(ctx, choices, chosen, number) {
  const { t } = ctx;
  const said = [familyLabel(choices, ctx.lang, chosen.family)];
  if (number > 2) said.push(chosen.district || t("matches.step.any_place"));
  return said.join(t("list.separator"));
}

/**
 * One step of the three: its question, a big button per choice (the one chosen before marked 已选 in
 * words and with a check), and 上一步 from the second step on. onPick(value) on a tap, onBack() for 上一步.
 */
export function statementStep(ctx, { choices, step, chosen, onPick, onBack }) {
  const { t } = ctx;
  const number = STEPS.indexOf(step) + 1;
  const current = step === "family" ? chosen.family : step === "district" ? chosen.district : chosen.pay_min;
  const buttons = options(ctx, choices, step).map((option) => {
    const picked = current !== undefined && option.value === current;
    const button = h("button", { type: "button", class: "kbtn kstep__option", "aria-pressed": String(picked),
                                 data: { step, value: option.value === null ? "" : option.value } },
      h("span", { class: "kstep__label" }, option.label),
      picked ? h("span", { class: "kstep__chosen" }, icon("check"), t("filter.chosen")) : null);
    button.addEventListener("click", () => onPick(option.value));
    return button;
  });
  const back = number > 1 ? h("button", { type: "button", class: "kbtn kstep__back", data: { action: "step-back" } },
    icon("back"), t("matches.step.back")) : null;
  if (back) back.addEventListener("click", onBack);
  return h("div", { class: "kstep", data: { step } },
    number === 1 ? h("p", { class: "kstep__intro" }, icon("info"), t("matches.step.intro")) : null,
    h("p", { class: "kstep__count" }, t("matches.step.count", { step: number, steps: STEPS.length })),
    number > 1 ? h("p", { class: "kstep__so-far" }, icon("check"),
      t("matches.step.so_far", { chosen: soFar(ctx, choices, chosen, number) })) : null,
    h("h2", { class: "kstep__question", id: `kstep-${step}` }, t(`matches.step.${step}`)),
    h("div", { class: `kstep__options kstep__options--${step}`, role: "group", "aria-labelledby": `kstep-${step}` }, buttons),
    h("div", { class: "kstep__foot" }, back, h("p", { class: "kstep__private" }, icon("lock"), t("matches.step.private"))));
}
