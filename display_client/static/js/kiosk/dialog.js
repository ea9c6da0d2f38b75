// A message over the current screen (a refused card, a lookup that failed, a service not open yet).
// It says what happened and what to do, in words with an icon; 知道了 closes it, and so does time.

import { h } from "../_dom.js";
import { icon } from "./icons.js";

const AUTO_CLOSE_MS = 20_000;

export class MessageDialog {
  constructor(el) {
    this.el = el;
    this.timer = null;
    this.el.hidden = true;
  }

  get visible() {
    return !this.el.hidden;
  }

  /** kind: "warn" | "info"; `name` tags it for tests and styles (e.g. "refused", "unavailable"). */
  show(t, { kind = "warn", name = "message", title, body, detail = "" }) {
    clearTimeout(this.timer);
    const ok = h("button", { type: "button", class: "kbtn kbtn--primary kbtn--big" }, icon("check"), t("action.ok"));
    ok.addEventListener("click", () => this.hide());
    this.el.replaceChildren(h("div", { class: `kdialog kdialog--${kind}`, role: "alertdialog", "aria-modal": "true",
                                       "aria-labelledby": "kdialog-title", "aria-describedby": "kdialog-body",
                                       data: { name } },
      h("h2", { class: "kdialog__title", id: "kdialog-title" }, icon(kind === "warn" ? "warn" : "info"), title),
      h("p", { class: "kdialog__body", id: "kdialog-body" }, body),
      detail ? h("p", { class: "kdialog__detail" }, detail) : null,
      h("div", { class: "kdialog__actions" }, ok)));
    this.el.hidden = false;
    ok.focus({ preventScroll: true });
    this.timer = setTimeout(() => this.hide(), AUTO_CLOSE_MS);
  }

  hide() {
    clearTimeout(this.timer);
    if (this.el.hidden) return;
    this.el.hidden = true;
    this.el.replaceChildren();
  }
}
