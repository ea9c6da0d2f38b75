// Why a vacancy was suggested (岗位匹配): the matcher's reasons as chips, in two groups.
//
// A reason that speaks for the job (专业对口, 薪资符合期望) and one against it (离家较远) differ by icon
// (✓ / ✗), by words (the group's label 符合 / 不符, and the reason's own text) and by colour: colour
// is never the only signal (docs/kiosk.md §3; reference cards.md §7). Reasons arrive with both
// languages' texts (`text`, `text_en`); nothing is glued together here.

import { h } from "../_dom.js";
import { icon } from "./icons.js";

/** The reasons of a match as the page keeps them: [{code, text, favourable}] in the page's language. */
export function reasonsOf(match, lang) {
  const raw = match && Array.isArray(match.reasons) ? match.reasons : [];
  return raw
    .filter((r) => r && (r.text || r.text_en))
    .map((r) => ({
      code: String(r.code || ""),
      text: String((lang === "en" && r.text_en) || r.text || r.text_en),
      favourable: r.favourable !== false,
    }));
}

function chip(tag, reason) {
  const kind = reason.favourable ? "good" : "bad";
  return h(tag, { class: `kreason kreason--${kind}`, data: { reason: reason.code, favourable: String(reason.favourable) } },
    icon(reason.favourable ? "ok" : "bad"), h("span", { class: "kreason__text" }, reason.text));
}

function group(t, reasons, favourable, block, limit) {
  const all = reasons.filter((r) => r.favourable === favourable);
  if (!all.length) return null;
  const shown = all.slice(0, limit);
  const more = all.length - shown.length;
  const kind = favourable ? "good" : "bad";
  const label = h("span", { class: "kreasons__label" }, t(favourable ? "matches.reasons.good" : "matches.reasons.bad"));
  const chips = block ? h("ul", { class: "kreasons__chips" }, shown.map((r) => chip("li", r)))
    : shown.map((r) => chip("span", r));
  return h(block ? "div" : "span", { class: `kreasons__group kreasons__group--${kind}` }, label, chips,
    more > 0 ? h("span", { class: "kreasons__more" }, t("matches.reasons.more", { count: more })) : null);
}

/**
 * The chips of one match inside a list row (a button: phrasing content only, so spans), or on the
 * vacancy's own page (`block`: lists). Null when the matcher gave no reason. `favourable` caps the
 * reasons for the job shown (elder mode: fewer things at once; the rest are counted, and all are on
 * the vacancy's page); reasons against it are always all shown.
 */
export function reasonChips(t, reasons, { block = false, favourable = Infinity } = {}) {
  if (!reasons.length) return null;
  return h(block ? "div" : "span", { class: `kreasons${block ? " kreasons--block" : ""}` },
    group(t, reasons, true, block, favourable), group(t, reasons, false, block, Infinity));
}
