// Idle view: the hall's name and a large clock, for when nothing is scheduled (layer "none") or no
// manifest has ever arrived. A wall is never blank.

import { h } from "./_dom.js";
import { Clock } from "./clock.js";

export class IdleView {
  constructor(el, { now, i18n }) {
    this.el = el;
    this.el.classList.add("idle");
    this.hallEl = h("h1", { class: "idle__hall" });
    this.welcomeEl = h("p", { class: "idle__welcome" }, i18n.t("idle.welcome"));
    const clockEl = h("div", { class: "idle__clock" });
    this.el.replaceChildren(this.hallEl, this.welcomeEl, clockEl);
    this.clock = new Clock(clockEl, { now, i18n });
  }

  update({ hallName, timeZone }) {
    if (this.hallEl.textContent !== hallName) this.hallEl.textContent = hallName;
    this.clock.update({ timeZone });
  }

  show(visible) {
    if (this.el.hidden === !visible) return;
    this.el.hidden = !visible;
  }
}
