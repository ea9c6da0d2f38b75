// Needs a card: how to identify yourself before a personal lookup. A card opens the service asked for.

import { h } from "../../_dom.js";
import { icon } from "../icons.js";

export function needsCardScreen(ctx, params) {
  const { t } = ctx;
  const target = params.target === "matches" ? "matches" : "records";
  const way = (name, key) => h("li", { class: "kneed__way" }, h("span", { class: "kneed__icon" }, icon(name)), t(key));
  const node = h("section", { class: "kscreen kneed", data: { target } },
    h("h2", { class: "kneed__title" }, t("needs_card.title")),
    h("p", { class: "kneed__why" }, t(`needs_card.why.${target}`)),
    h("ul", { class: "kneed__ways" },
      way("card", "needs_card.ssc"), way("records", "needs_card.idcard"), way("qr", "needs_card.ecard")),
    h("p", { class: "kneed__privacy" }, icon("lock"), t("needs_card.privacy")));
  return { node, title: t(`home.${target}`), waitsFor: target };
}
