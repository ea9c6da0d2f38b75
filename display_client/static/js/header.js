// Header: the hall's name, as large as its region allows on one line.

import { fitText, h, vh } from "./_dom.js";

export class Header {
  constructor(el) {
    this.el = el;
    this.el.classList.add("region--header");
    this.nameEl = h("h1", { class: "header__hall" });
    this.el.replaceChildren(this.nameEl);
    this.fitted = null;
  }

  update({ hallName }) {
    const fitted = `${hallName}|${this.el.clientWidth}x${this.el.clientHeight}`;
    if (fitted === this.fitted) return;
    this.fitted = fitted;
    this.nameEl.textContent = hallName;
    fitText(this.nameEl, { min: vh(2), max: Math.max(vh(2), this.el.clientHeight * 0.62) });
  }

  destroy() {
    this.el.replaceChildren();
  }
}
