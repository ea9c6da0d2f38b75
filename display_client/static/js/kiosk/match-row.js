// One suggested vacancy as a big button in the 岗位匹配 list: its rank, title, pay, employer, where,
// and the reasons it was suggested (match-reasons.js). A tap opens the vacancy with its reasons.

import { h } from "../_dom.js";
import { salaryLabel } from "./format.js";
import { icon } from "./icons.js";
import { reasonChips, reasonsOf } from "./match-reasons.js";
import { educationLabel } from "./strings.js";

// Elder mode lists the first reasons for a job only, in the matcher's order; the vacancy's page has them all.
export const ELDER_FAVOURABLE = 3;

/** The match of an item as the page keeps it: {rank, reasons}; the reasons in the page's language. */
export function matchOf(item, lang) {
  const raw = item && item.match ? item.match : {};
  return { rank: Number(raw.rank) || 0, reasons: reasonsOf(raw, lang) };
}

export function matchRow(ctx, item, onOpen) {
  const { t } = ctx;
  const match = matchOf(item, ctx.lang);
  // Employer and facts on one line: the reasons below take the room.
  const facts = [item.employer || "", item.district || "", educationLabel(t, item.education),
    t("job.headcount", { count: item.headcount || 1 })].filter(Boolean);
  const button = h("button", { type: "button", class: "kvrow kmrow", data: { id: item.id, rank: match.rank } },
    h("span", { class: "kvrow__main" },
      h("span", { class: "kmrow__title" },
        // The number is drawn; a screen reader says 第 1 名 instead.
        match.rank ? h("span", { class: "kmrow__rank", "aria-hidden": "true" }, String(match.rank)) : null,
        match.rank ? h("span", { class: "kmrow__rank-text" }, t("matches.rank", { rank: match.rank })) : null,
        h("span", { class: "kvrow__title" }, item.title || "")),
      h("span", { class: "kvrow__salary" }, salaryLabel(t, item))),
    h("span", { class: "kvrow__facts" }, facts.join(t("list.separator"))),
    reasonChips(t, match.reasons, { favourable: ctx.elder ? ELDER_FAVOURABLE : Infinity }),
    h("span", { class: "kvrow__more" }, t("list.details"), icon("next")));
  button.addEventListener("click", () => onOpen(item));
  return h("li", {}, button);
}

/** The list of matches, or the empty state that sends the citizen to a counter. */
export function matchList(ctx, items, onOpen) {
  const { t } = ctx;
  if (!items.length) {
    return h("div", { class: "kempty kmatches__empty", role: "status" }, icon("info"),
      h("span", {}, h("strong", {}, t("matches.empty")), h("span", { class: "kmatches__empty-hint" }, t("matches.empty.hint"))));
  }
  return h("ul", { class: "kvlist kmlist" }, items.map((item) => matchRow(ctx, item, onOpen)));
}
