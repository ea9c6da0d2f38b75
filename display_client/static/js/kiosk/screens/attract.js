// The attract loop's prompts, over the wall player's content: touch to start, or present a card.
// The whole screen is one big button; the mode toggles start the service in that mode.

import { h } from "../../_dom.js";
import { icon } from "../icons.js";

export function attractNodes(t, { toggles, onStart }) {
  const catcher = h("button", { type: "button", class: "kattract__start", "aria-label": t("attract.touch") });
  catcher.addEventListener("click", onStart);
  const band = h("div", { class: "kattract__band" },
    h("p", { class: "kattract__touch" }, icon("touch"), t("attract.touch")),
    h("p", { class: "kattract__card" }, icon("card"), t("attract.card")),
    h("p", { class: "kattract__ecard" }, icon("qr"), t("attract.ecard")),
    h("div", { class: "kattract__toggles" }, toggles));
  band.addEventListener("click", (event) => {
    if (!event.target.closest("button")) onStart();
  });
  return [catcher, band];
}
