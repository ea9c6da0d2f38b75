// Home: the five services as big tiles. The personal ones say they need a card; 取号 opens the queue screen,
// and says so on its tile when the slip printer cannot print (缺纸), before anyone asks.

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
    tile({ key: "training", iconName: "training", onTap: () => ctx.go("training") }),
    tile({ key: "guides", iconName: "guide", onTap: () => ctx.go("guides") }),
  ];
  const node = h("section", { class: "kscreen khome" },
    h("h2", { class: "khome__prompt" }, t(ctx.citizen ? "home.prompt.citizen" : "home.prompt")),
    h("div", { class: "khome__tiles" }, tiles),
    ctx.citizen ? null : h("p", { class: "khome__card" }, icon("card"), t("home.card_hint")));
  // 招聘会 only when a fair is coming to this hall (best effort: no answer, no tile).
  ctx.api.get("/fairs", { params: { per_page: 1 } }).then((out) => {
    if (!out || !(Number(out.total) > 0)) return;
    node.querySelector(".khome__tiles").append(tile({ key: "fairs", iconName: "fair", onTap: () => ctx.go("fairs") }));
  }, () => {});
  // Best effort: home never fails for it (an answer lost leaves the tile as it is).
  ctx.api.get("/print/printers").then((out) => {
    const slip = out && out.slip;
    if (!slip || slip.ready) return;
    const words = t(slip.state === "paper_out" ? "home.queue.printer.paper_out" : "home.queue.printer.down");
    tiles[4].append(h("span", { class: "ktile__badge ktile__badge--printer", data: { printer: slip.state } }, icon("warn"), words));
  }, () => {});
  return { node, title: t("home.title") };
}
