// Draws the evaluator from its model: idle (counter and staff on duty), ask (five levels), reasons
// (for the two lowest), thanks, over. The same model always gives the same DOM.

import { h } from "../_dom.js";

export const LEVELS = [5, 4, 3, 2, 1]; // best first, as the national scale lists them
export const LOW_LEVELS = new Set([2, 1]);

const SVG = "http://www.w3.org/2000/svg";
// The mouth of each level's face: a smile that flattens, then turns down.
const MOUTHS = {
  5: "M16 30 Q24 40 32 30",
  4: "M17 31 Q24 36 31 31",
  3: "M17 32 L31 32",
  2: "M17 34 Q24 29 31 34",
  1: "M16 36 Q24 26 32 36",
};

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
}

/** A face for a level: words carry the meaning, the face and the colour repeat it. */
export function face(level) {
  const root = svg("svg", { viewBox: "0 0 48 48", class: "ev-face", "aria-hidden": "true" });
  root.append(
    svg("circle", { cx: 24, cy: 24, r: 21, fill: "none", stroke: "currentColor", "stroke-width": 3 }),
    svg("circle", { cx: 17, cy: 19, r: 2.6, fill: "currentColor" }),
    svg("circle", { cx: 31, cy: 19, r: 2.6, fill: "currentColor" }),
    svg("path", { d: MOUTHS[level], fill: "none", stroke: "currentColor", "stroke-width": 3, "stroke-linecap": "round" }),
  );
  return root;
}

function header(t, state) {
  const counter = state && state.counter;
  const staff = state && state.staff;
  return h(
    "header",
    { class: "ev-head" },
    h("div", { class: "ev-counter" }, counter ? counter.name : t("title")),
    h(
      "div",
      { class: "ev-staff" },
      staff ? [h("span", { class: "ev-staff-label" }, t("staff.label")), h("span", { class: "ev-staff-name" }, staff.name)] : t("staff.none"),
    ),
  );
}

function idle(t, state) {
  if (!state) return h("section", { class: "ev-idle" }); // nothing heard yet: no words that may be wrong
  if (!state.counter) return h("section", { class: "ev-idle" }, h("p", { class: "ev-unbound" }, t("idle.unbound")));
  return h(
    "section",
    { class: "ev-idle" },
    h("p", { class: "ev-invite" }, t("idle.invite")),
    h("p", { class: "ev-after" }, t("idle.after")),
  );
}

function facts(t, evaluation) {
  const row = (label, value, cls) => h("div", { class: `ev-fact ${cls}` }, h("dt", {}, label), h("dd", {}, value || "—"));
  return h(
    "dl",
    { class: "ev-facts" },
    row(t("ask.ticket"), evaluation.ticket, "ev-fact--ticket"),
    row(t("ask.service"), evaluation.service, "ev-fact--service"),
    row(t("ask.staff"), evaluation.staff, "ev-fact--staff"),
  );
}

function ask(t, model, on) {
  const evaluation = model.state.evaluation;
  return h(
    "section",
    { class: "ev-ask" },
    h("h1", { class: "ev-title" }, t("ask.title")),
    facts(t, evaluation),
    h(
      "div",
      { class: "ev-levels", role: "group", "aria-label": t("ask.title") },
      LEVELS.map((level) => {
        const button = h(
          "button",
          { type: "button", class: `ev-level ev-level--${level}`, data: { level } },
          face(level),
          h("span", { class: "ev-level-word" }, t(`level.${level}`)),
        );
        button.addEventListener("click", () => on.level(level));
        return button;
      }),
    ),
    h("p", { class: "ev-countdown" }, t("ask.countdown", { seconds: model.secondsLeft })),
  );
}

function reasons(t, model, on) {
  const evaluation = model.state.evaluation;
  const codes = model.state.reasons || [];
  const confirm = h("button", { type: "button", class: "ev-confirm", disabled: model.chosen.size === 0 }, t("reasons.confirm"));
  confirm.addEventListener("click", () => on.confirm());
  const back = h("button", { type: "button", class: "ev-back" }, t("reasons.back"));
  back.addEventListener("click", () => on.back());
  return h(
    "section",
    { class: `ev-reasons ev-reasons--${model.level}` },
    h("h1", { class: "ev-title" }, h("span", { class: `ev-chosen ev-level--${model.level}` }, face(model.level), t(`level.${model.level}`)), " ", t("reasons.title")),
    h("p", { class: "ev-reasons-for" }, `${evaluation.ticket} · ${evaluation.service}`),
    h(
      "div",
      { class: "ev-chips", role: "group" },
      codes.map((code) => {
        const chip = h(
          "button",
          { type: "button", class: "ev-chip", "aria-pressed": model.chosen.has(code) ? "true" : "false", data: { reason: code } },
          t(`reason.${code}`),
        );
        chip.addEventListener("click", () => on.toggle(code));
        return chip;
      }),
    ),
    h("p", { class: "ev-need" }, model.chosen.size === 0 ? t("reasons.need") : ""),
    h("div", { class: "ev-actions" }, back, confirm),
    h("p", { class: "ev-countdown" }, t("ask.countdown", { seconds: model.secondsLeft })),
  );
}

function message(t, key, sub) {
  return h("section", { class: "ev-message" }, h("p", { class: "ev-message-title" }, t(key)), sub ? h("p", { class: "ev-message-sub" }, t(sub)) : null);
}

/** Replace the contents of `root` with the model's view. */
export function render(root, model, t, on) {
  const view = model.view;
  root.dataset.view = view;
  root.dataset.conn = model.conn;
  let body;
  if (view === "ask") body = ask(t, model, on);
  else if (view === "reasons") body = reasons(t, model, on);
  else if (view === "thanks") body = message(t, "thanks.title", "thanks.sub");
  else if (view === "over") body = message(t, "over.title", null);
  else body = idle(t, model.state);
  const offline = model.conn === "online" ? null : h("div", { class: "ev-offline", role: "status" }, t("conn.offline"));
  root.replaceChildren(header(t, model.state), h("div", { class: "ev-body" }, body), offline || "");
}
