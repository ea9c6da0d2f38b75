// Home: the five services as big tiles. The personal ones say they need a card; 取号 opens the queue screen.

import { h } from "../../_dom.js";
import { icon } from "../icons.js";

export function homeScreen(ctx) {
  const { t } = ctx;
  const tile = ({ key, iconName, badge = null, onTap }) => {
    const button = h("button", { type: "button", class: "ktile", data: { tile: key } },
      h("span", { class: "ktile__icon" }, icon(iconName)),
      h("span", { class: "ktile__text" },
        h("span", { class: "ktile__title" }, t(`home.${key}`)),
        h("span", { class: "ktile__hint" }, t(`home.${key}.hint`))),
      badge ? h("span", { class: "ktile__badge" }, icon("lock"), badge) : null);
    button.addEventListener("click", onTap);
    return button;
  };
  const needsCard = ctx.citizen ? null : t("home.needs_card");
  const tiles = [
    tile({ key: "jobs", iconName: "jobs", onTap: () => ctx.go("jobs") }),
    tile({ key: "policies", iconName: "policy", onTap: () => ctx.go("policies") }),
    tile({ key: "records", iconName: "records", badge: needsCard, onTap: () => ctx.personal("records") }),
    tile({ key: "matches", iconName: "match", badge: needsCard, onTap: () => ctx.personal("matches") }),
    tile({ key: "queue", iconName: "ticket", onTap: () => ctx.go("queue") }),
  ];
  const node = h("section", { class: "kscreen khome" },
    h("h2", { class: "khome__prompt" }, t(ctx.citizen ? "home.prompt.citizen" : "home.prompt")),
    h("div", { class: "khome__tiles" }, tiles),
    ctx.citizen ? null : h("p", { class: "khome__card" }, icon("card"), t("home.card_hint")));
  return { node, title: t("home.title") };
}
